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

        # each estate's active-contract facts follow its contracts' writes (contract_facts)
        from django.db.models.signals import post_delete, post_save, pre_save

        from .contract_facts import contract_saved, contract_saving
        from .models import ServiceContract

        pre_save.connect(contract_saving, sender=ServiceContract, dispatch_uid="contract_facts_saving")
        post_save.connect(contract_saved, sender=ServiceContract, dispatch_uid="contract_facts_saved")
        post_delete.connect(contract_saved, sender=ServiceContract, dispatch_uid="contract_facts_deleted")
