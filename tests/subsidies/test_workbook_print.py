"""The 补贴分配表 workbook printed as a finance bureau prints it: LibreOffice headless turns it into
a PDF (A4 landscape), and every cell's text must come out whole and apart from its neighbours —
a 12-digit 小区编码 or a 30-character 小区名称 cut off by, or run into, the next column fails.
(soffice and pdftotext are Debian's libreoffice-calc-nogui and poppler-utils; CI installs them.)"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from decimal import Decimal

import openpyxl
import pytest

from communities.models import Estate
from subsidies.exports import build_allocation_workbook

from .helpers import close_year, run_year, worked_example_inputs

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (shutil.which("soffice") and shutil.which("pdftotext")),
        reason="LibreOffice (soffice) and poppler-utils (pdftotext) are needed",
    ),
]

LONG_NAME = "梅园新村长江路东箭道碑亭巷大行宫太平北路总统府旁小区"  # 26 characters
LONG_NAME += "东区一期"  # 30


def shown_text(cell) -> str:
    """A cell's text as a spreadsheet shows it under its number format."""
    value = cell.value
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        fmt = cell.number_format
        if fmt == "#,##0.00":
            return f"{Decimal(str(value)):,.2f}"
        if fmt == "0.00":
            return f"{Decimal(str(value)):.2f}"
        return str(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def printed_words(xlsx, tmp_path) -> set[str]:
    """The PDF's words, as `pdftotext -layout` separates them (a cell run into its neighbour
    comes out as one word)."""
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(xlsx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = xlsx.with_suffix(".pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    return set(text.split())


def test_every_cell_of_the_workbook_prints_whole(world, tmp_path):
    city_admin = world.city_admin
    estate = Estate.objects.create(
        code="320102001001",
        name=LONG_NAME,
        community=world.communities["MY1"],
        building_area=Decimal("32600.50"),
        category="renovated",
        renovation_year=2017,
        management_mode="public_welfare",
    )
    worked_example_inputs(estate, world.meiyuan_clerk)
    run_year(2019, "city_admin")
    close_year(2019, city_admin)
    xlsx = tmp_path / "allocations.xlsx"
    build_allocation_workbook(xlsx, 2019)

    wb = openpyxl.load_workbook(xlsx)
    for ws in wb.worksheets:  # A4 landscape, one page wide
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        assert ws.page_setup.fitToWidth == 1
    words = printed_words(xlsx, tmp_path)
    assert "320102001001" in words and LONG_NAME in words  # the row is there, whole
    missing = [
        (ws.title, c.coordinate, shown_text(c))
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if shown_text(c) and shown_text(c) not in words
    ]
    assert not missing, missing
    assert not any(w.startswith("###") for w in words)  # no number too wide for its column
