"""The district or street a report is narrowed to (?district=code&street=code), within scope."""

from __future__ import annotations

from communities.models import District, Street


def report_scope(user, params):
    """(district, street) chosen by the query, each None when not chosen or not visible."""
    district = street = None
    code = (params.get("street") or "").strip()
    if code:
        street = Street.objects.visible_to(user).select_related("district").filter(code=code).first()
    code = (params.get("district") or "").strip()
    if code and street is None:
        district = District.objects.visible_to(user).filter(code=code).first()
    return district, street
