"""The permission matrix of the other systems' access: the key page is city_admin's alone; the
Open311 GeoReport v2 endpoints answer everyone, signed in or not (as Open311 clients expect),
with public fields only. POST requests.json without a key: 401 for everyone."""

from __future__ import annotations

from tests.permission_matrix import PERSONAS, Route, statuses

CITY_ADMINS = frozenset({"city_admin", "city_admin2"})


def _all(status: int) -> dict[str, int]:
    return dict.fromkeys(PERSONAS, status)


def key(world):
    from integrations.keys import issue_key

    stored, _ = issue_key(name="玄武区12345热线", districts=["320102"], days=30)
    return {"prefix": stored.prefix}


def repair_number(world):
    from disputes import services

    repair = services.create_repair(
        by=world.meiyuan_clerk, estate=world.estates["MY101"], service_code="drain", urgency="urgent"
    )
    return {"request_id": repair.number}


def token(world):
    from disputes import services
    from integrations.keys import issue_key
    from integrations.models import Open311Request

    stored, _ = issue_key(name="玄武区12345热线", districts=["320102"], days=30)
    repair = services.create_repair(
        by=world.meiyuan_clerk,
        estate=world.estates["MY101"],
        service_code="drain",
        urgency="urgent",
        channel="hotline_12345",
    )
    return {"token": Open311Request.objects.create(api_key=stored, repair=repair).token}


def _format(name: str, fmt: str) -> str:
    return f"api:georeport-{name}" if fmt == "json" else f"api:georeport-{name}-xml"


ROUTES = [
    Route("integrations:key_list", get=statuses(CITY_ADMINS, forbidden=frozenset(PERSONAS) - CITY_ADMINS)),
    Route(
        "integrations:key_revoke",
        get=statuses(set(), others=405),
        kwargs=key,
        post=statuses(set(), anonymous=302, others=403, city_admin=302, city_admin2=302),
    ),
]
for fmt in ("json", "xml"):
    ROUTES += [
        Route(_format("discovery", fmt), get=_all(200)),
        Route(_format("services", fmt), get=_all(200)),
        Route(_format("service", fmt), get=_all(200), kwargs=lambda world: {"service_code": "water_pipe"}),
        Route(_format("requests", fmt), get=_all(200), post=_all(401)),
        Route(_format("request", fmt), get=_all(200), kwargs=repair_number),
        Route(_format("token", fmt), get=_all(200), kwargs=token),
    ]
