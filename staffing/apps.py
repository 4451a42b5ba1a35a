from django.apps import AppConfig


class StaffingConfig(AppConfig):
    name = "staffing"
    verbose_name = "组织与人员"

    def ready(self):
        from assessments.unit_assessment import register_staffing_rows
        from core.exports import register_exports

        from .compliance import unit_rows
        from .exports import EXPORTS

        register_exports(EXPORTS)
        register_staffing_rows(unit_rows)
