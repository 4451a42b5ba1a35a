"""The residents' channel (居民自报) and what follows a case's close: duplicates, 标记无效,
the resident's rating, the clerk's call-back (回访)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.rules import require

from .. import validation as v
from ..choices import (
    CaseType,
    DisputeStatus,
    RepairStatus,
    Satisfaction,
    SatisfactionSource,
)
from ..models import (
    DisputeCase,
    DisputeEvent,
    RepairEvent,
    RepairRequest,
)
from .common import _now, _satisfaction, _writable
from .mediation import create_dispute
from .repairs import create_repair


# --- the residents' channel (居民自报) ----------------------------------------------------------
# The residents' public pages (residents/) call these; the acting user of a resident's own
# report is the built-in system account (系统), never a person.
def _system_user():
    from accounts.models import SYSTEM_USERNAME, User

    return User.objects.get(username=SYSTEM_USERNAME, is_system=True)


def _duplicate_window() -> dt.timedelta:
    from django.conf import settings

    return dt.timedelta(hours=settings.RESIDENTS_DUPLICATE_HOURS)


def find_duplicate(case):
    """An earlier valid case of the same estate, category and room within the duplicate window
    (RESIDENTS_DUPLICATE_HOURS, 2 h): flagged for the clerk and linked, never merged."""
    if not (case.building or case.unit or case.room):
        return None  # no room given: nothing to say it is the same place
    model = type(case)
    return (
        model.objects.filter(
            estate_id=case.estate_id,
            service_code=case.service_code,
            building=case.building,
            unit=case.unit,
            room=case.room,
            requested_datetime__gte=case.requested_datetime - _duplicate_window(),
            requested_datetime__lte=case.requested_datetime,
        )
        .exclude(pk=case.pk)
        .exclude(status="invalid")
        .order_by("requested_datetime", "id")
        .first()
    )


@transaction.atomic
def receive_resident_report(
    *,
    kind: str,
    estate,
    service_code: str,
    urgency: str = "",
    description: str,
    building: str = "",
    unit: str = "",
    room: str = "",
    name: str = "",
    phone: str,
) -> DisputeCase | RepairRequest:
    """A resident's own report from the estate's public page: a repair (报修) or a dispute
    (矛盾纠纷求助) of the estate's street, channel 居民自报, received now by the server's clock
    (the time limit runs from it; no one types it), with its own tracking token."""
    import secrets

    by = _system_user()
    errors = {}
    if kind not in (CaseType.REPAIR, CaseType.DISPUTE):
        errors["kind"] = "请选择报修或矛盾纠纷求助。"
    if not (description or "").strip():
        errors["description"] = "请简要描述情况。"
    elif len(description.strip()) > 500:
        errors["description"] = "情况描述不能超过500字。"
    if not v._MOBILE.fullmatch((phone or "").strip()):
        errors["phone"] = "请填写11位手机号码。"
    v.raise_if(errors)
    common = {
        "by": by,
        "estate": estate,
        "service_code": service_code,
        "description": description,
        "building": building,
        "unit": unit,
        "room": room,
        "channel": "resident",
    }
    if kind == CaseType.REPAIR:
        case = create_repair(urgency=urgency, reporter_name=name, reporter_phone=phone, **common)
    else:
        case = create_dispute(party_name=name, party_phone=phone, **common)
    case.tracking_token = secrets.token_urlsafe(24)
    case.duplicate_of = find_duplicate(case)
    case.save(update_fields=["tracking_token", "duplicate_of"])
    return case


def _case_models():
    return (
        (DisputeCase, DisputeStatus.RECEIVED, "closed_datetime"),
        (RepairRequest, RepairStatus.OPEN, "completed_datetime"),
    )


def new_resident_cases_count(user) -> int:
    """New resident reports (居民自报, not yet acted on) the user sees: the street clerk's count."""
    return sum(
        model.objects.visible_to(user).filter(channel="resident", status=first).count()
        for model, first, _closed in _case_models()
    )


def _event_model(case):
    return DisputeEvent if isinstance(case, DisputeCase) else RepairEvent


def _log(case, action: str, *, by, note: str = "", public_note: str = "", previous: str | None = None, at=None):
    """A step of the timeline; `previous` is the status before a step that changed it."""
    model = _event_model(case)
    parent = "dispute" if isinstance(case, DisputeCase) else "repair"
    changed = previous is not None and previous != case.status
    return model.objects.create(
        **{parent: case},
        action=action,
        from_status=previous if changed else "",
        to_status=case.status if changed else "",
        at=at or _now(),
        actor=by,
        note=note,
        public_note=public_note,
    )


