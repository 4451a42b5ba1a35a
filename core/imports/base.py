"""The importer: find the header, parse every cell, validate in bulk, write all or nothing."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.conf import settings
from django.db import transaction

from core.permissions import can
from core.spreadsheets.reader import FileRefused, open_rows
from core.text import normalise_header

from .parsers import CellError

HEADER_SEARCH_ROWS = 30


@dataclass
class Column:
    """One column of a template: its key in code, its header text, how a cell is read.

    required: an empty cell is an error (and the header must be present).
    header_required: the header must be present even if cells may be empty (defaults to
    `required`). aliases: other header texts accepted. default: the value of an empty cell.
    """

    key: str
    header: str
    parse: Callable[[Any], Any] = str
    required: bool = False
    header_required: bool | None = None
    aliases: tuple[str, ...] = ()
    default: Any = None
    note: str = ""

    @property
    def needs_header(self) -> bool:
        return self.required if self.header_required is None else self.header_required

    def matches(self, normalised: str) -> bool:
        return normalised in {normalise_header(h) for h in (self.header, *self.aliases)}


@dataclass
class RowError:
    sheet: str
    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}

    def __str__(self):
        where = f"第 {self.row} 行" if self.row else "文件"
        column = f"「{self.column}」" if self.column else ""
        return f"{self.sheet} {where}{column}：{self.message}"


@dataclass
class Row:
    number: int
    values: dict[str, Any]
    raw: tuple
    importer: Importer = field(repr=False)
    errors: list[tuple[str, str]] = field(default_factory=list)

    def error(self, key: str, message: str) -> None:
        """Record that the cell of column `key` (or '' for the row) is wrong."""
        self.errors.append((key, message))

    @property
    def ok(self) -> bool:
        return not self.errors

    def __getitem__(self, key):
        return self.values.get(key)


@dataclass
class ImportOutcome:
    ok: bool
    counts: dict = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    rows_read: int = 0
    sheet_title: str = ""
    # What the marked copy needs: every row as read (title rows included) and the bad cells.
    raw_rows: list[tuple] = field(default_factory=list, repr=False)
    header_row: int | None = None
    column_index: dict[str, int] = field(default_factory=dict, repr=False)
    bad_cells: dict[int, list[tuple[str, str]]] = field(default_factory=dict, repr=False)

    @property
    def summary(self) -> str:
        if self.ok:
            parts = [
                f"{label} {self.counts[key]} 条"
                for key, label in (("created", "新增"), ("updated", "更新"), ("unchanged", "未变"))
                if key in self.counts
            ]
            return f"导入成功：共 {self.rows_read} 行，" + "，".join(parts) + "。"
        return f"文件中有 {len(self.errors)} 处错误，未导入任何数据。请改正后重新导入。"


class Importer:
    """Subclass per template; see core/imports/__init__.py."""

    kind: ClassVar[str]
    title: ClassVar[str]
    key_header: ClassVar[str] = "小区编码"
    instructions: ClassVar[str] = ""
    write_action: ClassVar[str]
    columns: ClassVar[list[Column]]
    sheet_name_for_errors: ClassVar[str] = ""

    def __init__(self, user):
        self.user = user

    # --- to implement ----------------------------------------------------------------------
    def validate(self, rows: list[Row]) -> None:
        """Bulk checks across rows and against the database; call row.error(key, message)."""

    def write(self, rows: list[Row]) -> dict:  # pragma: no cover - every importer implements it
        raise NotImplementedError

    # --- helpers for subclasses --------------------------------------------------------------
    def file_error(self, message: str) -> None:
        """Record a fault of the whole file that only the rows reveal (validate): e.g. a column
        that the file's rows need although the template does not always require it."""
        self._file_errors.append(message)

    @staticmethod
    def flag_duplicates(rows: list[Row], key: str, message: str = "与第 {first} 行重复。") -> None:
        first_seen: dict[Any, int] = {}
        for row in rows:
            value = row.values.get(key)
            if value is None:
                continue
            if value in first_seen:
                row.error(key, message.format(first=first_seen[value]))
            else:
                first_seen[value] = row.number

    # --- the run -----------------------------------------------------------------------------
    @property
    def sheet_label(self) -> str:
        return self.sheet_name_for_errors or self.title

    def run(self, path: str | os.PathLike, filename: str, report: Callable | None = None) -> ImportOutcome:
        """Read, parse and validate every row; write only if every row is good."""
        outcome = ImportOutcome(ok=False, sheet_title=self.sheet_label)
        if not can(self.user, self.write_action):
            outcome.errors.append(RowError(self.sheet_label, None, "", "您没有导入此类数据的权限。"))
            return outcome
        try:
            rows = self._read(path, filename, outcome, report)
        except FileRefused as exc:
            outcome.errors = [RowError(self.sheet_label, None, "", str(exc))]
            return outcome
        if outcome.errors:
            return outcome
        if not rows:
            outcome.errors.append(RowError(self.sheet_label, None, "", "表头下方没有数据行。"))
            return outcome
        if report:
            report(1, 3, "正在校验……")
        self.present_columns = set(outcome.column_index)
        self._file_errors: list[str] = []
        self.validate([r for r in rows])
        outcome.errors.extend(RowError(self.sheet_label, None, "", message) for message in self._file_errors)
        self._collect_errors(rows, outcome)
        if outcome.errors:
            return outcome
        if report:
            report(2, 3, "正在写入……")
        with transaction.atomic():
            outcome.counts = self.write(rows) or {}
        outcome.ok = True
        return outcome

    def _read(self, path, filename, outcome: ImportOutcome, report) -> list[Row]:
        key = normalise_header(self.key_header)
        header_at = None
        index: dict[str, int] = {}
        rows: list[Row] = []
        max_rows = settings.IMPORT_MAX_ROWS
        for sheet_row in open_rows(path, filename, max_rows=max_rows):
            outcome.raw_rows.append(sheet_row.cells)
            if header_at is None:
                normalised = [normalise_header(c) for c in sheet_row.cells]
                if key in normalised:
                    header_at = sheet_row.number
                    outcome.header_row = header_at
                    index = self._map_columns(normalised, outcome)
                    if outcome.errors:
                        return []
                elif sheet_row.number >= HEADER_SEARCH_ROWS:
                    break
                continue
            cells = sheet_row.cells
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            if len(rows) >= max_rows:
                raise FileRefused(
                    f"数据行数超过上限（每个文件最多 {max_rows:,} 行），已拒绝。请拆分为多个文件后分别导入。"
                )
            rows.append(self._parse_row(sheet_row.number, cells, index))
        if header_at is None:
            outcome.errors.append(
                RowError(
                    self.sheet_label,
                    None,
                    "",
                    f"未找到表头行：第一个工作表的前 {HEADER_SEARCH_ROWS} 行中没有“{self.key_header}”列。请使用模板。",
                )
            )
        outcome.column_index = index
        outcome.rows_read = len(rows)
        return rows

    def _map_columns(self, normalised: list[str], outcome: ImportOutcome) -> dict[str, int]:
        index = {}
        missing = []
        for column in self.columns:
            position = next((i for i, h in enumerate(normalised) if h and column.matches(h)), None)
            if position is None:
                if column.needs_header:
                    missing.append(column.header)
            else:
                index[column.key] = position
        if missing:
            outcome.errors.append(
                RowError(
                    self.sheet_label, None, "", "缺少必需的列：" + "、".join(missing) + "。请检查表头是否与模板一致。"
                )
            )
        return index

    def _parse_row(self, number: int, cells: tuple, index: dict[str, int]) -> Row:
        row = Row(number=number, values={}, raw=cells, importer=self)
        for column in self.columns:
            position = index.get(column.key)
            raw = cells[position] if position is not None and position < len(cells) else None
            if isinstance(raw, str) and not raw.strip():
                raw = None
            if raw is None:
                if column.required:
                    row.error(column.key, "必填，不能为空。")
                row.values[column.key] = column.default
                continue
            try:
                row.values[column.key] = column.parse(raw)
            except CellError as exc:
                row.values[column.key] = None
                row.error(column.key, str(exc))
            if row.values[column.key] is None and column.required and not any(k == column.key for k, _ in row.errors):
                row.error(column.key, "必填，不能为空。")
        return row

    def _collect_errors(self, rows: list[Row], outcome: ImportOutcome) -> None:
        headers = {c.key: c.header for c in self.columns}
        for row in rows:
            if row.errors:
                outcome.bad_cells[row.number] = row.errors
                for key, message in row.errors:
                    outcome.errors.append(RowError(self.sheet_label, row.number, headers.get(key, ""), message))

    # --- templates ---------------------------------------------------------------------------
    @classmethod
    def template_headers(cls) -> list[str]:
        return [c.header for c in cls.columns]
