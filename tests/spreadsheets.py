"""Building spreadsheet files in tests: good templates, bad ones, hostile ones."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl

ESTATE_HEADERS = [
    "小区编码",
    "小区名称",
    "区",
    "街道",
    "社区",
    "地址",
    "网格编码",
    "建成年份",
    "建筑面积(㎡)",
    "户数",
    "楼栋数",
    "类别",
    "整治完成年份",
    "管理模式",
    "物业服务企业",
]


def estate_row(
    code="XW0001",
    name="示例小区",
    district="玄武区",
    street="梅园新村街道",
    community="梅园社区",
    area="32600.50",
    category="已整治老旧小区",
    renovation_year=2017,
    mode="公益性物业托管",
    **extra,
):
    row = {
        "小区编码": code,
        "小区名称": name,
        "区": district,
        "街道": street,
        "社区": community,
        "地址": "长江路1号",
        "网格编码": "G-01",
        "建成年份": 1990,
        "建筑面积(㎡)": area,
        "户数": 430,
        "楼栋数": 12,
        "类别": category,
        "整治完成年份": renovation_year,
        "管理模式": mode,
        "物业服务企业": None,
    }
    row.update(extra)
    return row


def xlsx(
    path: Path,
    rows: list[dict],
    headers: list[str] | None = None,
    title: str | None = None,
    sheet="小区登记",
    number_formats: dict[str, str] | None = None,
) -> Path:
    """`number_formats`: header → Excel number format of that column's data cells (as a clerk
    would set it, e.g. "yyyy-mm-dd h:mm")."""
    headers = headers or list(rows[0].keys()) if rows else headers
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append([title])
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
        for c, h in enumerate(headers, start=1):
            if number_formats and h in number_formats:
                ws.cell(row=ws.max_row, column=c).number_format = number_formats[h]
    wb.save(path)
    return path


def xls(
    path: Path, rows: list[dict], headers: list[str] | None = None, number_formats: dict[str, str] | None = None
) -> Path:
    import xlwt

    headers = headers or list(rows[0].keys())
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("小区登记")
    styles = {h: xlwt.easyxf(num_format_str=f) for h, f in (number_formats or {}).items()}
    for c, h in enumerate(headers):
        ws.write(0, c, h)
    for r, row in enumerate(rows, start=1):
        for c, h in enumerate(headers):
            value = row.get(h)
            if value is not None:
                value = float(value) if h == "建筑面积(㎡)" and isinstance(value, str) else value
                if h in styles:
                    ws.write(r, c, value, styles[h])
                else:
                    ws.write(r, c, value)
    wb.save(str(path))
    return path


def zip_bomb(path: Path) -> Path:
    """A .xlsx-looking archive whose sheet declares gigabytes unpacked (zeros compress ~1000:1)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            chunk = b"0" * (1024 * 1024)
            for _ in range(256):  # 256 MiB declared, ~1000:1
                fh.write(chunk)
    return path


def encrypted_xlsx(path: Path, rows: list[dict]) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO()
    wb = openpyxl.Workbook()
    ws = wb.active
    headers = list(rows[0].keys())
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    wb.save(plain)
    plain.seek(0)
    office = OOXMLFile(plain)
    with open(path, "wb") as out:
        office.encrypt("secret", out)
    return path
