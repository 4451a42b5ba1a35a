from core.imports import ImportCommand
from disputes.imports import RepairImporter


class Command(ImportCommand):
    importer = RepairImporter
