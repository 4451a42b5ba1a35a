"""The permission matrix of the residents' channel.

Public pages (the estate's entry, the tracking page, the captcha image) answer everyone, the
anonymous visitor included — they are reached by an unguessable token, not by a login, and
show only their own estate or case. The staff pages (the entry link, the poster) are for the
street clerk of the estate's street and city_admin."""

from __future__ import annotations

from tests.permission_matrix import PERSONAS, SEES_MY101, SIGNED_IN, Route, statuses

MY101_STREET_WRITERS = frozenset({"city_admin", "city_admin2", "meiyuan_clerk"})
MY101_CASE_WRITERS = frozenset({"city_admin", "city_admin2", "meiyuan_clerk", "meiyuan_advisor"})
OTHER_STREET_CLERKS = frozenset({"xinjiekou_clerk", "ninghai_clerk"})


def public(status: int = 200) -> dict[str, int]:
    return {persona: status for persona in PERSONAS}


def staff(ok_status: int = 200) -> dict[str, int]:
    return statuses(
        MY101_STREET_WRITERS, ok_status=ok_status, forbidden=SIGNED_IN - MY101_STREET_WRITERS - OTHER_STREET_CLERKS
    )


def _entry(world):
    from residents import services

    return services.entry_for(world.estates["MY101"], by=world.meiyuan_clerk)


def entry_token(world):
    return {"token": _entry(world).token}


def _resident_repair(world):
    from residents import services

    return services.submit_report(
        entry=_entry(world),
        kind="repair",
        service_code="drain",
        urgency="normal",
        description="下水道堵塞",
        building="1",
        unit="1",
        room="101",
        name="王五",
        phone="13700001234",
        photos=[],
    )


def tracking_token(world):
    return {"token": _resident_repair(world).tracking_token}


def dissatisfied_repair(world):
    from disputes import services
    from residents import services as resident_services
    from tests.disputes.helpers import team

    repair = _resident_repair(world)
    services.dispatch_repair(repair, by=world.meiyuan_clerk, team=team(world))
    services.complete_repair(repair, by=world.meiyuan_clerk)
    repair.refresh_from_db()
    resident_services.rate(repair, satisfaction="dissatisfied", comment="还在漏")
    return {"kind": "repairs", "pk": repair.pk}


def estate(world):
    return {"pk": world.estates["MY101"].pk}


ROUTES = [
    # public: no login; an empty POST is the form again with its messages (400), nothing written
    Route("residents:entry", get=public(), post=public(400), kwargs=entry_token, token_estate="MY101"),
    Route("residents:track", get=public(), post=public(400), kwargs=tracking_token, token_estate="MY101"),
    Route("residents:captcha", get=public()),
    # staff
    Route("residents:manage", get=staff(), post=staff(302), kwargs=estate),
    Route("residents:poster", get=staff(), kwargs=estate),
    # the call-back list (in disputes, for the clerks)
    Route("disputes:callback_list", get=statuses(SIGNED_IN)),
    Route(
        "disputes:callback_record",
        get=None,
        post=statuses(MY101_CASE_WRITERS, ok_status=400, forbidden=SEES_MY101 - MY101_CASE_WRITERS),
        kwargs=dissatisfied_repair,
    ),
]
