"""Factory helpers of the organisation tests."""

from __future__ import annotations

import datetime as dt

from staffing.models import StaffMember

SINCE = dt.date(2020, 1, 1)


def add_staff(
    unit, n: int = 1, *, post: str | None = None, full_time: bool = True, since=SINCE, until=None, name: str = "人员"
) -> list[StaffMember]:
    """`n` staff of a District, Street or Community in `post` (the unit's counted post by default)."""
    level = type(unit).__name__.lower()
    post = post or ("advisor" if level == "community" else "staff")
    ids = {"district": None, "street": None, "community": None}
    if level == "district":
        ids["district"] = unit
    elif level == "street":
        ids.update(district=unit.district, street=unit)
    else:
        ids.update(district=unit.district, street=unit.street, community=unit)
    return [
        StaffMember.objects.create(
            level=level, name=f"{name}{i}", post=post, full_time=full_time, since=since, until=until, **ids
        )
        for i in range(n)
    ]
