"""The permission matrix of the two stations (spec/roles.md): pages and API.

Objects are of estate MY101 (梅园新村街道, community MY1). Cases are written by the street
clerk and the community advisor of their street/community (and city_admin); referrals, filings,
stations by the street clerk (and city_admin); everyone in scope reads.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.permission_matrix import CITY, SEES_MEIYUAN_STREET, SEES_MY101, SIGNED_IN, Route, everyone, statuses

CASE_WRITERS = frozenset(
    {
        "city_admin",
        "city_admin2",
        "meiyuan_clerk",
        "xinjiekou_clerk",
        "ninghai_clerk",
        "meiyuan_advisor",
        "xinjiekou_advisor",
    }
)
STREET_WRITERS = frozenset({"city_admin", "city_admin2", "meiyuan_clerk", "xinjiekou_clerk", "ninghai_clerk"})
MY101_CASE_WRITERS = frozenset({"city_admin", "city_admin2", "meiyuan_clerk", "meiyuan_advisor"})
MY101_STREET_WRITERS = frozenset({"city_admin", "city_admin2", "meiyuan_clerk"})
SEES_MEIYUAN_STATIONS = SEES_MEIYUAN_STREET | {"meiyuan_advisor"}


def _sh(*args):
    from disputes.limits import SHANGHAI

    return dt.datetime(*args, tzinfo=SHANGHAI)


def _dispute(world):
    from disputes import services

    return services.create_dispute(
        by=world.meiyuan_clerk,
        estate=world.estates["MY101"],
        service_code="parking",
        party_name="张三",
        party_phone="13812345678",
        requested_datetime=_sh(2019, 3, 1, 9),
    )


def _repair(world):
    from disputes import services

    return services.create_repair(
        by=world.meiyuan_clerk,
        estate=world.estates["MY101"],
        service_code="drain",
        urgency="urgent",
        requested_datetime=_sh(2019, 4, 1, 8),
    )


def _team(world):
    from disputes import services

    return services.save_team(
        by=world.meiyuan_clerk,
        street=world.estates["MY101"].street,
        name="梅园维修队",
        kind="own",
        phone="025-84000000",
    )


def dispute(world):
    return {"pk": _dispute(world).pk}


def repair(world):
    return {"pk": _repair(world).pk}


def referral(world):
    from disputes import services
    from disputes.models import Department

    r = services.create_referral(
        by=world.meiyuan_clerk,
        estate=world.estates["MY101"],
        department=Department.objects.get(code="urban_management"),
        problem="违章搭建",
        referred_on=dt.date(2020, 5, 1),
        due_on=dt.date(2020, 5, 31),
    )
    return {"pk": r.pk}


def filing(world):
    from disputes import services

    f = services.create_filing(
        by=world.meiyuan_clerk,
        estate=world.estates["MY101"],
        kind="service_contract",
        summary="物业服务合同备案",
        applicant="某物业公司",
        submitted_on=dt.date(2020, 1, 2),
        firm=_firm(),
        contract_start=dt.date(2020, 1, 1),
        contract_end=dt.date(2022, 12, 31),
    )
    return {"pk": f.pk}


def _firm():
    from tests.factories import ServiceFirmFactory

    return ServiceFirmFactory()


def attachment(world):
    from disputes import services

    a = services.add_attachment(
        _dispute(world),
        by=world.meiyuan_clerk,
        upload=SimpleUploadedFile("调解协议.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
    )
    return {"pk": a.pk}


def meiyuan(world):
    return {"street_id": world.estates["MY101"].street_id}


def meiyuan_station(world):
    return {"street_id": world.estates["MY101"].street_id, "kind": "repair"}


def meiyuan_team(world):
    return {"street_id": world.estates["MY101"].street_id, "pk": _team(world).pk}


def station_pk(world):
    from disputes import services

    s = services.save_station(
        by=world.meiyuan_clerk,
        street=world.estates["MY101"].street,
        kind="repair",
        name="梅园新村街道应急维修服务站",
        address="长江路1号",
        phone="025-84000001",
        hours="24小时",
    )
    return {"pk": s.pk}


def team_pk(world):
    return {"pk": _team(world).pk}


def estate_year(world):
    return {"estate_pk": world.estates["MY101"].pk, "year": 2019}


def first_department(world):
    from disputes.models import Department

    return {"pk": Department.objects.get(code="housing").pk}


def first_limit(world):
    from disputes.models import TimeLimit

    return {"pk": TimeLimit.objects.first().pk}


def _writers(writers, in_scope_readers, **kw):
    """Writers get ok; those who see the object but may not write it 403; the rest 404."""
    return statuses(writers, forbidden=frozenset(in_scope_readers) - frozenset(writers), **kw)


def _role_gate(writers, ok_status=200, **kw):
    return statuses(writers, ok_status=ok_status, forbidden=SIGNED_IN - frozenset(writers), **kw)


NOT_ALLOWED = statuses(SIGNED_IN, ok_status=405)
API_NOT_ALLOWED = statuses(SIGNED_IN, ok_status=405, anonymous=401)

ROUTES = [
    # pages
    Route("disputes:home", get=everyone()),
    Route("disputes:dispute_list", get=everyone()),
    Route("disputes:dispute_create", get=_role_gate(CASE_WRITERS), post=_role_gate(CASE_WRITERS)),
    Route("disputes:dispute_detail", get=statuses(SEES_MY101), kwargs=dispute),
    Route("disputes:dispute_step", get=NOT_ALLOWED, post=_writers(MY101_CASE_WRITERS, SEES_MY101), kwargs=dispute),
    Route("disputes:dispute_import", get=_role_gate(CASE_WRITERS), post=_role_gate(CASE_WRITERS, ok_status=400)),
    Route("disputes:dispute_import_template", get=everyone()),
    Route("disputes:repair_list", get=everyone()),
    Route("disputes:repair_create", get=_role_gate(CASE_WRITERS), post=_role_gate(CASE_WRITERS)),
    Route("disputes:repair_detail", get=statuses(SEES_MY101), kwargs=repair),
    Route("disputes:repair_step", get=NOT_ALLOWED, post=_writers(MY101_CASE_WRITERS, SEES_MY101), kwargs=repair),
    Route("disputes:repair_import", get=_role_gate(CASE_WRITERS), post=_role_gate(CASE_WRITERS, ok_status=400)),
    Route("disputes:repair_import_template", get=everyone()),
    Route("disputes:overdue_list", get=everyone()),
    Route("disputes:overdue_list", get=everyone(), query="kind=disputes&street=1"),
    Route("disputes:referral_list", get=everyone()),
    Route("disputes:referral_create", get=_role_gate(STREET_WRITERS), post=_role_gate(STREET_WRITERS)),
    Route("disputes:referral_departments", get=everyone()),
    Route("disputes:referral_detail", get=statuses(SEES_MY101), kwargs=referral),
    Route("disputes:referral_step", get=NOT_ALLOWED, post=_writers(MY101_STREET_WRITERS, SEES_MY101), kwargs=referral),
    Route("disputes:filing_list", get=everyone()),
    Route("disputes:filing_create", get=_role_gate(STREET_WRITERS), post=_role_gate(STREET_WRITERS)),
    Route("disputes:filing_detail", get=statuses(SEES_MY101), kwargs=filing),
    Route("disputes:filing_step", get=NOT_ALLOWED, post=_writers(MY101_STREET_WRITERS, SEES_MY101), kwargs=filing),
    Route("disputes:station_list", get=everyone()),
    Route("disputes:station_street", get=statuses(SEES_MEIYUAN_STATIONS), kwargs=meiyuan),
    Route(
        "disputes:station_edit",
        get=_writers(MY101_STREET_WRITERS, SEES_MEIYUAN_STATIONS),
        post=_writers(MY101_STREET_WRITERS, SEES_MEIYUAN_STATIONS),
        kwargs=meiyuan_station,
    ),
    Route(
        "disputes:team_create",
        get=_writers(MY101_STREET_WRITERS, SEES_MEIYUAN_STATIONS),
        post=_writers(MY101_STREET_WRITERS, SEES_MEIYUAN_STATIONS),
        kwargs=meiyuan,
    ),
    Route(
        "disputes:team_edit",
        get=_writers(MY101_STREET_WRITERS, SEES_MEIYUAN_STATIONS),
        post=_writers(MY101_STREET_WRITERS, SEES_MEIYUAN_STATIONS),
        kwargs=meiyuan_team,
    ),
    Route("disputes:attachment_download", get=statuses(SEES_MY101), kwargs=attachment),
    Route("disputes:estate_cases", get=statuses(SEES_MY101), kwargs=estate_year),
    # an export is a job for whoever asks; it holds what the asker may see
    Route(
        "disputes:export",
        get=NOT_ALLOWED,
        post=statuses(SIGNED_IN, ok_status=302),
        kwargs=lambda w: {"list_name": "disputes"},
    ),
    Route(
        "disputes:export",
        get=None,
        post=statuses(SIGNED_IN, ok_status=302),
        kwargs=lambda w: {"list_name": "overdue_repairs"},
    ),
    Route(
        "disputes:export", get=None, post=statuses(SIGNED_IN, ok_status=404), kwargs=lambda w: {"list_name": "nonsense"}
    ),
    # API
    Route("api:dispute-list", get=everyone(anonymous=401), post=_role_gate(CASE_WRITERS, ok_status=400, anonymous=401)),
    Route("api:dispute-detail", get=statuses(SEES_MY101, anonymous=401), kwargs=dispute),
    Route(
        "api:dispute-step",
        get=API_NOT_ALLOWED,
        post=_writers(MY101_CASE_WRITERS, SEES_MY101, ok_status=400, anonymous=401),
        kwargs=dispute,
    ),
    Route("api:repair-list", get=everyone(anonymous=401), post=_role_gate(CASE_WRITERS, ok_status=400, anonymous=401)),
    Route("api:repair-detail", get=statuses(SEES_MY101, anonymous=401), kwargs=repair),
    Route(
        "api:repair-step",
        get=API_NOT_ALLOWED,
        post=_writers(MY101_CASE_WRITERS, SEES_MY101, ok_status=400, anonymous=401),
        kwargs=repair,
    ),
    Route(
        "api:referral-list", get=everyone(anonymous=401), post=_role_gate(STREET_WRITERS, ok_status=400, anonymous=401)
    ),
    Route("api:referral-detail", get=statuses(SEES_MY101, anonymous=401), kwargs=referral),
    Route(
        "api:referral-step",
        get=API_NOT_ALLOWED,
        post=_writers(MY101_STREET_WRITERS, SEES_MY101, ok_status=400, anonymous=401),
        kwargs=referral,
    ),
    Route("api:filing-list", get=everyone(anonymous=401), post=API_NOT_ALLOWED),
    Route("api:filing-detail", get=statuses(SEES_MY101, anonymous=401), kwargs=filing),
    Route("api:station-list", get=everyone(anonymous=401)),
    Route("api:station-detail", get=statuses(SEES_MEIYUAN_STATIONS, anonymous=401), kwargs=station_pk),
    Route("api:repair-team-list", get=everyone(anonymous=401)),
    Route("api:repair-team-detail", get=statuses(SEES_MEIYUAN_STATIONS, anonymous=401), kwargs=team_pk),
    Route("api:department-list", get=everyone(anonymous=401)),
    Route("api:department-detail", get=everyone(anonymous=401), kwargs=first_department),
    Route("api:time-limit-list", get=everyone(anonymous=401)),
    Route("api:time-limit-detail", get=everyone(anonymous=401), kwargs=first_limit),
]

assert CITY <= SEES_MY101
