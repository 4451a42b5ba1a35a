"""Filing, deciding and re-scoring appeals (申诉)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.rules import can

from ..choices import AppealStatus, YearStatus
from ..cycle import start_run
from ..errors import Refused
from ..models import (
    Appeal,
    AssessmentYear,
    CycleRun,
    EstateResult,
    YearEvent,
)
from .common import _require, writable_estate
from .years import year_status


# --- appeals -------------------------------------------------------------------------------
@transaction.atomic
def file_appeal(*, by, estate, year: int, reason: str) -> Appeal:
    _require(by, "appeal_file")
    estate = writable_estate(by, estate.pk)
    row = AssessmentYear.objects.filter(year=year).first()
    if row is None or row.status != YearStatus.PUBLISHED:
        raise Refused(f"{year}年度考核结果未在公示期，不能申诉。")
    if not row.appeal_window_open():
        raise Refused(f"申诉期已于{row.appeal_deadline.month}月{row.appeal_deadline.day}日24时截止。")
    reason = (reason or "").strip()
    if not reason:
        raise Refused("请填写申诉理由。", {"reason": "请填写申诉理由。"})
    result = EstateResult.objects.filter(estate=estate, year=year, is_current=True).first()
    if result is None:
        raise Refused("该小区没有本年度的考核结果。")
    try:
        with transaction.atomic():
            return Appeal.objects.create(estate=estate, year=year, result=result, reason=reason, filed_by=by)
    except IntegrityError:
        raise Refused("该小区已有待处理的申诉。") from None


@transaction.atomic
def decide_appeal(appeal: Appeal, *, by, uphold: bool, note: str = "") -> Appeal:
    _require(by, "appeal_decide")
    appeal = Appeal.objects.writable_by(by).select_for_update().filter(pk=appeal.pk).first()
    if appeal is None:
        raise Refused("申诉不存在。")
    if appeal.status != AppealStatus.PENDING:
        raise Refused("该申诉已处理。")
    if year_status(appeal.year) == YearStatus.CLOSED:
        raise Refused(f"{appeal.year}年度考核已关闭。")
    note = (note or "").strip()
    if not note:
        raise Refused("请填写处理意见。", {"note": "请填写处理意见。"})
    appeal.status = AppealStatus.UPHELD if uphold else AppealStatus.REJECTED
    appeal.decided_by, appeal.decided_at, appeal.decision_note = by, timezone.now(), note
    appeal.save()
    return appeal


def rescore_appeal(appeal: Appeal, *, by) -> CycleRun:
    """After an upheld appeal's inputs are corrected: a new current run of the year that
    re-scores that estate (and carries every other estate's result over), refreshing the
    roll-ups and — through `cycle_run_finished` — the year's draft allocations."""
    if not (can(by, "appeal_decide") or can(by, "cycle")):
        raise Refused("您没有执行此操作的权限。")
    with transaction.atomic():
        appeal = Appeal.objects.writable_by(by).filter(pk=appeal.pk).first()
        if appeal is None:
            raise Refused("申诉不存在。")
        if appeal.status != AppealStatus.UPHELD:
            raise Refused("只有已支持的申诉可以重新计分。")
        run = start_run(appeal.year, by=by, appeal=appeal)
        YearEvent.objects.create(
            year=AssessmentYear.objects.get(year=appeal.year), action="rescore", by=by, appeal=appeal
        )
    return run
