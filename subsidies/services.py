"""The sheet workflow (确认 → 审核), disbursements (拨付/追回) and settling. Every step is a
conditional update, so two people acting at once on the same sheet give exactly one outcome."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.choices import Role
from accounts.rules import can
from assessments.choices import RunKind, YearStatus
from assessments.models import AssessmentYear, CycleRun
from core.errors import OutOfScope, Refused
from core.money import yuan_to_fen
from core.validation import date_error

from .choices import MoneyDirection, Share, SheetStatus
from .models import AllocationSheet, Disbursement, SheetEvent

__all__ = [
    "Refused",
    "approve_refusal",
    "approve_sheet",
    "confirm_refusal",
    "confirm_sheet",
    "outstanding",
    "record_disbursement",
]


def _year_closed(year: int) -> bool:
    return AssessmentYear.objects.filter(year=year, status=YearStatus.CLOSED).exists()


def sheet_for_write(user, pk) -> AllocationSheet:
    """The sheet if it is in the user's write scope; 404 otherwise (it does not exist for them)."""
    sheet = AllocationSheet.objects.writable_by(user).filter(pk=pk).first()
    if sheet is None:
        raise OutOfScope
    return sheet


def _record_history(pk, by) -> None:
    """The conditional UPDATE of a step writes no history row itself: save the row as it now
    stands, as `by`, so the sheet's history shows who changed the status, when, old → new."""
    from core.history import acting_as

    with acting_as(by):
        AllocationSheet.objects.get(pk=pk).save(update_fields=["updated_at"])


def confirm_sheet(sheet: AllocationSheet, *, by) -> AllocationSheet:
    """区级确认: district_staff of the sheet's district, once the year is closed."""
    refusal = confirm_refusal(sheet, by=by)
    if refusal:
        raise Refused(refusal)
    now = timezone.now()
    with transaction.atomic():
        done = AllocationSheet.objects.filter(pk=sheet.pk, status=SheetStatus.DRAFT).update(
            status=SheetStatus.CONFIRMED, confirmed_by=by, confirmed_at=now, updated_at=now
        )
        if done != 1:
            raise Refused("该分配表已被确认或状态已变化，请刷新后查看。")
        SheetEvent.objects.create(sheet=sheet, action="confirmed", by=by, at=now)
        _record_history(sheet.pk, by)
    sheet.refresh_from_db()
    return sheet


def runs_behind(sheet: AllocationSheet) -> list[CycleRun]:
    """The cycle runs the sheet's figures come from: the run that computed it and, through
    appeal re-scores, every run whose results that run carried over (assessments.cycle.lineage).
    A sheet computed without a run falls back to the year's current run."""
    from assessments.cycle import lineage

    run = sheet.run if sheet.run_id else CycleRun.objects.filter(year=sheet.year, is_current=True).first()
    return lineage(run) if run is not None else []


def four_eyes_refusal(sheet: AllocationSheet, by) -> str:
    """Why `by` may not approve the sheet (四眼原则, spec/roles.md), or "": nobody who started any
    run behind the sheet (a run of the system account binds nobody), nor who confirmed it."""
    if sheet.confirmed_by_id == by.pk:
        return "您确认了该分配表，须由另一位市房产局用户审核（不得审核自己的工作）。"
    for run in runs_behind(sheet):
        if run.created_by_id == by.pk and not run.created_by.is_system:
            if run.kind == RunKind.APPEAL:
                what = f"{run.title}（#{run.pk}）"
            elif run.pk == sheet.run_id:
                what = f"{run.year}年度考核计分（#{run.pk}）"
            else:
                what = f"{run.year}年度考核计分（#{run.pk}，其结果经申诉复核沿用至本表）"
            return f"本表数据来自您发起的{what}，须由另一位市房产局用户审核（不得审核自己的工作）。"
    return ""


