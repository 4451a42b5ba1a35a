"""Importing the spreadsheets of excel-templates.md: one framework for every template.

An importer declares its columns (header text, parser, required) and implements two bulk
steps: `validate(rows)` — checks against dictionaries of existing codes, one query per lookup,
never one per row — and `write(rows)`, which runs in one transaction only when no row has an
error. The same importer runs from the upload page (a Job, with a progress bar and the file
handed back marked) and from `manage.py import_<kind> FILE`.
"""

from .base import Column, Importer, ImportOutcome, Row, RowError
from .commands import ImportCommand
from .jobs import importer_for, register_importer
from .parsers import CellError

__all__ = [
    "CellError",
    "Column",
    "ImportCommand",
    "ImportOutcome",
    "Importer",
    "Row",
    "RowError",
    "importer_for",
    "register_importer",
]
