"""考核结果 workbook (excel-templates.md): the estate sheet, exactly per the template, and the
roll-up sheets of policy-defaults.md §3b. `write_results_sheet` is reusable: the allocation
workbook adds its own 考核结果 sheet with it."""

from __future__ import annotations

import io
from itertools import groupby

from django.core.files.base import ContentFile

from communities.choices import EstateCategory
from core import jobs
from core.spreadsheets.writer import Col, XlsxWriter, fitted, measure

from .choices import UnitLevel
from .models import CycleRun, EstateResult, UnitResult

RESULT_COLUMNS = [
    Col("区", "text", 10), Col("街道", "text", 16), Col("社区", "text", 16), Col("小区编码", "text", 12),
    Col("小区名称", "text", 20), Col("类别", "text", 16), Col("管理水平", "score"), Col("效能效果", "score"),
    Col("物业费收缴", "score"), Col("小区规模", "score"), Col("考核得分", "score"), Col("考核等级", "label", 10),
]
CATEGORY_LABELS = dict(EstateCategory.choices)


def current_results(year: int, user=None, district_ids=None):
    qs = EstateResult.objects.filter(year=year, is_current=True)
    if user is not None:
        qs = qs.visible_to(user)
    if district_ids is not None:
        qs = qs.filter(district_id__in=district_ids)
    return qs


def result_rows(year: int, user=None, district_ids=None):
    """Rows of the 考核结果 sheet in the order of the spec: official district and street codes
    (read ordered from the database: codes are ASCII), then community name and estate code in
    plain character order (sorted here, per street, so no database collation interferes)."""
    qs = current_results(year, user, district_ids).order_by("district__code", "street__code", "street_id").values_list(
        "district__name", "street__name", "community__name", "estate__code", "estate__name", "category",
        "management", "effectiveness", "fee", "size", "total", "grade", "street_id",
    )
    for _, group in groupby(qs.iterator(chunk_size=5000), key=lambda r: r[-1]):
        for row in sorted(group, key=lambda r: (r[2], r[3])):
            yield (*row[:5], CATEGORY_LABELS.get(row[5], row[5]), *row[6:12])


def write_results_sheet(workbook: XlsxWriter, year: int, *, user=None, district_ids=None, title: str | None = None,
                        name: str = "考核结果") -> int:
    """Add the 考核结果 sheet (one row per estate, assessed or not) to `workbook`; → row count."""
    ws = workbook.sheet(name, fitted(RESULT_COLUMNS, measure(current_results(year, user, district_ids))), title=title)
    n = 0
    for row in result_rows(year, user, district_ids):
        ws.row(list(row))
        n += 1
    return n


ROLLUP_SHEETS = [
    (UnitLevel.COMMUNITY, "社区汇总", [Col("区", "text", 10), Col("街道", "text", 16), Col("社区", "text", 16)]),
    (UnitLevel.STREET, "街道汇总", [Col("区", "text", 10), Col("街道", "text", 16)]),
    (UnitLevel.DISTRICT, "区汇总", [Col("区", "text", 10)]),
]
ROLLUP_TAIL = [
    Col("小区数", "int"), Col("参加考核数", "int"), Col("三星", "int"), Col("二星", "int"), Col("一星", "int"),
    Col("不达标", "int"), Col("未参加考核", "int"), Col("面积加权平均分", "score", 14), Col("排名", "int"),
]


def write_rollup_sheets(workbook: XlsxWriter, year: int, *, user=None, district_ids=None):
    for level, name, head in ROLLUP_SHEETS:
        ws = workbook.sheet(name, head + ROLLUP_TAIL)
        qs = UnitResult.objects.filter(year=year, is_current=True, level=level)
        if user is not None:
            qs = qs.visible_to(user)
        if district_ids is not None:
            qs = qs.filter(district_id__in=district_ids)
        rows = qs.values_list(
            "district__code", "street__code", "community__name", "district__name", "street__name",
            "estates", "assessed", "three_star", "two_star", "one_star", "fail", "not_assessed", "mean_score", "rank",
        )
        for r in sorted(rows, key=lambda r: (r[0], r[1] or "", r[2] or "")):
            names = [r[3], r[4], r[2]][: len(head)]
            ws.row([*names, *r[5:]])


def build_results_workbook(target, year: int, *, user=None, district_ids=None, rollups: bool = True) -> int:
    wb = XlsxWriter()
    n = write_results_sheet(wb, year, user=user, district_ids=district_ids, title=f"{year}年度老旧小区考核结果")
    if rollups:
        write_rollup_sheets(wb, year, user=user, district_ids=district_ids)
    wb.save(target)
    return n


@jobs.register("export_results")
def export_results_job(job, report):
    """The page's export: a Job (progress bar, download) over the user's scope."""
    year = int(job.params["year"])
    district_ids = job.params.get("district_ids")
    if not CycleRun.objects.filter(year=year, is_current=True).exists():
        raise jobs.JobRefused(f"{year}年度还没有考核结果。")
    report(0, 2, "正在生成……")
    buffer = io.BytesIO()
    n = build_results_workbook(buffer, year, user=job.created_by, district_ids=district_ids)
    job.output_file.save(f"results_{job.pk}.xlsx", ContentFile(buffer.getvalue()), save=False)
    type(job).objects.filter(pk=job.pk).update(output_file=job.output_file.name, output_name=f"{year}年度考核结果.xlsx")
    return {"rows": n}