def approve_refusal(sheet: AllocationSheet, *, by) -> str | None:
    """Why 市级审核 by `by` would be refused now (None: it may be done). approve_sheet raises
    it; the sheet page disables its button and shows the same words."""
    if not can(by, "sheet_approve"):
        return "只有市房产局可以审核分配表。"
    if sheet.status == SheetStatus.APPROVED:
        return "该分配表已经市级审核，已冻结，不能再修改。"
    if sheet.status != SheetStatus.CONFIRMED:
        return "该分配表尚未经区级确认，确认后才能审核。"
    if not _year_closed(sheet.year):
        return f"{sheet.year}年度考核尚未关闭，不能审核分配表。"
    return four_eyes_refusal(sheet, by) or None


def confirm_refusal(sheet: AllocationSheet, *, by) -> str | None:
    """Why 区级确认 by `by` would be refused now (None: it may be done); see approve_refusal."""
    if not can(by, "sheet_confirm") or by.district_id != sheet.district_id:
        return "只有本区房产局可以确认本区的分配表。"
    if sheet.status == SheetStatus.APPROVED:
        return "该分配表已经市级审核，已冻结，不能再修改。"
    if not _year_closed(sheet.year):
        return f"{sheet.year}年度考核尚未关闭，关闭后才能确认分配表。"
    return None


def approve_sheet(sheet: AllocationSheet, *, by) -> AllocationSheet:
    """市级审核: a city_admin who neither started any run the sheet's figures come from (the
    computing run and the runs an appeal re-score carried over; a run the system account
    started binds nobody) nor confirmed it. Exactly one of two simultaneous approvals
    succeeds: the update is conditional on the sheet still being confirmed."""
    refusal = approve_refusal(sheet, by=by)
    if refusal:
        raise Refused(refusal)
    now = timezone.now()
    with transaction.atomic():
        done = AllocationSheet.objects.filter(pk=sheet.pk, status=SheetStatus.CONFIRMED).update(
            status=SheetStatus.APPROVED, approved_by=by, approved_at=now, updated_at=now
        )
        if done != 1:
            raise Refused("该分配表已被审核或状态已变化，请刷新后查看。")
        SheetEvent.objects.create(sheet=sheet, action="approved", by=by, at=now)
        _record_history(sheet.pk, by)
    sheet.refresh_from_db()
    return sheet


# --- disbursements -------------------------------------------------------------------------------
def set_payee(row, payee: str, *, by) -> bool:
    """收款单位 of a row while its sheet is not approved. Rows are computed and carry no history
    of their own: the change is a SheetEvent naming who, when, the row, and old → new.
    False if the sheet was approved meanwhile (frozen)."""
    from .models import Allocation

    with transaction.atomic():
        locked = (
            AllocationSheet.objects.select_for_update()
            .filter(pk=row.sheet_id)
            .exclude(status=SheetStatus.APPROVED)
            .first()
        )
        if locked is None:
            return False
        old = Allocation.objects.filter(pk=row.pk).values_list("payee", flat=True).first()
        if old == payee:
            return True
        # typed by hand: no longer the contract's firm by rule, and the row says so
        Allocation.objects.filter(pk=row.pk).update(
            payee=payee, contract=None, payee_contract="", payee_basis=f"分配表上人工修改（{by}）"[:200]
        )
        SheetEvent.objects.create(
            sheet=locked,
            action="payee",
            by=by,
            at=timezone.now(),
            note=f"{row.estate.code} {row.get_kind_display()}：{old or '（空）'} → {payee}"[:500],
        )
    return True


def share_of(user) -> str | None:
    if user.role == Role.CITY_FINANCE and can(user, "disbursement_city"):
        return Share.CITY
    if user.role == Role.DISTRICT_FINANCE and can(user, "disbursement_district"):
        return Share.DISTRICT
    return None


def recorded(sheet: AllocationSheet, share: str, direction: str) -> int:
    return (
        Disbursement.objects.filter(sheet=sheet, share=share, direction=direction).aggregate(s=Sum("amount_fen"))["s"]
        or 0
    )


