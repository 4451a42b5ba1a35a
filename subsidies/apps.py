from django.apps import AppConfig


class SubsidiesConfig(AppConfig):
    name = "subsidies"
    verbose_name = "扶持资金"

    def ready(self):
        from assessments.signals import cycle_run_finished

        from . import exports  # noqa: F401 - registers the export job
        from .allocation import on_cycle_run_finished

        cycle_run_finished.connect(on_cycle_run_finished, dispatch_uid="subsidies.recompute_year")
