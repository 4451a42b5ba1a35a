from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "考核"

    def ready(self):
        from core.exports import register_exports
        from core.imports import register_importer
        from core.jobs import register_handler, register_table
        from core.years import register_closed_years

        from .exports import export_inspections_job, export_results_job
        from .imports import FeeRateImporter, InspectionImporter
        from .models import CycleRun
        from .services import closed_years_among
        from .tasks import run_cycle_task
        from .third_party_exports import export_deviation_job
        from .unit_exports import EXPORT as UNIT_ASSESSMENT_EXPORT

        # The importers and the export jobs, wherever the app runs (web, worker, commands).
        register_importer(InspectionImporter)
        register_importer(FeeRateImporter)
        register_handler("export_results", export_results_job)
        register_handler("export_inspections", export_inspections_job)
        register_handler("export_deviation", export_deviation_job)
        register_exports({"unit_assessment": UNIT_ASSESSMENT_EXPORT})
        register_closed_years(closed_years_among)
        register_table(
            CycleRun, lambda pk: run_cycle_task.delay(pk), gave_up="处理进程多次中断，计分已停止，请重新发起。"
        )