def outstanding(sheet: AllocationSheet, share: str, direction: str = MoneyDirection.PAYMENT) -> int:
    """What is still to be paid (or recovered) of a share, in fen."""
    return sheet.due(share, direction) - recorded(sheet, share, direction)


def balances(sheet: AllocationSheet) -> list[dict]:
    out = []
    for share in (Share.CITY, Share.DISTRICT):
        for direction in (MoneyDirection.PAYMENT, MoneyDirection.RECOVERY):
            due = sheet.due(share, direction)
            if direction == MoneyDirection.RECOVERY and not due:
                continue
            done = recorded(sheet, share, direction)
            out.append(
                {
                    "share": share,
                    "share_label": Share(share).label,
                    "direction": direction,
                    "direction_label": MoneyDirection(direction).label,
                    "due": due,
                    "done": done,
                    "outstanding": due - done,
                }
            )
    return out


def is_settled(sheet: AllocationSheet) -> bool:
    return all(b["outstanding"] <= 0 for b in balances(sheet))


def parse_amount(raw) -> int:
    """Yuan as typed (12,345.67 or 12345.67) → fen; a clear message for anything else."""
    from decimal import Decimal, InvalidOperation

    text = str(raw or "").strip().replace(",", "").replace("，", "").removesuffix("元")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise Refused("金额格式不正确，请填写数字，例如 29340.45。", {"amount": "金额格式不正确。"}) from None
    if not value.is_finite() or value <= 0:
        raise Refused("金额须大于0。", {"amount": "金额须大于0。"})
    if value != value.quantize(Decimal("0.01")):
        raise Refused("金额最多两位小数（精确到分）。", {"amount": "金额最多两位小数。"})
    return yuan_to_fen(value)


def record_disbursement(
    sheet: AllocationSheet, *, by, amount, date, document_no: str, direction: str = MoneyDirection.PAYMENT
) -> Disbursement:
    """拨付 (or 追回 on an adjustment) of the user's share; refused above the outstanding
    balance. The sheet row is locked so two entries at once cannot overpay."""
    share = share_of(by)
    if share is None:
        raise Refused("只有财政局可以录入拨付记录。")
    if share == Share.DISTRICT and by.district_id != sheet.district_id:
        raise OutOfScope
    if direction not in MoneyDirection.values:
        raise Refused("类型不正确。")
    amount_fen = amount if isinstance(amount, int) else parse_amount(amount)
    if amount_fen <= 0:
        raise Refused("金额须大于0。", {"amount": "金额须大于0。"})
    if not isinstance(date, dt.date):
        raise Refused("请填写日期。", {"date": "请填写日期。"})
    if message := date_error(date, fact=True):
        raise Refused(message, {"date": message})
    document_no = (document_no or "").strip()
    if not document_no:
        raise Refused("请填写文号。", {"document_no": "请填写文号。"})
    from core.money import format_yuan

    with transaction.atomic():
        locked = AllocationSheet.objects.select_for_update().get(pk=sheet.pk)
        if locked.status != SheetStatus.APPROVED:
            raise Refused("分配表尚未经市级审核，不能录入拨付。")
        left = outstanding(locked, share, direction)
        verb = MoneyDirection(direction).label
        if left <= 0:
            raise Refused(f"{Share(share).label}部分已无待{verb}金额。")
        if amount_fen > left:
            raise Refused(
                f"金额超过待{verb}余额 {format_yuan(left)} 元，未保存。",
                {"amount": f"不能超过待{verb}余额 {format_yuan(left)} 元。"},
            )
        record = Disbursement.objects.create(
            sheet=locked,
            share=share,
            direction=direction,
            date=date,
            amount_fen=amount_fen,
            document_no=document_no[:100],
            recorded_by=by,
        )
        if locked.settled_at is None and is_settled(locked):
            now = timezone.now()
            AllocationSheet.objects.filter(pk=locked.pk).update(settled_at=now)
            SheetEvent.objects.create(sheet=locked, action="settled", by=by, at=now)
    return record
