"""补贴分配表 workbook (excel-templates.md): 汇总, 管理扶持明细, 整治扶持明细, 考核结果, and —
when some payee is a contracted firm — 收款合同, and — when a year has adjustments — 调整明细. Streaming (openpyxl write-only through
core.spreadsheets.writer): rows are read in chunks and totals are summed on the way, so memory
stays flat whatever the number of estates.

From the command line every district is there in whatever state its sheet is. In the UI each
role gets what it may see: a finance role's workbook lists a district whose sheet is not
approved in 汇总 with its 状态 and no amounts, and leaves its rows out of the detail sheets.
"""

from __future__ import annotations

import os
import tempfile
from decimal import Decimal
from itertools import groupby

from accounts.choices import FINANCE_ROLES
from assessments.exports import write_results_sheet
from assessments.models import CycleRun
from core import jobs
from core.exports import save_file
from core.scoping import restrict
from core.spreadsheets.writer import Col, XlsxWriter, fitted, measure

from .choices import PolicyKind, SheetKind, SheetStatus
from .models import Allocation, AllocationSheet

SUMMARY_COLUMNS = [
    Col("区", "text", 10),
    Col("状态", "label", 12),
    Col("小区数", "int"),
    Col("建筑面积(㎡)", "area", 16),
    Col("管理扶持金额(元)", "money"),
    Col("整治扶持金额(元)", "money"),
    Col("合计金额(元)", "money"),
    Col("市级承担(元)", "money"),
    Col("区级承担(元)", "money"),
]
MANAGEMENT_COLUMNS = [
    Col("序号", "int", 7),
    Col("区", "text", 10),
    Col("街道", "text", 16),
    Col("社区", "text", 16),
    Col("小区编码", "text", 12),
    Col("小区名称", "text", 20),
    Col("建筑面积(㎡)", "area"),
    Col("考核得分", "score"),
    Col("考核等级", "label", 10),
    Col("补贴标准(元/㎡·年)", "rate"),
    Col("补贴金额(元)", "money"),
    Col("市级承担(元)", "money"),
    Col("区级承担(元)", "money"),
]
STARTUP_COLUMNS = [
    Col("序号", "int", 7),
    Col("区", "text", 10),
    Col("街道", "text", 16),
    Col("社区", "text", 16),
    Col("小区编码", "text", 12),
    Col("小区名称", "text", 20),
    Col("整治完成年份", "int", 12),
    Col("建筑面积(㎡)", "area"),
    Col("扶持总额(元)", "money"),
    Col("本年批次", "int"),
    Col("本年金额(元)", "money"),
    Col("市级承担(元)", "money"),
    Col("区级承担(元)", "money"),
]
ADJUSTMENT_COLUMNS = [
    Col("序号", "int", 7),
    Col("区", "text", 10),
    Col("调整版本", "int", 9),
    Col("状态", "label", 12),
    Col("街道", "text", 16),
    Col("社区", "text", 16),
    Col("小区编码", "text", 12),
    Col("小区名称", "text", 20),
    Col("扶持类型", "text", 14),
    Col("原审核金额(元)", "money"),
    Col("调整后金额(元)", "money"),
    Col("补拨/追回", "label", 10),
    Col("差额(元)", "money"),
    Col("市级差额(元)", "money"),
    Col("区级差额(元)", "money"),
]
# Not one of the spec's sheets (excel-templates.md fixes their columns, so the contract cannot go
# there as a column): written after 考核结果 when some listed row is paid to a contracted firm.
CONTRACT_COLUMNS = [
    Col("序号", "int", 7),
    Col("区", "text", 10),
    Col("街道", "text", 16),
    Col("社区", "text", 16),
    Col("小区编码", "text", 12),
    Col("小区名称", "text", 20),
    Col("扶持类型", "text", 14),
    Col("本年金额(元)", "money"),
    Col("收款单位", "text", 24),
    Col("依据合同", "text", 48),
    Col("确定依据", "text", 40),
]
STATUS_LABELS = dict(SheetStatus.choices)
KIND_LABELS = dict(PolicyKind.choices)


class NoAllocations(Exception):
    """The year was never run: there is nothing to export (the message is for the user)."""


def _title(year: int, name: str, draft: bool, district: str = "") -> str:
    """The title row; a one-district workbook names its district (玄武区2019年度…)."""
    return f"{district}{year}年度老旧小区扶持资金{name}" + ("（草稿）" if draft else "")


def district_label(district_ids) -> str:
    """The district's name when the workbook is of one district, else ""."""
    if district_ids and len(district_ids) == 1:
        from communities.models import District

        return District.objects.filter(pk=district_ids[0]).values_list("name", flat=True).first() or ""
    return ""


