"""Residents' personal data (PIPL): names and phone numbers of parties are shown masked to every
role but the street or community that handles the case (spec/roles.md)."""

from __future__ import annotations


def mask_phone(value: str | None) -> str:
    """138****5678 for a mobile; the middle of any other number likewise."""
    if not value:
        return ""
    digits = value.strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    keep_head = 3 if len(digits) >= 8 else 1
    return digits[:keep_head] + "*" * (len(digits) - keep_head - 4) + digits[-4:]


def mask_name(value: str | None) -> str:
    """张** : the family name and stars."""
    if not value:
        return ""
    value = value.strip()
    return value[0] + "*" * max(1, len(value) - 1)
