from django.apps import AppConfig


class DisputesConfig(AppConfig):
    name = "disputes"
    verbose_name = "两站一中心"

    def ready(self):
        # Register the import and export job handlers wherever the app runs (web, worker,
        # commands): a worker does not load the URLconf that would import them otherwise.
        # Residents' names and phones stay masked in the central change log (core/audit.py).
        from core.audit import register_personal
        from core.exports import register_exports
        from core.imports import register_importer

        from .exports import EXPORTS
        from .imports import DisputeImporter, RepairImporter
        from .privacy import PERSONAL_FIELDS

        register_exports(EXPORTS)
        register_importer(DisputeImporter)
        register_importer(RepairImporter)

        for model_name, fields in PERSONAL_FIELDS.items():
            register_personal(f"disputes.{model_name}", dict(fields))