def sheets_for(year: int, user=None, district_ids=None):
    """The year's original sheets (version 1) the workbook lists, with whether their amounts may
    be shown to `user` (a finance role: only approved ones)."""
    qs = AllocationSheet.objects.filter(year=year, version=1)
    if user is not None:
        qs = restrict(qs, user)
    if district_ids is not None:
        qs = qs.filter(district_id__in=district_ids)
    finance = user is not None and getattr(user, "role", None) in FINANCE_ROLES
    out = []
    for s in qs.select_related("district").order_by("district__code"):
        out.append((s, not finance or s.status == SheetStatus.APPROVED))
    return out


def _detail_rows(sheet_ids, kind: str):
    """Allocation rows of the sheets, in the spec's order: official district and street codes
    (ASCII, ordered by the database), then community name and estate code in plain character
    order (sorted per street here, so no collation interferes)."""
    qs = (
        Allocation.objects.filter(sheet_id__in=sheet_ids, kind=kind)
        .order_by("district__code", "street__code", "street_id")
        .values_list(
            "district__name",
            "street__name",
            "community__name",
            "estate__code",
            "estate__name",
            "area",
            "score",
            "grade",
            "rate",
            "renovation_year",
            "tranche",
            "grant_total_fen",
            "amount_fen",
            "city_fen",
            "district_fen",
            "street_id",
        )
    )
    for _, group in groupby(qs.iterator(chunk_size=5000), key=lambda r: r[-1]):
        yield from sorted(group, key=lambda r: (r[2], r[3]))


