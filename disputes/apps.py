from django.apps import AppConfig


class DisputesConfig(AppConfig):
    name = "disputes"
    verbose_name = "两站一中心"

    def ready(self):
        # Register the import and export job handlers wherever the app runs (web, worker,
        # commands): a worker does not load the URLconf that would import them otherwise.
        from . import exports, imports  # noqa: F401
