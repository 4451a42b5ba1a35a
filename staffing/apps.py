from django.apps import AppConfig


class StaffingConfig(AppConfig):
    name = "staffing"
    verbose_name = "组织与人员"

    def ready(self):
        from assessments.unit_assessment import register_staffing_rows

        from . import exports  # noqa: F401  (registering the export job handlers)
        from .compliance import unit_rows

        register_staffing_rows(unit_rows)
