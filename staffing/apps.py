from django.apps import AppConfig


class StaffingConfig(AppConfig):
    name = "staffing"
    verbose_name = "组织与人员"

    def ready(self):
        from . import exports  # noqa: F401  (registering the export job handlers)