@transaction.atomic
def mark_invalid(case, *, by, reason: str, note: str = "", duplicate_number: str = ""):
    """标记无效: spam, a duplicate of case N (of the same street), or outside the remit. The case
    is closed with the reason the resident sees; nothing is deleted; it counts in no rate."""
    from ..choices import InvalidReason

    model = type(case)
    require(by, "case")
    case = _writable(model, case, by)
    closed_field = "closed_datetime" if model is DisputeCase else "completed_datetime"
    if getattr(case, closed_field) is not None:
        raise ValidationError({"reason": "已办结的案件不能标记无效。"})
    if reason not in InvalidReason.values:
        raise ValidationError({"reason": "请选择无效原因。"})
    original = None
    if reason == InvalidReason.DUPLICATE:
        number = (duplicate_number or "").strip().upper()
        prefix = "JF" if model is DisputeCase else "WX"
        pk = int(number[2:]) if number.startswith(prefix) and number[2:].isdigit() and len(number) <= 20 else None
        original = model.objects.filter(pk=pk, street_id=case.street_id).exclude(pk=case.pk).first() if pk else None
        if original is None:
            raise ValidationError({"duplicate_number": f"请填写本街道的另一件案件编号，如 {prefix}000123。"})
    previous = case.status
    now = _now()
    case.status = "invalid"
    setattr(case, closed_field, max(now, case.requested_datetime))
    case.invalid_reason, case.invalid_note = reason, (note or "").strip()[:200]
    if original is not None:
        case.duplicate_of = original
    case.save()
    label = InvalidReason(reason).label + (f"（与 {original.number} 重复）" if original else "")
    _log(
        case,
        "invalid",
        by=by,
        previous=previous,
        note=label,
        public_note=label + (f"：{case.invalid_note}" if case.invalid_note else ""),
    )
    return case


def rating_deadline(case):
    """The last moment the resident may rate: RATING_DAYS after the case was closed."""
    from django.conf import settings

    closed = case.closed_datetime if isinstance(case, DisputeCase) else case.completed_datetime
    return None if closed is None else closed + dt.timedelta(days=settings.RATING_DAYS)


def may_rate(case, now=None) -> bool:
    """Once, by the resident, after the case was closed with an outcome (not 无效), within RATING_DAYS."""
    end = rating_deadline(case)
    return (
        case.status != "invalid"
        and end is not None
        and not case.satisfaction
        and not case.rated_datetime
        and (now or _now()) <= end
    )


@transaction.atomic
def rate_by_resident(case, *, satisfaction: str, comment: str = ""):
    """The resident's rating from the tracking page: once, within RATING_DAYS of the close.
    不满意 puts the case on its street's call-back list (回访)."""
    model = type(case)
    case = model.objects.select_for_update().get(pk=case.pk)
    if not may_rate(case):
        raise ValidationError({"satisfaction": "该案件现在不能评价（尚未办结、已评价或已超过评价期限）。"})
    case.satisfaction = _satisfaction(satisfaction)
    case.satisfaction_note = (comment or "").strip()[:200]
    case.satisfaction_source, case.rated_datetime = SatisfactionSource.RESIDENT, _now()
    if satisfaction == Satisfaction.DISSATISFIED:
        case.callback_status = "pending"
    case.save()
    _log(
        case,
        "rating",
        by=_system_user(),
        note=case.get_satisfaction_display() + (f"：{case.satisfaction_note}" if case.satisfaction_note else ""),
        public_note=f"您的评价：{case.get_satisfaction_display()}",
    )
    return case


@transaction.atomic
def record_callback(case, *, by, note: str, satisfaction: str = "", reopen: bool = False):
    """回访: a clerk's call to the resident after a 不满意; may record a satisfaction from the
    call, and may reopen the case (a reopened repair keeps its receipt time and deadline)."""
    model = type(case)
    require(by, "case")
    case = _writable(model, case, by)
    if not (note or "").strip():
        raise ValidationError({"note": "请填写回访记录。"})
    if case.callback_status != "pending":
        raise ValidationError({"note": "该案件不在待回访名单上。"})
    if satisfaction and reopen:
        raise ValidationError({"satisfaction": "重新办理的案件办结后再登记满意度。"})
    previous = case.status
    case.callback_status, case.callback_note, case.callback_datetime = "done", note.strip()[:200], _now()
    if satisfaction:
        case.satisfaction = _satisfaction(satisfaction)
        case.satisfaction_note = note.strip()[:200]
        case.satisfaction_source, case.rated_datetime = SatisfactionSource.CALLBACK, case.callback_datetime
    if reopen:
        # The rating stays in the timeline; the case is open again and may be rated again once closed.
        case.satisfaction = case.satisfaction_note = case.satisfaction_source = ""
        case.rated_datetime = None
        case.reopened_count += 1
        if model is DisputeCase:
            case.status, case.closed_datetime = DisputeStatus.MEDIATING, None
        else:
            case.status = RepairStatus.DISPATCHED if case.team_id else RepairStatus.OPEN
            case.completed_datetime = case.arrived_datetime = None
    case.save()
    _log(case, "callback", by=by, note=case.callback_note)
    if reopen:
        _log(case, "reopen", by=by, previous=previous, public_note="回访后重新办理。")
    return case


def callback_cases(user):
    """The call-back list (回访) the user sees: cases rated 不满意 not yet called back."""
    return [
        model.objects.visible_to(user)
        .filter(callback_status="pending")
        .select_related("estate", "street")
        .order_by("rated_datetime", "id")
        for model, _first, _closed in _case_models()
    ]
