"""Factory helpers of the registry tests."""

from __future__ import annotations


def members(n: int = 5, *, director_phone: str = "13912345678", owners: int | None = None) -> list[dict]:
    """A valid member list for a committee (OrganisationNorm: 5–11 members, owners at least half):
    a director 王主任 with `director_phone`, then 委员1… ; the first `owners` are owners (all by default)."""
    owners = n if owners is None else owners
    rows = [{"name": "王主任", "role": "director", "phone": director_phone, "is_owner": owners > 0}]
    rows += [{"name": f"委员{i}", "role": "member", "is_owner": i < owners} for i in range(1, n)]
    return rows
