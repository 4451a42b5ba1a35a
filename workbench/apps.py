from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    """工作台: each role's to-do list (待办), what it did (已办) and its reminders (提醒)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "workbench"
    verbose_name = "工作台"

    def ready(self):
        # The built-in kinds register themselves; the receivers send the reminders addressed
        # to one person (an inspection returned, a sheet approved, an appeal filed).
        from . import kinds, receivers  # noqa: F401
