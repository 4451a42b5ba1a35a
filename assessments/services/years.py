"""The year's state and what it freezes (InputGate); publishing, closing and reopening a year."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from core.models import ACTIVE_JOB_STATUSES, JobStatus
from core.years import message as closed_year_message

from ..choices import AppealStatus, YearStatus
from ..errors import Refused
from ..models import (
    Appeal,
    AssessmentYear,
    CycleRun,
    Scheme,
    YearEvent,
)
from .common import _require


# --- the year's state and what it freezes ---------------------------------------------------
def closed_years_among(years: set[int]) -> set[int]:
    """Which of `years` are closed: registered with core.years (the lower apps ask there)."""
    return set(AssessmentYear.objects.filter(year__in=years, status=YearStatus.CLOSED).values_list("year", flat=True))


def year_status(year: int) -> str:
    row = AssessmentYear.objects.filter(year=year).values_list("status", flat=True).first()
    return row or YearStatus.OPEN


class InputGate:
    """Whether an estate's inputs (inspections, fee rates) of a year may change: freely while
    the year is open; during 公示 only for an estate whose appeal was upheld (its inputs are
    being corrected); never once the year is closed. Loaded in bulk for importers."""

    def __init__(self):
        self._status: dict[int, str] = {}
        self._upheld: dict[int, set] = {}

    def status(self, year: int) -> str:
        if year not in self._status:
            self._status[year] = year_status(year)
        return self._status[year]

    def refusal(self, estate_id: int, year: int) -> str | None:
        status = self.status(year)
        if status == YearStatus.CLOSED:
            return closed_year_message(year)
        if status == YearStatus.PUBLISHED:
            if year not in self._upheld:
                self._upheld[year] = set(
                    Appeal.objects.filter(year=year, status=AppealStatus.UPHELD).values_list("estate_id", flat=True)
                )
            if estate_id not in self._upheld[year]:
                return f"{year}年度考核结果正在公示，只有申诉获支持的小区可以更正数据。"
        return None


# --- publication, closing, reopening ----------------------------------------------------------
def _locked_year(year: int) -> AssessmentYear:
    AssessmentYear.objects.get_or_create(year=year)
    return AssessmentYear.objects.select_for_update().get(year=year)


def _no_active_run(year: int):
    if CycleRun.objects.filter(year=year, status__in=ACTIVE_JOB_STATUSES).exists():
        raise Refused(f"{year}年度有计分任务正在进行，请等待其完成。")


@transaction.atomic
def publish_year(year: int, *, by) -> AssessmentYear:
    """公示: the current results go public with the date and the appeal deadline (the
    publication day is day 0; the window ends at 24:00 of day N, Asia/Shanghai)."""
    _require(by, "cycle")
    row = _locked_year(year)
    if row.status != YearStatus.OPEN:
        raise Refused(f"{year}年度当前状态为“{row.get_status_display()}”，不能公示。")
    _no_active_run(year)
    run = CycleRun.objects.filter(year=year, is_current=True).select_related("scheme").first()
    if run is None:
        raise Refused(f"{year}年度还没有考核结果，请先完成计分。")
    now = timezone.now()
    row.status, row.published_at = YearStatus.PUBLISHED, now
    row.appeal_deadline = timezone.localdate(now) + dt.timedelta(days=run.scheme.appeal_window_days)
    row.save()
    YearEvent.objects.create(
        year=row, action="publish", by=by, at=now, reason=f"申诉截止 {row.appeal_deadline:%Y-%m-%d} 24时"
    )
    return row


def close_year_refusal(year: int, row: AssessmentYear | None = None) -> str | None:
    """Why 关闭 would be refused now (None: it may be done). The one rule: close_year checks
    it under the row lock, the year page disables its button with the same words."""
    row = row if row is not None else AssessmentYear.objects.filter(year=year).first()
    if row is None or row.status != YearStatus.PUBLISHED:
        return f"{year}年度须先公示，申诉期满后才能关闭。"
    if row.appeal_window_open():
        return f"申诉期未满：申诉期至{row.appeal_deadline.month}月{row.appeal_deadline.day}日24时截止，期满后才能关闭。"
    if Appeal.objects.filter(year=year, status=AppealStatus.PENDING).exists():
        return "还有待处理的申诉，处理完毕后才能关闭。"
    upheld_open = Appeal.objects.filter(year=year, status=AppealStatus.UPHELD).exclude(
        Exists(CycleRun.objects.filter(appeal=OuterRef("pk"), status=JobStatus.SUCCEEDED))
    )
    if upheld_open.exists():
        return "还有已支持但尚未重新计分的申诉，请先重新计分。"
    if CycleRun.objects.filter(year=year, status__in=ACTIVE_JOB_STATUSES).exists():
        return f"{year}年度有计分任务正在进行，请等待其完成。"
    return None


@transaction.atomic
def close_year(year: int, *, by) -> AssessmentYear:
    """关闭: after the appeal window; freezes the year's inspections, fee rates and results,
    and the scheme its run used."""
    _require(by, "cycle")
    row = _locked_year(year)
    refusal = close_year_refusal(year, row)
    if refusal:
        raise Refused(refusal)
    now = timezone.now()
    row.status, row.closed_at = YearStatus.CLOSED, now
    row.save()
    Scheme.objects.filter(runs__year=year).update(frozen=True)
    YearEvent.objects.create(year=row, action="close", by=by, at=now)
    return row


@transaction.atomic
def reopen_year(year: int, *, by, reason: str) -> AssessmentYear:
    _require(by, "cycle")
    reason = (reason or "").strip()
    if not reason:
        raise Refused("重新开放必须说明原因。", {"reason": "请填写原因。"})
    row = _locked_year(year)
    if row.status != YearStatus.CLOSED:
        raise Refused(f"{year}年度未关闭，无需重新开放。")
    row.status = YearStatus.OPEN
    row.published_at = row.appeal_deadline = row.closed_at = None
    row.save()
    YearEvent.objects.create(year=row, action="reopen", by=by, reason=reason)
    return row


def is_assessment_year(year: int) -> bool:
    """A year the assessment can have: one that a scheme (考核方案) covers, up to this year.
    The year pages answer 404 for any other (an impossible year such as 99999999999 used to
    show "年度考核 进行中")."""
    if year > timezone.localdate().year:
        return False
    return (
        Scheme.objects.filter(valid_from_year__lte=year)
        .filter(Q(valid_to_year__isnull=True) | Q(valid_to_year__gte=year))
        .exists()
        or AssessmentYear.objects.filter(year=year).exists()
    )
