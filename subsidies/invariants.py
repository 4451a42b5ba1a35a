"""The subsidies' invariants (core/invariants.py): every sheet's totals are the sums of its
rows (for an adjustment, of the differences), the city and district shares add up on every
row and every sheet, and an estate has at most one original allocation per policy and year."""

from __future__ import annotations

from django.db.models import Case, Count, F, Q, Sum, When

from core.invariants import register

from .choices import PolicyKind, SheetKind
from .models import Allocation, AllocationSheet


def _pay(after, before):
    return Sum(Case(When(**{f"{after}__gt": F(before)}, then=F(after) - F(before)), default=0))


def _recover(after, before):
    return Sum(Case(When(**{f"{after}__lt": F(before)}, then=F(before) - F(after)), default=0))


FIELDS = {
    "management_fen": "管理扶持金额",
    "startup_fen": "整治扶持金额",
    "total_fen": "合计金额",
    "city_fen": "市级承担",
    "district_fen": "区级承担",
    "city_pay_fen": "市级补拨",
    "city_recover_fen": "市级追回",
    "district_pay_fen": "区级补拨",
    "district_recover_fen": "区级追回",
    "estates": "小区数",
}


@register("分配表的合计等于其明细之和（调整表为差额之和）")
def sheet_totals_are_row_sums():
    sums = (
        Allocation.objects.values("sheet_id")
        .annotate(  # named apart from the row's own columns
            s_management_fen=Sum(
                Case(When(kind=PolicyKind.MANAGEMENT, then=F("amount_fen") - F("previous_fen")), default=0)
            ),
            s_startup_fen=Sum(
                Case(When(~Q(kind=PolicyKind.MANAGEMENT), then=F("amount_fen") - F("previous_fen")), default=0)
            ),
            s_total_fen=Sum(F("amount_fen") - F("previous_fen")),
            s_city_fen=Sum(F("city_fen") - F("previous_city_fen")),
            s_district_fen=Sum(F("district_fen") - F("previous_district_fen")),
            s_city_pay_fen=_pay("city_fen", "previous_city_fen"),
            s_city_recover_fen=_recover("city_fen", "previous_city_fen"),
            s_district_pay_fen=_pay("district_fen", "previous_district_fen"),
            s_district_recover_fen=_recover("district_fen", "previous_district_fen"),
            s_estates=Count("estate", distinct=True),
        )
        .order_by()
    )
    by_sheet = {row["sheet_id"]: {f: row[f"s_{f}"] for f in FIELDS} for row in sums}
    empty = dict.fromkeys(FIELDS, 0)
    for sheet in AllocationSheet.objects.select_related("district").order_by("year", "district__code", "version"):
        expected = by_sheet.get(sheet.pk, empty)
        wrong = [f for f in FIELDS if getattr(sheet, f) != (expected[f] or 0)]
        if wrong:
            detail = "、".join(f"{FIELDS[f]} 表头 {getattr(sheet, f)} / 明细 {expected[f] or 0}" for f in wrong)
            yield f"{sheet}：{detail}（金额单位：分）。"


@register("市级与区级承担之和等于金额（每条明细、每张分配表）")
def shares_add_up():
    rows = Allocation.objects.exclude(amount_fen=F("city_fen") + F("district_fen")).select_related("sheet", "estate")
    for row in rows[:1000]:
        yield f"{row.sheet} 中小区 {row.estate.code} 的{row.get_kind_display()}：金额 {row.amount_fen} ≠ 市级 {row.city_fen} + 区级 {row.district_fen}（分）。"
    sheets = AllocationSheet.objects.exclude(
        total_fen=F("city_fen") + F("district_fen")
    ) | AllocationSheet.objects.exclude(total_fen=F("management_fen") + F("startup_fen"))
    for sheet in sheets.select_related("district").distinct():
        yield (
            f"{sheet}：合计 {sheet.total_fen}，市级 {sheet.city_fen} + 区级 {sheet.district_fen}，"
            f"管理 {sheet.management_fen} + 整治 {sheet.startup_fen}（分），不相等。"
        )


@register("每个小区每项扶持政策每个年度只有一条原始分配")
def one_allocation_per_estate_policy_year():
    rows = (
        Allocation.objects.filter(sheet__kind=SheetKind.ORIGINAL)
        .values("estate__code", "policy_id", "kind", "sheet__year")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("sheet__year", "estate__code")
    )
    for row in rows:
        yield f"小区 {row['estate__code']} 在 {row['sheet__year']} 年度的同一扶持政策（#{row['policy_id']}）有 {row['n']} 条分配。"
