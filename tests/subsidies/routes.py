"""The subsidies' routes in the permission matrix (tests/permission_matrix.py).

The object routes point at an approved 2019 sheet of 玄武区 with one row (estate MY101): the
city roles and 玄武区's staff and finance see it; 鼓楼区's do not (404); street, community and
evaluator roles have no access to subsidies at all (403)."""

from decimal import Decimal

from communities.models import District
from subsidies.models import Allocation, AllocationSheet, Policy
from tests.permission_matrix import CITY, GULOU, SIGNED_IN, XUANWU, Route, everyone, statuses

READERS = CITY | XUANWU | GULOU
NON_READERS = SIGNED_IN - READERS
SEES_SHEET = CITY | XUANWU
CITY_ADMINS = {"city_admin", "city_admin2"}
XUANWU_STAFF = {"xuanwu_staff", "xuanwu_staff2"}


def _sheet(world):
    sheet = AllocationSheet.objects.create(
        district=District.objects.get(name="玄武区"),
        year=2019,
        status="approved",
        estates=1,
        area=Decimal("21000.00"),
        management_fen=7_560_000,
        total_fen=7_560_000,
        city_fen=1_890_000,
        district_fen=5_670_000,
        approved_by=world.city_admin2,
    )
    estate = world.estates["MY101"]
    row = Allocation.objects.create(
        sheet=sheet,
        estate=estate,
        kind="management",
        policy=Policy.objects.filter(kind="management").first(),
        area=estate.building_area,
        score=Decimal("93.00"),
        grade="三星",
        rate=Decimal("3.60"),
        amount_fen=7_560_000,
        city_fen=1_890_000,
        district_fen=5_670_000,
        payee="梅园新村街道办事处",
    )
    return sheet, row


def sheet(world):
    return {"pk": _sheet(world)[0].pk}


def row(world):
    return {"pk": _sheet(world)[1].pk}


def policy(world):
    return {"pk": Policy.objects.filter(kind="management").first().pk}


def readers(status=200):
    return statuses(READERS, ok_status=status, forbidden=NON_READERS)


def on_sheet(ok, status, forbidden_extra=frozenset()):
    """ok get `status`; outside the readers 403; the rest (鼓楼区) 404."""
    return statuses(ok, ok_status=status, forbidden=(NON_READERS | set(forbidden_extra)) - set(ok))


ROUTES = [
    Route("subsidies:index", get=readers()),
    Route("subsidies:sheet_detail", get=on_sheet(SEES_SHEET, 200), kwargs=sheet),
    Route("subsidies:sheet_print", get=on_sheet(SEES_SHEET, 200), kwargs=sheet),
    # confirming is district_staff's step (city_admin does not take it over); 鼓楼区 staff: 404
    Route(
        "subsidies:sheet_confirm",
        get=None,
        kwargs=sheet,
        post=statuses(XUANWU_STAFF, ok_status=302, forbidden=SIGNED_IN - XUANWU_STAFF - {"gulou_staff"}),
    ),
    Route(
        "subsidies:sheet_approve",
        get=None,
        kwargs=sheet,
        post=statuses(CITY_ADMINS, ok_status=302, forbidden=SIGNED_IN - CITY_ADMINS),
    ),
    # finance may enter a payment: an empty one is refused with the page and its messages (400)
    Route(
        "subsidies:disbursement_new",
        get=None,
        kwargs=sheet,
        post=statuses(
            {"city_finance", "xuanwu_finance"},
            ok_status=400,
            forbidden=SIGNED_IN - {"city_finance", "xuanwu_finance", "gulou_finance"},
        ),
    ),
    Route(
        "subsidies:allocation_payee",
        get=None,
        kwargs=row,
        post=statuses(
            CITY_ADMINS | XUANWU_STAFF,
            ok_status=302,
            forbidden=SIGNED_IN - CITY_ADMINS - XUANWU_STAFF - {"gulou_staff"},
        ),
    ),
    Route("subsidies:disbursement_list", get=readers()),
    Route("subsidies:export", get=None, post=readers(302)),
    Route("subsidies:policy_list", get=readers()),
    Route(
        "subsidies:policy_detail",
        get=readers(),
        kwargs=policy,
        post=statuses(CITY_ADMINS, ok_status=400, forbidden=SIGNED_IN - CITY_ADMINS),
    ),
    Route("subsidies:budget", get=readers()),
    Route(
        "subsidies:what_if",
        get=statuses(CITY_ADMINS | {"city_finance"}, forbidden=SIGNED_IN - CITY_ADMINS - {"city_finance"}),
    ),
    # API: lists for every signed-in user (scoped, so possibly empty); objects in scope only.
    Route("api:allocation-sheet-list", get=everyone(anonymous=401)),
    Route("api:allocation-sheet-detail", get=statuses(SEES_SHEET, anonymous=401), kwargs=sheet),
    Route("api:allocation-list", get=everyone(anonymous=401)),
    Route("api:allocation-detail", get=statuses(SEES_SHEET, anonymous=401), kwargs=row),
]
