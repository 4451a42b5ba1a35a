from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = "小区登记"

    def ready(self):
        # The estate list's export and the estates' importer, wherever the app runs (web,
        # worker, commands): registered here, not as a side effect of importing their modules.
        from core.imports import register_importer
        from core.jobs import register_handler

        from .exports import KIND, export_estates_job
        from .imports import EstateImporter

        register_handler(KIND, export_estates_job)
        register_importer(EstateImporter)
