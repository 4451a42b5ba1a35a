from communities.imports import EstateImporter
from core.imports import ImportCommand


class Command(ImportCommand):
    importer = EstateImporter