def build_allocation_workbook(target, year: int, *, user=None, district_ids=None, report=None) -> dict:
    """Write the workbook to `target` (a path or a binary file); → counts for the summary."""
    if (
        not CycleRun.objects.filter(year=year, is_current=True).exists()
        or not AllocationSheet.objects.filter(year=year).exists()
    ):
        raise NoAllocations(f"{year}年度还没有考核计分结果，无法生成补贴分配表。请先完成该年度的考核计分。")
    listed = sheets_for(year, user, district_ids)
    shown = [s for s, ok in listed if ok]
    shown_ids = [s.pk for s in shown]
    any_draft = any(s.status != SheetStatus.APPROVED for s in shown)
    district = district_label(district_ids)
    report = report or (lambda *a, **k: None)
    wb = XlsxWriter()

    # 汇总
    ws = wb.sheet("汇总", SUMMARY_COLUMNS, title=_title(year, "分配汇总表", any_draft, district))
    totals = [0, 0, 0, 0, 0, 0]
    area_total = Decimal("0.00")
    for s, ok in listed:
        if not ok:
            ws.row([s.district.name, STATUS_LABELS[s.status]])
            continue
        values = [s.estates, s.management_fen, s.startup_fen, s.total_fen, s.city_fen, s.district_fen]
        ws.row([s.district.name, STATUS_LABELS[s.status], s.estates, s.area, *values[1:]])
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        area_total += s.area
    ws.total_row(["合计", "", totals[0], area_total, *totals[1:]])
    report(1, 5, "汇总表已生成，正在写管理扶持明细……")

    # The detail sheets' names and codes are as wide as the longest of them (measured first: a
    # streamed sheet writes its column widths before its first row).
    longest = measure(Allocation.objects.filter(sheet_id__in=shown_ids))

    # 管理扶持明细
    ws = wb.sheet(
        "管理扶持明细", fitted(MANAGEMENT_COLUMNS, longest), title=_title(year, "管理扶持明细表", any_draft, district)
    )
    n_management = 0
    sums = [0, 0, 0]
    area_sum = Decimal("0.00")
    for r in _detail_rows(shown_ids, PolicyKind.MANAGEMENT):
        n_management += 1
        ws.row([n_management, *r[:8], r[8], r[12], r[13], r[14]])
        sums = [sums[0] + r[12], sums[1] + r[13], sums[2] + r[14]]
        area_sum += r[5]
    ws.total_row([None, "合计", "", "", "", "", area_sum, None, "", None, *sums])
    report(2, 5, "正在写整治扶持明细……")

    # 整治扶持明细
    ws = wb.sheet(
        "整治扶持明细",
        fitted(STARTUP_COLUMNS, longest),
        title=_title(year, "整治后长效管理扶持明细表", any_draft, district),
    )
    n_startup = 0
    sums = [0, 0, 0]
    area_sum = Decimal("0.00")
    for r in _detail_rows(shown_ids, PolicyKind.STARTUP):
        n_startup += 1
        ws.row([n_startup, *r[:5], r[9], r[5], r[11], r[10], r[12], r[13], r[14]])
        sums = [sums[0] + r[12], sums[1] + r[13], sums[2] + r[14]]
        area_sum += r[5]
    ws.total_row([None, "合计", "", "", "", "", None, area_sum, None, None, *sums])
    report(3, 5, "正在写考核结果……")

    # 考核结果 — the same estates' districts
    result_districts = [s.district_id for s in shown]
    write_results_sheet(
        wb,
        year,
        user=user,
        district_ids=result_districts,
        title=_title(year, "考核结果", any_draft, district).replace("扶持资金", ""),
    )
    report(4, 5, "正在保存……")

    # 收款合同: which contract each payee comes from (only when there is one)
    contract_rows = (
        Allocation.objects.filter(sheet_id__in=shown_ids)
        .exclude(payee_contract="")
        .order_by("district__code", "street__code", "street_id")
        .values_list(
            "district__name",
            "street__name",
            "community__name",
            "estate__code",
            "estate__name",
            "kind",
            "amount_fen",
            "payee",
            "payee_contract",
            "payee_basis",
            "street_id",
        )
    )
    if contract_rows.exists():
        ws = wb.sheet("收款合同", CONTRACT_COLUMNS, title=_title(year, "收款单位及依据合同", any_draft))
        n = 0
        for _, group in groupby(contract_rows.iterator(chunk_size=5000), key=lambda r: r[-1]):
            for r in sorted(group, key=lambda r: (r[2], r[3], r[5])):
                n += 1
                ws.row([n, *r[:5], KIND_LABELS[r[5]], *r[6:10]])

    # 调整明细 (only if there are adjustments the user may see)
    adjustments = AllocationSheet.objects.filter(year=year, kind=SheetKind.ADJUSTMENT)
    if user is not None:
        adjustments = adjustments.visible_to(user)
    if district_ids is not None:
        adjustments = adjustments.filter(district_id__in=district_ids)
    adjustments = list(adjustments.select_related("district").order_by("district__code", "version"))
    if adjustments:
        adj_draft = any(a.status != SheetStatus.APPROVED for a in adjustments)
        ws = wb.sheet(
            "调整明细", ADJUSTMENT_COLUMNS, title=_title(year, "调整明细表（补拨/追回）", adj_draft, district)
        )
        n = 0
        sums = [0, 0, 0]
        for a in adjustments:
            for row in a.rows.select_related("street", "community", "estate").order_by(
                "street__code", "community__name", "estate__code", "kind"
            ):
                n += 1
                d = row.diff_fen
                ws.row(
                    [
                        n,
                        a.district.name,
                        a.version - 1,
                        STATUS_LABELS[a.status],
                        row.street.name,
                        row.community.name,
                        row.estate.code,
                        row.estate.name,
                        KIND_LABELS[row.kind],
                        row.previous_fen,
                        row.amount_fen,
                        row.diff_label,
                        d,
                        row.diff_city_fen,
                        row.diff_district_fen,
                    ]
                )
                sums = [sums[0] + d, sums[1] + row.diff_city_fen, sums[2] + row.diff_district_fen]
        ws.total_row([None, "合计", None, *[""] * 9, *sums])
    wb.save(target)
    approved = sum(1 for s, _ in listed if s.status == SheetStatus.APPROVED)
    return {
        "districts": len(listed),
        "approved": approved,
        "unapproved": len(listed) - approved,
        "hidden": len(listed) - len(shown),
        "management_rows": n_management,
        "startup_rows": n_startup,
        "adjustments": len(adjustments),
        "district": district,
    }


def summary(year: int, counts: dict) -> str:
    """What the job page says: how many districts, and how many of them are not approved yet —
    blank for a finance role, marked 草稿 otherwise — so "6 个区" is never read as six sheets of
    final amounts."""
    text = f"已生成{counts['district']}{year}年度补贴分配表：{counts['districts']} 个区"
    if counts["unapproved"]:
        text += f"，其中已审核 {counts['approved']} 个，未经市级审核 {counts['unapproved']} 个"
        text += "（仅列状态，金额空白）" if counts["hidden"] else "（标为草稿）"
    return text + f"；管理扶持 {counts['management_rows']} 个小区，整治扶持 {counts['startup_rows']} 个小区。"


def export_allocations_job(job, report):
    """The page's export: a Job (progress bar, download link) over what the user may see. The
    workbook is written to a temporary file (streaming) and then stored as the job's file."""
    year = int(job.params["year"])
    district_ids = job.params.get("district_ids")
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        try:
            counts = build_allocation_workbook(
                path, year, user=job.created_by, district_ids=district_ids, report=report
            )
        except NoAllocations as exc:
            raise jobs.JobRefused(str(exc)) from exc
        with open(path, "rb") as fh:
            save_file(job, fh, f"{counts['district']}{year}年度补贴分配表.xlsx", stored_as="allocations")
    finally:
        os.unlink(path)
    counts["summary"] = summary(year, counts)
    return counts
