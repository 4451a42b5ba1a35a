"""Writing workbooks (excel-templates.md "Exports"), streaming with openpyxl's write-only mode.

Numbers are numeric cells in the formats the spec names; money is given in fen (int) and
written as yuan; text from user data never becomes a formula (= + - @ tab CR at the start stays
text, marked quotePrefix: FORMULA_LEADS); every sheet prints on A4 landscape with its header row
repeated, and freezes it on screen.
Data cells carry no border (the header row does): plain text and whole numbers then go in as
bare values, each styled kind's style is registered once per sheet, and formatted numbers reuse
one cell per column, which keeps a big export close to bare openpyxl write-only
(bench/workbook.py).
"""

from __future__ import annotations

import datetime as dt
from copy import copy
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.money import fen_to_yuan

# What a spreadsheet takes for the start of a formula (OWASP's CSV-injection list): such text is
# written with the quotePrefix style, Excel's own "text" apostrophe, so that it stays text when
# a user edits the cell or saves the sheet again (LibreOffice keeps it too).
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_KINDS = ("text", "int")  # written as bare values (or a fresh text cell for "=…")
FORMATS = {
    "text": "@",
    "int": "0",
    "money": "#,##0.00",
    "score": "0.00",
    "decimal2": "0.00",
    "area": "#,##0.00",
    "rate": "0.00",
    "percent": "0.00",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}
DEFAULT_WIDTHS = {"text": 14, "int": 8, "money": 16, "score": 10, "decimal2": 10, "area": 14, "rate": 10,
                  "percent": 10, "date": 12, "datetime": 17}
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TITLE_FONT = Font(bold=True, size=14)
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


@dataclass(frozen=True)
class Col:
    header: str
    kind: str = "text"
    width: float | None = None


class SheetWriter:
    def __init__(self, workbook: Workbook, name: str, columns: list[Col], title: str | None = None,
                 subtitle: str | None = None):
        self.ws = workbook.create_sheet(title=name[:31])
        self.columns = columns
        self._styles = {}
        self._pool = {}
        for i, col in enumerate(columns, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = col.width or max(
                DEFAULT_WIDTHS.get(col.kind, 12), len(col.header) * 2 + 2
            )
        self.ws.page_setup.orientation = "landscape"
        self.ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4  # write-only sheets lack the constant
        self.ws.page_setup.fitToWidth = 1
        self.ws.page_setup.fitToHeight = 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.ws.print_options.horizontalCentered = True
        header_row = 1
        if title:
            cell = WriteOnlyCell(self.ws, value=title)
            cell.font = TITLE_FONT
            self.ws.append([cell])
            header_row += 1
        if subtitle:
            self.ws.append([self._text(subtitle)])
            header_row += 1
        self.header_row = header_row
        self.ws.print_title_rows = f"{header_row}:{header_row}"
        self.ws.freeze_panes = f"A{header_row + 1}"
        header = []
        for col in columns:
            cell = WriteOnlyCell(self.ws, value=col.header)
            cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            header.append(cell)
        self.ws.append(header)

    def _text(self, value) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value=str(value))
        # openpyxl turns a string starting with "=" into a formula; user text must stay text.
        cell.data_type = "s"
        return cell

    def _formula_text(self, text: str, bold: bool) -> WriteOnlyCell:
        cell = self._text(text)
        cell._style = copy(self._style("formula_text", bold))
        return cell

    def _cell(self, value, kind: str, bold: bool = False):
        """One value as written. Plain data cells carry no border, so text that cannot become a
        formula and whole numbers go in as bare values (openpyxl's fast path); numbers with a
        format, formula-looking text and total rows are styled cells."""
        if value is None or value == "":
            if not bold:
                return None
            cell = WriteOnlyCell(self.ws, value=None)
        elif kind == "text":
            text = str(value)
            if text.startswith(FORMULA_LEADS):
                return self._formula_text(text, bold)
            if not bold:
                return text  # a str not starting with "=" is always a text cell in openpyxl
            cell = self._text(text)
        elif kind == "money":
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"money cells take whole fen (int), got {type(value).__name__}")
            cell = WriteOnlyCell(self.ws, value=fen_to_yuan(value))
        elif kind == "int":
            if not bold:
                return int(value)
            cell = WriteOnlyCell(self.ws, value=int(value))
        elif kind in ("date", "datetime"):
            if isinstance(value, dt.datetime) and value.tzinfo is not None:
                from django.utils import timezone

                value = timezone.localtime(value).replace(tzinfo=None)
            cell = WriteOnlyCell(self.ws, value=value)
        else:
            if isinstance(value, float):
                raise TypeError("float is not written; pass a Decimal")
            cell = WriteOnlyCell(self.ws, value=Decimal(value))
        cell._style = copy(self._style(kind, bold))
        return cell

    def _style(self, kind: str, bold: bool):
        """The style of a data cell of this kind, registered once per sheet: assigning border,
        format and font cell by cell hashes openpyxl's style objects every time, which costs
        several times the writing itself on a big sheet."""
        style = self._styles.get((kind, bold))
        if style is None:
            probe = WriteOnlyCell(self.ws)
            if kind == "formula_text":
                probe.number_format, probe.quotePrefix = "@", True
            elif kind not in ("text", "int"):
                probe.number_format = FORMATS.get(kind, "General")
            if bold:
                probe.font, probe.border = HEADER_FONT, BORDER
            style = self._styles[(kind, bold)] = probe._style
        return style

    def row(self, values, bold: bool = False):
        if bold:
            self.ws.append([self._cell(v, col.kind, True) for v, col in zip(values, self.columns, strict=False)])
            return
        cells = []
        for i, (value, col) in enumerate(zip(values, self.columns, strict=False)):
            cell = self._cell(value, col.kind) if col.kind in PLAIN_KINDS or value is None or value == "" else None
            if cell is None and value is not None and value != "":
                cell = self._pooled(i, col.kind, value)
            cells.append(cell)
        self.ws.append(cells)

    def _pooled(self, index: int, kind: str, value):
        """A formatted number or date in a cell reused for this column row after row: a row is
        written out as soon as it is appended, so one styled cell per column suffices."""
        if kind == "money":
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"money cells take whole fen (int), got {type(value).__name__}")
            value = fen_to_yuan(value)
        elif kind in ("date", "datetime"):
            if isinstance(value, dt.datetime) and value.tzinfo is not None:
                from django.utils import timezone

                value = timezone.localtime(value).replace(tzinfo=None)
        else:
            if isinstance(value, float):
                raise TypeError("float is not written; pass a Decimal")
            value = Decimal(value)
        pooled = self._pool.get(index)
        if pooled is None or pooled[0] != kind:
            cell = WriteOnlyCell(self.ws)
            cell._style = copy(self._style(kind, False))
            pooled = self._pool[index] = (kind, cell)
        cell = pooled[1]
        cell.value = value
        return cell

    def total_row(self, values):
        self.row(values, bold=True)


class XlsxWriter:
    def __init__(self):
        self.workbook = Workbook(write_only=True)

    def sheet(self, name: str, columns: list[Col], title: str | None = None, subtitle: str | None = None) -> SheetWriter:
        return SheetWriter(self.workbook, name, columns, title=title, subtitle=subtitle)

    def save(self, target):
        self.workbook.save(target)
