"""The file handed back: the rows as read, bad cells highlighted, a 错误说明 column; and the
empty template with its instruction line."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

BAD_FILL = PatternFill("solid", fgColor="FFC7CE")
NOTE_FONT = Font(color="9C0006", bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _safe(ws, value):
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, str):
        # Control characters (a hostile or damaged cell) cannot be stored in XML: written the
        # way Excel writes them (_x0007_), so the file handed back still shows where they were.
        value = ILLEGAL_CHARACTERS_RE.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    elif isinstance(value, dt.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def write_marked_copy(importer, outcome, target) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=(importer.title + "_错误标注")[:31])
    headers = {c.key: c.header for c in importer.columns}
    width = max((len(r) for r in outcome.raw_rows), default=0)
    key_positions = outcome.column_index
    for number, cells in enumerate(outcome.raw_rows, start=1):
        cells = list(cells) + [None] * (width - len(cells))
        out = [_safe(ws, v) for v in cells]
        if number == outcome.header_row:
            for cell in out:
                cell.fill = HEADER_FILL
            note = WriteOnlyCell(ws, value="错误说明")
            note.font = NOTE_FONT
            out.append(note)
        elif number in outcome.bad_cells:
            messages = []
            for key, message in outcome.bad_cells[number]:
                position = key_positions.get(key)
                label = headers.get(key, "")
                messages.append(f"{label}：{message}" if label else message)
                if position is not None:
                    out[position].fill = BAD_FILL
                    out[position].comment = Comment(message, "老旧小区管理平台")
            note = WriteOnlyCell(ws, value="；".join(messages))
            note.data_type = "s"
            note.font = NOTE_FONT
            out.append(note)
        ws.append(out)
    wb.save(target)


def write_template(importer_cls, target) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=importer_cls.title[:31])
    instruction = (
        importer_cls.instructions or f"请从第 3 行起填写{importer_cls.title}，每行一条；带 * 的列必填。不要修改表头。"
    )
    ws.append([_safe(ws, instruction)])
    header = []
    for column in importer_cls.columns:
        cell = WriteOnlyCell(ws, value=column.header)
        cell.fill = HEADER_FILL
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        if column.note or column.required:
            cell.comment = Comment(("必填。" if column.required else "") + column.note, "老旧小区管理平台")
        header.append(cell)
    ws.append(header)
    wb.save(target)
