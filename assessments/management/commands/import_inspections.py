from assessments.imports import InspectionImporter
from core.imports import ImportCommand


class Command(ImportCommand):
    importer = InspectionImporter
