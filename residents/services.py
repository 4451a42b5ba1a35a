"""The residents' channel (居民自报): estate entry tokens, and a resident's report with its
photos and notifications. The cases themselves are made by disputes.services (one workflow)."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from accounts.rules import require
from communities.models import Estate
from core.errors import OutOfScope
from disputes import services as cases

from . import notify
from .models import EstateEntry
from .photos import clean_photos


def new_token() -> str:
    return secrets.token_urlsafe(24)  # 192 bits: not guessable, not countable


def active_entry(token: str) -> EstateEntry | None:
    """The estate entry of this token, if it exists and was not revoked."""
    if not token or len(token) > 64:
        return None
    return (
        EstateEntry.objects.select_related("estate", "estate__street")
        .filter(token=token, revoked_at__isnull=True)
        .first()
    )


def managed_estate(user, pk) -> Estate:
    """The estate, if this user looks after its posters (street clerk of its street, city_admin)."""
    require(user, "station")
    estate = Estate.objects.writable_by(user).filter(pk=pk).first()
    if estate is None:
        raise OutOfScope("小区不存在或不在您的辖区内。")  # out of scope: it does not exist for this user
    return estate


@transaction.atomic
def entry_for(estate: Estate, *, by) -> EstateEntry:
    """The estate's active entry, made on first use."""
    found = EstateEntry.objects.select_for_update().filter(estate=estate, revoked_at__isnull=True).first()
    return found or EstateEntry.objects.create(estate=estate, token=new_token(), created_by=by)


@transaction.atomic
def regenerate_entry(estate: Estate, *, by) -> EstateEntry:
    """A new token; the old one (and its posters) stop working at once."""
    EstateEntry.objects.select_for_update().filter(estate=estate, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return EstateEntry.objects.create(estate=estate, token=new_token(), created_by=by)


def new_resident_cases_count(user) -> int:
    return cases.new_resident_cases_count(user)


@transaction.atomic
def submit_report(
    *,
    entry: EstateEntry,
    kind: str,
    service_code: str,
    urgency: str,
    description: str,
    building: str,
    unit: str,
    room: str,
    name: str,
    phone: str,
    photos,
    tracking_url=None,
):
    """The resident's report: photos checked first (nothing is written if one is refused), then
    the case, its photos as attachments, and — once the transaction commits — the street told
    and, given `tracking_url(token)`, the resident sent the receipt and the link."""
    cleaned = clean_photos(photos)
    case = cases.receive_resident_report(
        kind=kind,
        estate=entry.estate,
        service_code=service_code,
        urgency=urgency,
        description=description,
        building=building,
        unit=unit,
        room=room,
        name=name,
        phone=phone,
    )
    for photo in cleaned:
        cases.add_attachment(case, by=case.created_by, upload=photo)
    notify.new_report(case)
    if tracking_url is not None:
        notify.receipt(case, phone, tracking_url(case.tracking_token))
    return case


def find_by_tracking(token: str):
    """The case of a tracking token (either kind), or None."""
    from disputes.models import DisputeCase, RepairRequest

    if not token or len(token) > 64:
        return None
    for model, related in ((RepairRequest, ("team",)), (DisputeCase, ())):
        case = (
            model.objects.select_related("estate", "street", "district", *related).filter(tracking_token=token).first()
        )
        if case is not None:
            return case
    return None


def rate(case, *, satisfaction: str, comment: str = ""):
    with transaction.atomic():
        case = cases.rate_by_resident(case, satisfaction=satisfaction, comment=comment)
        if case.satisfaction == "dissatisfied":
            notify.dissatisfied(case)
    return case
