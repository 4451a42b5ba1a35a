"""Small helpers for the disputes tests: Shanghai times and cases made through the services."""

from __future__ import annotations

import datetime as dt

from disputes import services
from disputes.limits import SHANGHAI


def sh(*args) -> dt.datetime:
    """An aware Asia/Shanghai datetime: sh(2019, 12, 31, 23, 30)."""
    return dt.datetime(*args, tzinfo=SHANGHAI)


def dispute(world, estate="MY101", at=None, by="meiyuan_clerk", category="property_fee", **extra):
    return services.create_dispute(
        by=world.users[by],
        estate=world.estates[estate],
        service_code=category,
        requested_datetime=at or sh(2019, 3, 1, 9, 0),
        **extra,
    )


def closed_dispute(world, received, closed, outcome="resolve", estate="MY101", by="meiyuan_clerk"):
    case = dispute(world, estate=estate, at=received, by=by)
    if outcome == "resolve":
        services.transition_dispute(case, "start", by=world.users[by], at=received)
    services.transition_dispute(case, outcome, by=world.users[by], at=closed)
    case.refresh_from_db()
    return case


def repair(world, estate="MY101", at=None, urgency="urgent", by="meiyuan_clerk", category="water_pipe", **extra):
    return services.create_repair(
        by=world.users[by],
        estate=world.estates[estate],
        service_code=category,
        urgency=urgency,
        requested_datetime=at or sh(2019, 4, 1, 8, 0),
        **extra,
    )


def team(world, street="梅园新村街道", name="梅园维修一队", by="city_admin"):
    from communities.models import Street

    return services.save_team(
        by=world.users[by], street=Street.objects.get(name=street), name=name, kind="own", phone="025-84000000"
    )


def completed_repair(world, reported, completed, urgency="urgent", estate="MY101", by="meiyuan_clerk", cost=None):
    case = repair(world, estate=estate, at=reported, urgency=urgency, by=by)
    street = world.estates[estate].street
    crew = street.repair_teams.first() or team(world, street=street.name, name=f"{street.short_name}维修队")
    services.dispatch_repair(case, by=world.users[by], team=crew, at=reported)
    services.complete_repair(case, by=world.users[by], at=completed, cost=cost)
    case.refresh_from_db()
    return case
