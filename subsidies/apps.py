from django.apps import AppConfig


class SubsidiesConfig(AppConfig):
    name = "subsidies"
    verbose_name = "扶持资金"

    def ready(self):
        from assessments.signals import cycle_run_finished
        from core.jobs import register_handler

        from .allocation import on_cycle_run_finished
        from .exports import export_allocations_job

        register_handler("export_allocations", export_allocations_job)
        cycle_run_finished.connect(on_cycle_run_finished, dispatch_uid="subsidies.recompute_year")
