"""Lookups of the registry that other apps' importers and commands share (查找).

They live here, not in core: core is the shared layer below the registry and knows no estate or
district; the importers and commands of the apps above call these."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.management.base import CommandError

from .models import District, Estate

CODES_PER_QUERY = 1000


def estates_by_code(user, codes: Iterable[str], writable: bool = False) -> dict:
    """Estates the user can see (or write) by code, in one query per thousand codes. A code
    outside the scope is simply absent: the message is the same as for an unknown code."""
    codes = [c for c in set(codes) if c]
    found = {}
    for start in range(0, len(codes), CODES_PER_QUERY):
        qs = Estate.objects.filter(code__in=codes[start : start + CODES_PER_QUERY])
        qs = qs.writable_by(user) if writable else qs.visible_to(user)
        found.update(
            {
                e.code: e
                for e in qs.only(
                    "id", "code", "category", "district_id", "street_id", "community_id", "renovation_year"
                )
            }
        )
    return found


def district_ids(name: str | None) -> list[int] | None:
    """A command's `--district NAME` (玄武区 or 玄武) → [its id]; None without the option."""
    if not name:
        return None
    name = name.strip()
    matches = list(District.objects.filter(name=name)) or list(District.objects.filter(short_name=name))
    if len(matches) != 1:
        raise CommandError(f"区“{name}”不存在。")
    return [matches[0].pk]
