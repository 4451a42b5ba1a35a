"""Writing workbooks (excel-templates.md "Exports"), streaming with openpyxl's write-only mode.

Numbers are numeric cells in the formats the spec names; money is given in fen (int) and
written as yuan; text from user data never becomes a formula (= + - @ tab CR at the start stays
text, marked quotePrefix: FORMULA_LEADS); every sheet prints on A4 landscape with its header row
repeated, and freezes it on screen.
Data cells carry no border (the header row does): plain text and whole numbers then go in as
bare values, each styled kind's style is registered once per sheet, and formatted numbers reuse
one cell per column, which keeps a big export close to bare openpyxl write-only
(bench/workbook.py).

Column widths come from the content: a column's width fits its longest value — measured by the
caller for names and codes (`fitted`), the largest value the kind may hold otherwise (money up
to 亿) — and its header, which stays on one line (a header such as 补贴标准(元/㎡·年) wrapped
inside its unit; the headers are the spec's, so no line break is put into them). A CJK
character counts two widths; names are fitted up to 30 characters.
A workbook printed through LibreOffice shows every cell whole (tests/subsidies/test_workbook_print.py).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from copy import copy
from dataclasses import dataclass, replace
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
# "label": short text (a grade, a status) centred, so it never touches the number before it.
PLAIN_KINDS = ("text", "int")  # written as bare values (or a fresh text cell for "=…")
FORMATS = {
    "text": "@",
    "label": "@",
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
DEFAULT_WIDTHS = {
    "text": 14,
    "label": 8,
    "int": 8,
    "money": 16,
    "score": 10,
    "decimal2": 10,
    "area": 14,
    "rate": 10,
    "percent": 10,
    "date": 12,
    "datetime": 17,
}
# The widest value a kind holds when the caller did not measure it: money up to 亿 (a total of
# 999,999,999.99 yuan), areas up to 10 million m², scores and rates up to 100.00.
KIND_CONTENT = {
    "money": "999,999,999.99",
    "area": "9,999,999.99",
    "score": "100.00",
    "decimal2": "100.00",
    "rate": "100.00",
    "percent": "100.00",
    "int": "999999",
    "date": "2019-03-05",
    "datetime": "2019-03-05 00:00",
}
NAME_LIMIT = 60  # 30 CJK characters
PADDING = 2
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TITLE_FONT = Font(bold=True, size=14)
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def display_width(text) -> int:
    """Width of `text` in Excel's character units: a CJK (wide or full-width) character is two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


@dataclass(frozen=True)
class Col:
    header: str
    kind: str = "text"
    width: float | None = None  # a minimum, padding included
    content: int | None = None  # display width of the longest value, when measured

    def content_width(self) -> int:
        if self.content is not None:
            return min(self.content, NAME_LIMIT)
        if self.kind in KIND_CONTENT:
            return display_width(KIND_CONTENT[self.kind])
        return int((self.width or DEFAULT_WIDTHS.get(self.kind, 12)) - PADDING)

    def fitted_width(self) -> float:
        return max(self.width or 0, max(self.content_width(), display_width(self.header)) + PADDING)


# What a workbook of estates measures: header → (lookup from a row of the queryset, width of a
# character: names are Chinese, codes ASCII).
ESTATE_TEXT = {
    "区": ("district__name", 2),
    "街道": ("street__name", 2),
    "社区": ("community__name", 2),
    "小区编码": ("estate__code", 1),
    "小区名称": ("estate__name", 2),
}


def measure(queryset, lookups: dict[str, tuple[str, int]] = ESTATE_TEXT) -> dict[str, int]:
    """header → display width of the longest value in `queryset` (one aggregate query, before the
    rows are streamed)."""
    from django.db.models import Max
    from django.db.models.functions import Length

    found = queryset.order_by().aggregate(
        **{f"w{i}": Max(Length(lookup)) for i, (lookup, _) in enumerate(lookups.values())}
    )
    return {
        header: (found[f"w{i}"] or 0) * per_char
        for i, (header, (_, per_char)) in enumerate(lookups.items())
        if found[f"w{i}"]
    }


def fitted(columns: list[Col], longest: dict[str, object]) -> list[Col]:
    """The columns with their content widths from `longest` (header → the longest value, or its
    display width) — what a caller measured before streaming rows (a write-only sheet writes its
    column widths before the first row)."""
    out = []
    for col in columns:
        value = longest.get(col.header)
        if value is None:
            out.append(col)
        else:
            out.append(replace(col, content=value if isinstance(value, int) else display_width(value)))
    return out


class SheetWriter:
    def __init__(
        self, workbook: Workbook, name: str, columns: list[Col], title: str | None = None, subtitle: str | None = None
    ):
        self.ws = workbook.create_sheet(title=name[:31])
        self.columns = columns
        self._styles: dict = {}
        self._pool: dict = {}
        for i, col in enumerate(columns, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = col.fitted_width()
        self.ws.page_setup.orientation = "landscape"
        self.ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4  # write-only sheets lack the constant
        self.ws.page_setup.fitToWidth = 1
        self.ws.page_setup.fitToHeight = 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.ws.print_options.horizontalCentered = True
        header_row = 1 + bool(title) + bool(subtitle)
        self.header_row = header_row
        self.ws.print_title_rows = f"{header_row}:{header_row}"
        # Before the first row: a write-only sheet writes its view (the frozen pane) and its
        # column widths when the first row is appended — set afterwards, they were lost.
        self.ws.freeze_panes = f"A{header_row + 1}"
        if title:
            cell = WriteOnlyCell(self.ws, value=title)
            cell.font = TITLE_FONT
            self.ws.append([cell])
        if subtitle:
            self.ws.append([self._text(subtitle)])
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
        elif kind in ("text", "label"):
            text = str(value)
            if text.startswith(FORMULA_LEADS):
                return self._formula_text(text, bold)
            if kind == "text" and not bold:
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
            if kind == "label":
                probe.alignment = Alignment(horizontal="center")
            elif kind == "formula_text":
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
        elif kind == "label":
            value = str(value)
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
        if kind == "label":
            cell.data_type = "s"  # a label is text even when it looks like a formula
        return cell

    def total_row(self, values):
        self.row(values, bold=True)


class XlsxWriter:
    def __init__(self):
        self.workbook = Workbook(write_only=True)

    def sheet(
        self, name: str, columns: list[Col], title: str | None = None, subtitle: str | None = None
    ) -> SheetWriter:
        return SheetWriter(self.workbook, name, columns, title=title, subtitle=subtitle)

    def save(self, target):
        self.workbook.save(target)
