"""Residents' personal data on cases (party and reporter names, phone numbers): shown in full
only to the street clerk of the case's street and the community advisor of its community, the
people who handle it (spec/roles.md); masked (core.privacy) for everyone else, the city and the
district included. Pages, the API and exports all ask here."""

from __future__ import annotations

from accounts.choices import Role
from core.privacy import mask_name, mask_phone

PERSONAL_FIELDS = {
    "DisputeCase": (("party_name", mask_name), ("party_phone", mask_phone), ("respondent", mask_name)),
    "RepairRequest": (("reporter_name", mask_name), ("reporter_phone", mask_phone)),
}


def handles(user, case) -> bool:
    """Is this user one who handles the case (its street's clerk, its community's advisor)?"""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.role == Role.STREET_CLERK:
        return bool(user.street_id) and user.street_id == case.street_id
    if user.role == Role.COMMUNITY_ADVISOR:
        return bool(user.community_id) and user.community_id == case.community_id
    return False


def shown(user, case, field: str) -> str:
    """The value of a personal field as this user may see it."""
    value = getattr(case, field) or ""
    if handles(user, case):
        return value
    for name, mask in PERSONAL_FIELDS[type(case).__name__]:
        if name == field:
            return mask(value)
    raise KeyError(field)


def apply(user, cases):
    """Set `<field>_shown` on every case (no query: the scope ids are on the row)."""
    for case in cases:
        reveal = handles(user, case)
        for name, mask in PERSONAL_FIELDS[type(case).__name__]:
            value = getattr(case, name) or ""
            setattr(case, f"{name}_shown", value if reveal else mask(value))
    return cases
