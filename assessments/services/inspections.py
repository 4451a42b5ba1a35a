"""Saving and reviewing inspections; checking and setting fee collection rates."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.choices import Role
from core.locking import EditConflict, check_version, seen_version

from ..choices import InspectionStatus
from ..errors import Refused
from ..models import FeeRate, Inspection
from .checking import InspectionChecker, allowed_sources, parse_score
from .common import CENT, _require, writable_estate
from .years import InputGate

# A draft, a submitted one awaiting review, and a returned one (退回) can be corrected by their
# author; an approved one cannot.
EDITABLE_STATUSES = (InspectionStatus.DRAFT, InspectionStatus.SUBMITTED, InspectionStatus.REJECTED)


def _check_version(current: Inspection, seen) -> None:
    try:
        check_version(current, seen)
    except EditConflict as exc:
        raise Refused(exc.message_text) from exc


@transaction.atomic
def save_inspection(
    *,
    by,
    estate,
    date,
    scores: dict,
    inspector_name: str,
    source: str | None = None,
    note: str = "",
    submit: bool = True,
    inspection: Inspection | None = None,
) -> Inspection:
    """Create (or, for its author, change) an inspection; `submit` makes it count, otherwise a draft."""
    _require(by, "inspection")
    estate = writable_estate(by, estate.pk)
    source = source or allowed_sources(by)[0]
    if inspection is not None:
        # Lock the row and refuse a save from a page opened before someone else's change
        # (inspection.version is the version the page showed; core.locking).
        seen = seen_version(inspection)
        inspection = Inspection.objects.writable_by(by).select_for_update().filter(pk=inspection.pk).first()
        if inspection is None:
            raise Refused("检查记录不存在。")
        _check_version(inspection, seen)
        if inspection.status not in EDITABLE_STATUSES:
            raise Refused("已审核通过的检查记录不能修改。")
        if inspection.created_by_id != by.pk and not by.is_role(Role.CITY_ADMIN):
            raise Refused("只有录入人可以修改这条检查记录。")
        refusal = InputGate().refusal(inspection.estate_id, inspection.date.year)
        if refusal:
            raise Refused(refusal)
    checker = InspectionChecker(by)
    cleaned, total, errors = checker.check(estate, date, scores, source, complete=submit)
    if not (inspector_name or "").strip():
        errors["inspector_name"] = "请填写检查人。"
    if errors:
        raise Refused("检查记录有误，请按提示修改。", errors)
    target = inspection or Inspection(created_by=by)
    target.estate = estate
    target.date = date
    target.source = source
    target.inspector_name = inspector_name.strip()
    target.note = (note or "").strip()
    target.scores = cleaned
    target.total_tenths = total
    if target.status == InspectionStatus.REJECTED:
        # A returned inspection corrected by its author starts a new round of review; the
        # previous review stays in the change history.
        target.reviewed_by = target.reviewed_at = None
        target.review_note = ""
        target.submitted_at = None
    if submit:
        target.status = InspectionStatus.SUBMITTED
        target.submitted_at = target.submitted_at or timezone.now()
    else:
        target.status = InspectionStatus.DRAFT
    target.save()
    return target


@transaction.atomic
def review_inspection(inspection: Inspection, *, by, approve: bool, reason: str = "") -> Inspection:
    """District review: approve, or reject with a reason. Nobody reviews their own inspection."""
    _require(by, "inspection_review")
    seen = seen_version(inspection)
    inspection = Inspection.objects.writable_by(by).select_for_update().filter(pk=inspection.pk).first()
    if inspection is None:
        raise Refused("检查记录不存在。")
    _check_version(inspection, seen)  # never approve scores other than those the reviewer saw
    if inspection.created_by_id == by.pk:
        raise Refused("不能审核自己录入的检查记录。")
    if inspection.status != InspectionStatus.SUBMITTED:
        raise Refused("只有已提交的检查记录可以审核。")
    refusal = InputGate().refusal(inspection.estate_id, inspection.year)
    if refusal:
        raise Refused(refusal)
    reason = (reason or "").strip()
    if not approve and not reason:
        raise Refused("退回必须填写原因。", {"reason": "请填写退回原因。"})
    inspection.status = InspectionStatus.APPROVED if approve else InspectionStatus.REJECTED
    inspection.reviewed_by, inspection.reviewed_at, inspection.review_note = by, timezone.now(), reason
    inspection.save()
    return inspection


# --- fee rates -----------------------------------------------------------------------------
def check_fee_rate(year, rate) -> tuple[int | None, Decimal | None, dict]:
    errors = {}
    this_year = timezone.localdate().year
    try:
        year = int(year)
        if year < 2000 or year > this_year:
            errors["year"] = f"年度须在2000年到{this_year}年之间。"
    except (TypeError, ValueError):
        errors["year"] = "年度格式不正确。"
        year = None
    try:
        value = parse_score(rate)
    except ValueError:
        value = None
        errors["rate"] = "收缴率不是有效的数字。"
    else:
        if value is None:
            errors["rate"] = "请填写收缴率。"
        elif value < 0 or value > 100:
            errors["rate"] = "收缴率须在0到100之间。"
        elif value != value.quantize(CENT):
            errors["rate"] = "收缴率最多保留两位小数。"
    return year, value, errors


@transaction.atomic
def set_fee_rate(*, by, estate, year, rate) -> FeeRate:
    _require(by, "fee_rate")
    estate = writable_estate(by, estate.pk)
    year, value, errors = check_fee_rate(year, rate)
    if not errors:
        refusal = InputGate().refusal(estate.pk, year)
        if refusal:
            errors["year"] = refusal
    if errors:
        raise Refused("收缴率有误，请按提示修改。", errors)
    obj = FeeRate.objects.filter(estate=estate, year=year).first() or FeeRate(estate=estate, year=year)
    obj.rate, obj.updated_by = value.quantize(CENT), by
    obj.save()
    return obj
