"""Excel export of the unit assessment (三级考核) of a year: one worksheet per level, the sheets the
requester may read, each unit with its items, total and rank. A Job (kind export_unit_assessment)."""

from __future__ import annotations

from django.http import QueryDict
from django.utils import timezone

from core import exports
from core.exports import Export
from core.models import Job
from core.spreadsheets.writer import Col, XlsxWriter

from .choices import UnitLevel
from .unit_assessment import parse_key, sheet_visible
from .unit_models import UnitSheet

COLUMNS = [
    Col("序号", "int", 7),
    Col("考核单位", "text", 14),
    Col("区", "text", 10),
    Col("街道", "text", 14),
    Col("被考核单位", "text", 18),
    Col("老旧小区考核结果", "score", 12),
    Col("矛盾纠纷处理", "score", 12),
    Col("人员配备", "score", 10),
    Col("管理覆盖", "score", 10),
    Col("日常工作", "score", 10),
    Col("总分", "score", 10),
    Col("排名", "int", 7),
    Col("日常工作评价", "text", 30),
    Col("面积加权平均分", "score", 12),
    Col("受理纠纷", "int", 9),
    Col("调解成功", "int", 9),
    Col("计入人数", "int", 9),
    Col("标准最少人数", "int", 10),
    Col("小区数", "int", 8),
    Col("无覆盖缺口小区数", "int", 14),
    Col("签批", "text", 24),
]


def visible_sheets(user, year: int):
    out = []
    for sheet in (
        UnitSheet.objects.filter(year=year)
        .select_related("district", "street", "signed_off_by")
        .order_by("level", "sheet_key")
    ):
        parsed = parse_key(sheet.sheet_key)
        if parsed and sheet_visible(user, *parsed):
            out.append(sheet)
    return out


def write(wb: XlsxWriter, user, params: QueryDict, report) -> int:
    year = int(params.get("year") or 0)
    sheets = visible_sheets(user, year)
    written = 0
    for level in (UnitLevel.DISTRICT, UnitLevel.STREET, UnitLevel.COMMUNITY):
        mine = [s for s in sheets if s.level == level]
        if not mine:
            continue
        ws = wb.sheet(
            f"{level.label}考核",
            COLUMNS,
            title=f"{year}年度{level.label}级单位考核结果",
            subtitle="依据宁政办发〔2017〕215号 九；各项得分保留两位小数（四舍五入），总分为各项之和；排名在同一考核表内。",
        )
        i = 0
        for sheet in mine:
            signed = (
                (
                    f"{sheet.signed_off_by.full_name or sheet.signed_off_by.username} "
                    f"{timezone.localtime(sheet.signed_off_at):%Y-%m-%d %H:%M}"
                )
                if sheet.is_signed_off
                else "未签批"
            )
            for s in sheet.scores.select_related("district", "street", "community").order_by("rank", "id"):
                i += 1
                ws.row(
                    [
                        i,
                        sheet.assessor_name,
                        s.district.name,
                        s.street.name if s.street else "",
                        s.unit.name,
                        s.estate_score,
                        s.dispute_score,
                        s.staffing_score,
                        s.coverage_score,
                        s.daily_score,
                        s.total,
                        s.rank,
                        s.daily_comment,
                        s.mean_score,
                        s.disputes_received,
                        s.disputes_resolved,
                        s.staff_counted,
                        s.staff_minimum,
                        s.estates,
                        s.estates_covered,
                        signed,
                    ]
                )
        written += i
    report(1, 1)
    return written


EXPORT = Export("单位考核结果", write, unit="个单位", filename=lambda params: f"单位考核结果_{params.get('year')}")


def start_export(user, year: int) -> Job:
    return exports.start_export(user, "unit_assessment", f"year={year}", title=f"导出{year}年度单位考核结果")
