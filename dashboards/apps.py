from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    """首页与看板: the pages that compose every app — the home page and its dashboard.

    The top layer (docs/architecture.md): it may import every app and no app imports it, so
    core stays the shared layer that knows no domain app."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboards"
    verbose_name = "首页与看板"
