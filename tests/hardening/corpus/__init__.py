"""The hostile-upload corpus (恶意上传样本) of issue 8, built by code so that it can be regenerated
and so that the large cases never sit in the repository.

`build(directory)` writes every file-level case and returns {name: Case}. The row-level cases
(zero-width and control characters in codes, codes of another scope) depend on the importer's
columns; `rows_file(...)` writes them from a row dict. Run it by hand to look at the files:

    .venv/bin/python -m tests.hardening.corpus /tmp/corpus
"""

from __future__ import annotations

import io
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl


@dataclass(frozen=True)
class Case:
    name: str
    path: Path
    upload_name: str
    expected: str  # a fragment of the Chinese message the user must see
    description: str


# --- a minimal .xlsx written by hand (for what openpyxl will not write, and for speed) ----------
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
SHEET_OPEN = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _col(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def _cell(ref: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value}</v></c>'
    # Characters XML 1.0 cannot carry are written the way Excel does: _xHHHH_.
    text = "".join(f"_x{ord(ch):04X}_" if ord(ch) < 32 and ch not in "\t\n\r" else ch for ch in str(value))
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def _row_xml(number: int, values) -> str:
    return f'<row r="{number}">' + "".join(_cell(f"{_col(i)}{number}", v) for i, v in enumerate(values)) + "</row>"


def raw_xlsx(
    path: Path,
    rows,
    *,
    prolog: str = "",
    dimension: str | None = None,
    extra_parts: dict | None = None,
    row_chunks=None,
) -> Path:
    """Write rows (lists of values, or an iterator of them) straight into a sheet part,
    streaming: a million rows never sit in memory. `row_chunks` (an iterator of ready <row>
    XML strings) is the fast path for the huge cases."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        for name, data in (extra_parts or {}).items():
            archive.writestr(name, data)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + prolog + SHEET_OPEN).encode())
            if dimension:
                fh.write(f'<dimension ref="{dimension}"/>'.encode())
            fh.write(b"<sheetData>")
            buffer = []
            for number, values in enumerate(rows, start=1):
                buffer.append(_row_xml(number, values))
                if len(buffer) >= 5000:
                    fh.write("".join(buffer).encode())
                    buffer.clear()
            fh.write("".join(buffer).encode())
            for chunk in row_chunks or ():
                fh.write(chunk.encode())
            fh.write(b"</sheetData></worksheet>")
    return path


def rows_file(path: Path, headers: list[str], rows: list[dict]) -> Path:
    """The rows of a template (header line, then one line per dict) as a raw .xlsx."""
    return raw_xlsx(path, [headers, *([r.get(h) for h in headers] for r in rows)])


# --- the file-level cases ----------------------------------------------------------------------
BILLION_LAUGHS = (
    '<!DOCTYPE worksheet [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
    + "]>"
)
EXTERNAL_ENTITY = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
# A DTD may follow comments: one pushed past the first few kilobytes of the part.
LATE_DTD = "<!--" + "x" * 10000 + "-->" + EXTERNAL_ENTITY

MILLION = 1_000_000


def _million_chunks(n: int = MILLION, per_chunk: int = 20000):
    """Rows 2..n+1 (under a header row), as ready XML, a chunk at a time."""
    cell = '<row r="{0}"><c r="A{0}" t="inlineStr"><is><t>B{0:07d}</t></is></c><c r="B{0}"><v>1</v></c></row>'
    for start in range(2, n + 2, per_chunk):
        yield "".join([cell.format(i) for i in range(start, min(start + per_chunk, n + 2))])


def million_rows(path: Path, *, declared: bool) -> Path:
    return raw_xlsx(
        path,
        [["小区编码", "小区名称"]],
        dimension=f"A1:B{MILLION + 1}" if declared else None,
        row_chunks=_million_chunks(),
    )


def zip_bomb(path: Path, mib: int = 256) -> Path:
    """An .xlsx-looking archive whose sheet declares `mib` MiB unpacked (zeros: ~1000:1)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            chunk = b"0" * (1024 * 1024)
            for _ in range(mib):
                fh.write(chunk)
    return path


def macro_workbook(path: Path) -> Path:
    """A workbook carrying a VBA project (what Excel saves as .xlsm)."""
    return raw_xlsx(
        path, [["小区编码"], ["X1"]], extra_parts={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0fake-vba-project"}
    )


def encrypted(path: Path) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO()
    wb = openpyxl.Workbook()
    wb.active.append(["小区编码", "小区名称"])
    wb.active.append(["E1", "加密小区"])
    wb.save(plain)
    plain.seek(0)
    with open(path, "wb") as out:
        OOXMLFile(plain).encrypt("secret", out)
    return path


def build(directory: Path, *, large: bool = True) -> dict[str, Case]:
    """Write the file-level corpus into `directory`. `large` adds the million-row sheets."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    cases = [
        Case(
            "zip_bomb",
            zip_bomb(directory / "bomb.xlsx"),
            "bomb.xlsx",
            "压缩炸弹",
            "256 MiB of zeros declared, ~260 KB on disk",
        ),
        Case(
            "entity_expansion",
            raw_xlsx(directory / "laughs.xlsx", [["小区编码"], ["&lol9;"]], prolog=BILLION_LAUGHS),
            "laughs.xlsx",
            "不安全的 XML",
            "billion laughs: nine levels of ten entities in the sheet's DTD",
        ),
        Case(
            "external_entity",
            raw_xlsx(directory / "xxe.xlsx", [["小区编码"], ["&xxe;"]], prolog=EXTERNAL_ENTITY),
            "xxe.xlsx",
            "不安全的 XML",
            "an entity pointing at file:///etc/passwd",
        ),
        Case(
            "external_entity_late",
            raw_xlsx(directory / "xxe_late.xlsx", [["小区编码"], ["&xxe;"]], prolog=LATE_DTD),
            "xxe_late.xlsx",
            "不安全的 XML",
            "the same, its DTD after a 10 KB comment",
        ),
        Case(
            "corrupt_zip",
            _corrupt(directory / "corrupt.xlsx"),
            "corrupt.xlsx",
            "已损坏",
            "a valid workbook cut in half",
        ),
        Case(
            "macro_xlsm",
            macro_workbook(directory / "macro.xlsm"),
            "macro.xlsm",
            "含宏",
            "a workbook with xl/vbaProject.bin, named .xlsm",
        ),
        Case(
            "macro_renamed",
            macro_workbook(directory / "macro_renamed.xlsx"),
            "macro_renamed.xlsx",
            "宏",
            "the same workbook renamed .xlsx",
        ),
        Case(
            "encrypted",
            encrypted(directory / "encrypted.xlsx"),
            "encrypted.xlsx",
            "已加密",
            "an OOXML workbook with an open password (msoffcrypto-tool)",
        ),
    ]
    if large:
        cases += [
            Case(
                "million_rows_declared",
                million_rows(directory / "million.xlsx", declared=True),
                "million.xlsx",
                "超过上限",
                "1,000,000 rows, the sheet's dimension declares them",
            ),
            Case(
                "million_rows_undeclared",
                million_rows(directory / "million_nodim.xlsx", declared=False),
                "million_nodim.xlsx",
                "超过上限",
                "1,000,000 rows without a dimension (counted while streaming)",
            ),
        ]
    return {c.name: c for c in cases}


def _corrupt(path: Path) -> Path:
    whole = raw_xlsx(path.with_suffix(".whole.xlsx"), [["小区编码"], ["C1"]])
    data = whole.read_bytes()
    whole.unlink()
    path.write_bytes(data[: len(data) // 2])
    return path


def main(argv=None):  # pragma: no cover - by hand
    argv = sys.argv[1:] if argv is None else argv
    target = Path(argv[0] if argv else "corpus-out")
    for case in build(target).values():
        print(f"{case.name:26} {case.path.stat().st_size:>12,} B  {case.description}")
