"""考核结果 workbook (excel-templates.md): the estate sheet, exactly per the template, and the
roll-up sheets of policy-defaults.md §3b. `write_results_sheet` is reusable: the allocation
workbook adds its own 考核结果 sheet with it."""

from __future__ import annotations

import io
from decimal import Decimal
from itertools import groupby

from communities.choices import EstateCategory
from core import jobs
from core.exports import save_file
from core.spreadsheets.writer import Col, XlsxWriter, fitted, measure

from .choices import InspectionSource, InspectionStatus, UnitLevel
from .models import CycleRun, EstateResult, Inspection, Scheme, UnitResult
from .services import scheme_item_names

RESULT_COLUMNS = [
    Col("区", "text", 10),
    Col("街道", "text", 16),
    Col("社区", "text", 16),
    Col("小区编码", "text", 12),
    Col("小区名称", "text", 20),
    Col("类别", "text", 16),
    Col("管理水平", "score"),
    Col("效能效果", "score"),
    Col("物业费收缴", "score"),
    Col("小区规模", "score"),
    Col("考核得分", "score"),
    Col("考核等级", "label", 10),
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
    qs = (
        current_results(year, user, district_ids)
        .order_by("district__code", "street__code", "street_id")
        .values_list(
            "district__name",
            "street__name",
            "community__name",
            "estate__code",
            "estate__name",
            "category",
            "management",
            "effectiveness",
            "fee",
            "size",
            "total",
            "grade",
            "street_id",
        )
    )
    for _, group in groupby(qs.iterator(chunk_size=5000), key=lambda r: r[-1]):
        for row in sorted(group, key=lambda r: (r[2], r[3])):
            yield (*row[:5], CATEGORY_LABELS.get(row[5], row[5]), *row[6:12])


def write_results_sheet(
    workbook: XlsxWriter, year: int, *, user=None, district_ids=None, title: str | None = None, name: str = "考核结果"
) -> int:
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
    Col("小区数", "int"),
    Col("参加考核数", "int"),
    Col("三星", "int"),
    Col("二星", "int"),
    Col("一星", "int"),
    Col("不达标", "int"),
    Col("未参加考核", "int"),
    Col("面积加权平均分", "score", 14),
    Col("排名", "int"),
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
            "district__code",
            "street__code",
            "community__name",
            "district__name",
            "street__name",
            "estates",
            "assessed",
            "three_star",
            "two_star",
            "one_star",
            "fail",
            "not_assessed",
            "mean_score",
            "rank",
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


def export_results_job(job, report):
    """The page's export: a Job (progress bar, download) over the user's scope."""
    year = int(job.params["year"])
    district_ids = job.params.get("district_ids")
    if not CycleRun.objects.filter(year=year, is_current=True).exists():
        raise jobs.JobRefused(f"{year}年度还没有考核结果。")
    report(0, 2, "正在生成……")
    buffer = io.BytesIO()
    n = build_results_workbook(buffer, year, user=job.created_by, district_ids=district_ids)
    save_file(job, buffer.getvalue(), f"{year}年度考核结果.xlsx", stored_as="results")
    return {"rows": n}


# --- 检查记录: the inspections of a year, one column per checklist item of the year's scheme ------------
INSPECTION_HEAD = [
    Col("区", "text", 10),
    Col("街道", "text", 16),
    Col("社区", "text", 16),
    Col("小区编码", "text", 12),
    Col("小区名称", "text", 20),
    Col("类别", "text", 16),
    Col("检查日期", "date"),
    Col("检查人", "text", 10),
    Col("检查类型", "text", 12),
    Col("状态", "text", 8),
]
SOURCE_LABELS = dict(InspectionSource.choices)
STATUS_LABELS = dict(InspectionStatus.choices)


def build_inspections_workbook(target, year: int, *, user=None, district_ids=None) -> int:
    """The 检查记录 sheet of `year`: one row per inspection in the user's scope; the item columns
    are the checklist items of the scheme in force for that year (all categories; an item
    outside an estate's checklist is empty), then 合计 and 备注. → row count."""
    items = scheme_item_names(Scheme.objects.for_year(year))
    columns = [
        *INSPECTION_HEAD,
        *(Col(name, "score") for name in items.values()),
        Col("合计", "score"),
        Col("备注", "text", 24),
    ]
    wb = XlsxWriter()
    ws = wb.sheet("检查记录", columns, title=f"{year}年度检查记录")
    qs = Inspection.objects.filter(year=year)
    if user is not None:
        qs = qs.visible_to(user)
    if district_ids is not None:
        qs = qs.filter(district_id__in=district_ids)
    qs = qs.order_by("district__code", "street__code", "street_id").values_list(
        "district__name",
        "street__name",
        "community__name",
        "estate__code",
        "estate__name",
        "estate__category",
        "date",
        "inspector_name",
        "source",
        "status",
        "scores",
        "total_tenths",
        "note",
        "id",
        "street_id",
    )
    n = 0
    for _, group in groupby(qs.iterator(chunk_size=5000), key=lambda r: r[-1]):
        # per street: community name, estate code, date in plain order (no database collation)
        for r in sorted(group, key=lambda r: (r[2], r[3], r[6], r[13])):
            scores = r[10] or {}
            ws.row(
                [
                    *r[:5],
                    CATEGORY_LABELS.get(r[5], r[5]),
                    r[6],
                    r[7],
                    SOURCE_LABELS.get(r[8], r[8]),
                    STATUS_LABELS.get(r[9], r[9]),
                    *(Decimal(scores[code]) if scores.get(code) not in (None, "") else None for code in items),
                    Decimal(r[11]) / 10,
                    r[12],
                ]
            )
            n += 1
    wb.save(target)
    return n


def export_inspections_job(job, report):
    """The inspection list's export: a Job over the user's scope for one year."""
    year = int(job.params["year"])
    report(0, 2, "正在生成……")
    buffer = io.BytesIO()
    n = build_inspections_workbook(buffer, year, user=job.created_by, district_ids=job.params.get("district_ids"))
    save_file(job, buffer.getvalue(), f"{year}年度检查记录.xlsx", stored_as="inspections")
    return {"rows": n}
