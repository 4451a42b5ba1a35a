from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "考核"

    def ready(self):
        from core.jobs import register_table
        from core.years import register_closed_years

        from . import (  # noqa: F401 - registers the importers and the export jobs
            exports,
            imports,
            third_party_exports,
            unit_exports,
        )
        from .models import CycleRun
        from .services import closed_years_among
        from .tasks import run_cycle_task

        register_closed_years(closed_years_among)
        register_table(
            CycleRun, lambda pk: run_cycle_task.delay(pk), gave_up="处理进程多次中断，计分已停止，请重新发起。"
        )
