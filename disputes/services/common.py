"""The pieces every case service shares: the scope lock (_writable), the estate check, the
public note and the satisfaction value."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from communities.models import Estate
from core.locking import check_version, seen_version

from .. import validation as v
from ..choices import (
    Satisfaction,
)

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
