from assessments.imports import FeeRateImporter
from core.imports import ImportCommand


class Command(ImportCommand):
    importer = FeeRateImporter
