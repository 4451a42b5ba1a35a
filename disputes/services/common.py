"""The pieces every case service shares: the scope lock (_writable), the estate check, the
public note and the satisfaction value, and the two steps every resident case takes alike
(进展情况 notes and the 回访 satisfaction), which each kind's service calls with its own words."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.rules import require
from communities.models import Estate
from core.locking import check_version, seen_version
from core.validation import text_errors

from .. import validation as v
from ..choices import (
    Satisfaction,
    SatisfactionSource,
)
from ..limits import as_shanghai

NO_LIMIT = "没有适用的处理时限，请联系市房产局在“处理时限”中维护。"


def _writable(model, obj, user):
    """The object, locked, if the user may write it (scope); PermissionDenied otherwise.

    For a versioned case (core.locking) marked with the version the user saw (the page's
    hidden field, the API's If-Match): EditConflict if the case changed since."""
    locked = model.objects.writable_by(user).select_for_update().filter(pk=obj.pk).first()
    if locked is None:
        raise PermissionDenied("该记录不在您的辖区内，不能修改。")
    if hasattr(locked, "version"):
        check_version(locked, seen_version(obj))
    return locked


def writable_estate(user, estate) -> Estate:
    """The estate, if the user may record cases for it; a ValidationError otherwise (the same
    words for an unknown estate and one outside the user's scope)."""
    if estate is None:
        raise ValidationError({"estate": v.ESTATE_NOT_FOUND})
    pk = estate.pk if isinstance(estate, Estate) else estate
    found = Estate.objects.writable_by(user).filter(pk=pk).first()
    if found is None:
        raise ValidationError({"estate": v.ESTATE_NOT_FOUND})
    return found


def _estate_or_error(user, estate, errors: dict):
    """writable_estate, its refusal collected into `errors` with the other rules' (every
    message in one round) rather than raised alone."""
    try:
        return writable_estate(user, estate)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        return None


def _now():
    return timezone.now()


def _public(case, public_note: str) -> str:
    """A note staff mark 对居民公开: kept on the step and, as the latest, on the case."""
    public_note = (public_note or "").strip()[:500]
    if public_note:
        case.public_note = public_note
    return public_note


def _satisfaction(value: str) -> str:
    if value not in Satisfaction.values:
        raise ValidationError({"satisfaction": "请选择满意度：满意、基本满意或不满意。"})
    return value


def add_note(model, case, *, by, note: str, public_note: str = "", at=None, received_label: str):
    """进展情况 of a resident case (a dispute, a repair): an internal note and/or one for the
    resident (对居民公开), at `at` (default now, not before the case was received), recorded as
    the case's latest note and as an event. The caller holds the transaction."""
    require(by, "case")
    case = _writable(model, case, by)
    if not note.strip() and not public_note.strip():
        raise ValidationError({"note": "请填写进展情况。"})
    v.raise_if(text_errors({}, note=(note, "note"), public_note=(public_note, "note")))
    at = as_shanghai(at) if at else _now()
    v.raise_if(v.step_time_errors(at, after=case.requested_datetime, after_label=received_label, label="记录时间"))
    if note.strip():
        case.status_notes = note.strip()[:500]
    public_note = _public(case, public_note)
    case.save(update_fields=["status_notes", "public_note", "updated_datetime"])
    case.events.create(
        action=case.events.model.Action.NOTE, at=at, actor=by, note=note.strip(), public_note=public_note
    )
    return case


def record_satisfaction(model, case, *, by, satisfaction: str, note: str, done_field: str, not_done: str):
    """回访: the resident's satisfaction with a resident case once it is done (`done_field` set,
    else `not_done` on the satisfaction field), recorded on the case and as an event. The caller
    holds the transaction."""
    require(by, "case")
    case = _writable(model, case, by)
    if getattr(case, done_field) is None:
        raise ValidationError({"satisfaction": not_done})
    case.satisfaction = _satisfaction(satisfaction)
    case.satisfaction_note = note.strip()[:200]
    case.satisfaction_source, case.rated_datetime = SatisfactionSource.CALLBACK, _now()
    case.save()
    case.events.create(
        action=case.events.model.Action.SATISFACTION,
        at=_now(),
        actor=by,
        note=f"{case.get_satisfaction_display()}{('：' + case.satisfaction_note) if case.satisfaction_note else ''}",
    )
    return case


def save_step(case, *, previous: str, action: str, at, by, note: str, public_note: str, event_note=None):
    """Save a step that moved a case from `previous` to the status the caller set (with its
    times): the note as the case's latest, the public note (对居民公开), and the event that
    records the move (`event_note`, if the event says more than the note)."""
    if note:
        case.status_notes = note[:500]
    public_note = _public(case, public_note)
    case.save()
    case.events.create(
        action=action,
        from_status=previous,
        to_status=case.status,
        at=at,
        actor=by,
        note=note if event_note is None else event_note,
        public_note=public_note,
    )
    return case
