"""Formula-looking text (issue 14, point 5): written with the quotePrefix style, so it stays text
when a person edits the cell or saves the workbook again — checked by a round trip through
LibreOffice headless — and a leading tab or CR in an imported text cell is refused, not
stripped into a live "=1+1"."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from core.imports.parsers import CellError, text
from core.spreadsheets.writer import Col, XlsxWriter

HOSTILE = ["=1+1", "+1+1", "-1+1", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


def write(path):
    writer = XlsxWriter()
    sheet = writer.sheet("数据", [Col("备注"), Col("序号", "int")])
    for i, value in enumerate(HOSTILE + ["普通文字"], start=1):
        sheet.row([value, i])
    sheet.total_row(["=SUM(B1:B9)", 99])
    writer.save(path)


def text_cells(path, attribute="quotePrefix"):
    ws = load_workbook(path).worksheets[0]
    return [(c.value, c.data_type, getattr(c, attribute)) for (c,) in ws.iter_rows(min_col=1, max_col=1) if c.value]


def test_formula_looking_text_is_written_with_quote_prefix(tmp_path):
    path = tmp_path / "out.xlsx"
    write(path)
    cells = {value: (kind, quoted) for value, kind, quoted in text_cells(path)}
    for value in HOSTILE + ["=SUM(B1:B9)"]:
        assert cells[value] == ("s", True), value
    assert cells["普通文字"] == ("s", False)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_the_text_survives_a_round_trip_through_libreoffice(tmp_path):
    source = tmp_path / "source.xlsx"
    write(source)
    profile = f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}"
    for target in ("xlsx", "csv"):
        out = tmp_path / target
        subprocess.run(
            ["soffice", profile, "--headless", "--convert-to", target, "--outdir", str(out), str(source)],
            check=True,
            capture_output=True,
            timeout=180,
        )
    # Saved again by LibreOffice: still text cells, in the Text format "@" that LibreOffice keeps
    # for a quote-prefixed cell (what is typed into such a cell stays text). Before, "+1+1" came
    # back as a General cell, which an edit turns into a formula.
    saved = tmp_path / "xlsx" / "source.xlsx"
    cells = {value: (kind, fmt) for value, kind, fmt in text_cells(saved, "number_format")}
    for value in HOSTILE + ["=SUM(B1:B9)"]:
        assert cells.get(value) == ("s", "@"), (value, cells.get(value))
    assert cells["普通文字"] == ("s", "General")
    # As CSV: the text as typed, not the formula's result.
    csv_text = (tmp_path / "csv" / "source.csv").read_text("utf-8", errors="replace")
    for value in ["=1+1", "+1+1", "-1+1", "@SUM(A1:A2)"]:
        assert value in csv_text
    assert "\n2," not in csv_text and "\n0," not in csv_text


def test_a_leading_tab_or_cr_in_an_imported_text_cell_is_refused():
    parse = text(100)
    for raw in ("\t=1+1", "\r=1+1", "\r\n@SUM(A1)"):
        with pytest.raises(CellError, match="制表符或回车"):
            parse(raw)
    with pytest.raises(CellError, match="控制字符"):
        parse("梅园\x00小区")
    assert parse("=1+1") == "=1+1"  # stored as typed; every export writes it as text
    assert parse(" 梅园新村 ") == "梅园新村"
