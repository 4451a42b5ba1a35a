"""Excel exports of the organisation reports (人员配备达标情况, 管理覆盖情况), each a Job: the task
gets only the id; the chosen district or street travels as the page's query string."""

from __future__ import annotations

from django.http import QueryDict

from communities.coverage import RULES, findings, summary
from communities.models import Estate
from core.exports import Export, register_exports, start_export  # noqa: F401 - start_export: the pages start them here
from core.spreadsheets.writer import Col, XlsxWriter

from .choices import UnitLevel
from .compliance import compliance_report
from .views_common import report_scope

COMPLIANCE_COLUMNS = [
    Col("序号", "int", 7),
    Col("层级", "text", 8),
    Col("区", "text", 12),
    Col("街道", "text", 16),
    Col("单位", "text", 20),
    Col("辖区住宅小区数", "int", 12),
    Col("配备标准", "text", 12),
    Col("最少人数", "int", 9),
    Col("最多人数", "int", 9),
    Col("计入人数（专职）", "int", 12),
    Col("兼职人数（不计入）", "int", 14),
    Col("分管副主任", "text", 10),
    Col("缺编人数", "int", 9),
    Col("超出人数", "int", 9),
    Col("结论", "text", 12),
    Col("备注", "text", 24),
]
SUMMARY_COLUMNS = [
    Col("层级", "text", 8),
    Col("单位数", "int"),
    Col("达标", "int"),
    Col("缺编单位", "int"),
    Col("缺编人数", "int"),
    Col("超出单位", "int"),
    Col("应配最少人数", "int", 12),
    Col("计入人数", "int"),
    Col("兼职人数", "int"),
    Col("未配分管副主任", "int", 14),
    Col("住宅小区数未填报", "int", 16),
]


def write_compliance(wb: XlsxWriter, user, params: QueryDict, report) -> int:
    district, street = report_scope(user, params)
    rep = compliance_report(user, district, street, with_communities=params.get("communities") == "1" or None)
    subtitle = f"统计日期：{rep.day.year}年{rep.day.month}月{rep.day.day}日；计入专职人员，兼职和分管副主任不计入。"
    sheet = wb.sheet("汇总", SUMMARY_COLUMNS, title=rep.title, subtitle=subtitle)
    for s in rep.summary:
        sheet.row(
            [
                s["level"],
                s["units"],
                s["meeting"],
                s["short"],
                s["missing"],
                s["excess"],
                s["required"],
                s["counted"],
                s["part_time"],
                s["no_deputy"],
                s["unrecorded"],
            ]
        )
    sheet = wb.sheet("明细", COMPLIANCE_COLUMNS, title=rep.title, subtitle=subtitle)
    for i, r in enumerate(rep.rows, start=1):
        note = "" if r.estate_count_recorded else "辖区住宅小区总数未填报，按登记老旧小区数"
        sheet.row(
            [
                i,
                r.level_label,
                r.district.name,
                r.street.name if r.street else "",
                r.unit.name,
                r.estate_count if r.level == UnitLevel.STREET else None,
                r.range_label,
                r.minimum,
                r.maximum,
                r.counted,
                r.part_time,
                r.deputy_label,
                r.gap,
                r.excess,
                r.status,
                note,
            ]
        )
    report(1, 1)
    return len(rep.rows)


def write_coverage(wb: XlsxWriter, user, params: QueryDict, report) -> int:
    district, street = report_scope(user, params)
    estates = coverage_estates(user, district, street)
    found = findings(estates)
    cols = [Col("区", "text", 12), Col("小区数", "int"), Col("覆盖小区数", "int"), Col("存在问题小区数", "int", 14)] + [
        Col(label, "int", 16) for label in RULES.values()
    ]
    for key, name in (("district", "按区"), ("street", "按街道")):
        header = cols if key == "district" else [Col("街道", "text", 16)] + cols
        sheet = wb.sheet(name, header, title="物业管理覆盖情况")
        for row in summary(estates, key):
            unit = row["unit"]
            lead = [unit.name] if key == "district" else [unit.name, unit.district.name]
            sheet.row(lead + [row["estates"], row["covered"], row["estates_flagged"]] + [row[r] for r in RULES])
    sheet = wb.sheet(
        "问题小区",
        [
            Col("序号", "int", 7),
            Col("区", "text", 10),
            Col("街道", "text", 14),
            Col("社区", "text", 14),
            Col("小区编码", "text", 12),
            Col("小区名称", "text", 18),
            Col("类别", "text", 14),
            Col("管理模式", "text", 14),
            Col("问题", "text", 40),
            Col("说明", "text", 40),
        ],
        title="物业管理覆盖问题小区清单",
    )
    for i, f in enumerate(found, start=1):
        e = f.estate
        sheet.row(
            [
                i,
                e.district.name,
                e.street.name,
                e.community.name,
                e.code,
                e.name,
                e.get_category_display(),
                e.get_management_mode_display(),
                "；".join(f.labels),
                "；".join(f.notes),
            ]
        )
    report(1, 1)
    return len(found)


def coverage_estates(user, district=None, street=None):
    qs = Estate.objects.visible_to(user)
    if street is not None:
        qs = qs.filter(street=street)
    elif district is not None:
        qs = qs.filter(district=district)
    return qs


EXPORTS = {
    "staffing_compliance": Export("人员配备达标情况", write_compliance),
    "staffing_coverage": Export("物业管理覆盖情况", write_coverage),
}
