from core.imports import ImportCommand
from disputes.imports import DisputeImporter


class Command(ImportCommand):
    importer = DisputeImporter
