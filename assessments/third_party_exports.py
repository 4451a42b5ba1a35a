"""偏差分析 workbook (issue 19 point 3): `manage.py export_deviation YEAR --out FILE
[--district NAME]` and the deviation page's export (a Job over the user's scope)."""

from __future__ import annotations

import io

from core.exports import save_file
from core.spreadsheets.writer import Col, XlsxWriter

from .third_party import deviation_report

DEVIATION_COLUMNS = [
    Col("区", "text", 10),
    Col("街道", "text", 16),
    Col("对比小区数", "int"),
    Col("街道检查均分", "decimal2"),
    Col("第三方均分", "decimal2"),
    Col("平均差", "decimal2"),
    Col("偏高小区数", "int"),
    Col("是否偏高", "label"),
]


def build_deviation_workbook(target, year: int, *, user=None, district_ids=None) -> int:
    """The sheet 偏差分析: one row per street with at least one estate inspected by both the
    street and the third party (approved) in `year`, ordered by district and street code.
    Its header row is the first row (no title block). → row count."""
    wb = XlsxWriter()
    ws = wb.sheet("偏差分析", DEVIATION_COLUMNS)
    n = 0
    for row in deviation_report(year, user=user, district_ids=district_ids):
        ws.row(
            [
                row.district_name,
                row.street_name,
                row.compared,
                row.street_mean,
                row.third_party_mean,
                row.mean_difference,
                row.high_estates,
                "是" if row.flagged else "否",
            ]
        )
        n += 1
    wb.save(target)
    return n


def export_deviation_job(job, report):
    year = int(job.params["year"])
    report(0, 2, "正在生成……")
    buffer = io.BytesIO()
    n = build_deviation_workbook(buffer, year, user=job.created_by, district_ids=job.params.get("district_ids"))
    save_file(job, buffer.getvalue(), f"{year}年度偏差分析.xlsx", stored_as="deviation")
    return {"rows": n}
