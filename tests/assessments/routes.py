"""The assessment's routes in the permission matrix (tests/permission_matrix.py)."""

import datetime as dt
from decimal import Decimal

from assessments.models import Appeal, CycleRun, EstateResult, Inspection, Notice, Scheme
from tests.permission_matrix import CITY, SEES_MY101, SIGNED_IN, Route, everyone, statuses

INSPECTION_WRITERS = {
    "city_admin",
    "city_admin2",
    "xuanwu_staff",
    "xuanwu_staff2",
    "gulou_staff",
    "meiyuan_clerk",
    "xinjiekou_clerk",
    "ninghai_clerk",
    "evaluator",
}
FEE_WRITERS = INSPECTION_WRITERS - {"evaluator"}
CITY_ADMINS = {"city_admin", "city_admin2"}
XUANWU_STAFF = {"xuanwu_staff", "xuanwu_staff2"}
AUTHOR = {"meiyuan_clerk", "city_admin", "city_admin2"}


def scheme(world):
    return {"pk": Scheme.objects.get(version=1).pk}


def inspection(world):
    insp = Inspection(
        estate=world.estates["MY101"],
        date=dt.date(2019, 5, 1),
        inspector_name="张三",
        status="submitted",
        scores={"cleanliness": "14", "order": "13", "greening": "9", "facilities": "8"},
        total_tenths=440,
        created_by=world.meiyuan_clerk,
    )
    insp.save()
    return {"pk": insp.pk}


def draft_inspection(world):
    """A draft of meiyuan_clerk: theirs (and 梅园新村街道's) until submitted (issue 20 point 7)."""
    insp = Inspection(
        estate=world.estates["MY101"],
        date=dt.date(2019, 5, 1),
        inspector_name="张三",
        status="draft",
        scores={"cleanliness": "14"},
        total_tenths=140,
        created_by=world.meiyuan_clerk,
    )
    insp.save()
    return {"pk": insp.pk}


def _result(world):
    # Reused when present, so that several routes can point into one world (the scope test).
    run = CycleRun.objects.filter(year=2019, is_current=True).first() or CycleRun.objects.create(
        year=2019,
        scheme=Scheme.objects.get(version=1),
        created_by=world.city_admin,
        status="succeeded",
        is_current=True,
    )
    estate = world.estates["MY101"]
    existing = EstateResult.objects.filter(estate=estate, year=2019, is_current=True).first()
    if existing:
        return existing
    return EstateResult.objects.create(
        run=run,
        year=2019,
        is_current=True,
        estate=estate,
        assessed=True,
        management=Decimal("45"),
        effectiveness=Decimal("20"),
        fee=Decimal("20"),
        size=Decimal("8"),
        total=Decimal("93"),
        grade="三星",
        scheme_version=1,
        category=estate.category,
        building_area=estate.building_area,
    )


def run(world):
    return {"pk": _result(world).run_id}


def result(world):
    return {"result_pk": _result(world).pk}


def appeal(world):
    r = _result(world)
    a = Appeal.objects.create(estate=r.estate, year=2019, result=r, reason="检查有误", filed_by=world.meiyuan_clerk)
    return {"pk": a.pk}


def notice(world):
    return {"pk": Notice.objects.create(year=2019, title="提醒").pk}


def year(world):
    return {"year": 2019}


def writers(ok, status=200):
    return statuses(ok, ok_status=status, forbidden=SIGNED_IN - set(ok))


ROUTES = [
    Route("assessments:index", get=everyone()),
    Route("assessments:notice_dismiss", get=None, kwargs=notice, post=writers(CITY_ADMINS, 302)),
    Route("assessments:scheme_list", get=everyone()),
    Route("assessments:scheme_detail", get=everyone(), kwargs=scheme, post=writers(CITY_ADMINS, 400)),
    Route("assessments:scheme_new_version", get=None, kwargs=scheme, post=writers(CITY_ADMINS, 302)),
    Route("assessments:inspection_list", get=everyone()),
    Route("assessments:inspection_new", get=writers(INSPECTION_WRITERS), post=writers(INSPECTION_WRITERS, 400)),
    Route("assessments:inspection_checklist", get=writers(INSPECTION_WRITERS)),
    Route("assessments:inspection_export", get=None, post=everyone(302)),
    Route("assessments:inspection_detail", get=statuses(SEES_MY101), kwargs=inspection),
    # A draft: the author's street only; the district, the city and the evaluator do not see it.
    Route("assessments:inspection_detail", get=statuses({"meiyuan_clerk"}), kwargs=draft_inspection),
    # Editing: the author (meiyuan_clerk) and city_admin; others in write scope 403, outside 404.
    Route(
        "assessments:inspection_edit",
        kwargs=inspection,
        get=statuses(AUTHOR, forbidden=SIGNED_IN - AUTHOR - {"gulou_staff", "xinjiekou_clerk", "ninghai_clerk"}),
        post=statuses(
            AUTHOR, ok_status=400, forbidden=SIGNED_IN - AUTHOR - {"gulou_staff", "xinjiekou_clerk", "ninghai_clerk"}
        ),
    ),
    # Review: district staff of the estate's district (never city_admin: a district's step).
    # An empty POST: the detail page again with 请选择审核结果 beside the choice (400).
    Route(
        "assessments:inspection_review",
        get=None,
        kwargs=inspection,
        post=statuses(XUANWU_STAFF, ok_status=400, forbidden=SIGNED_IN - XUANWU_STAFF - {"gulou_staff"}),
    ),
    # Bulk approval: the reviewers (each ticked inspection still checked by review_inspection).
    Route(
        "assessments:inspection_review_bulk",
        get=statuses(set(), others=405),
        post=statuses(
            XUANWU_STAFF | {"gulou_staff"}, ok_status=302, forbidden=SIGNED_IN - XUANWU_STAFF - {"gulou_staff"}
        ),
    ),
    Route("assessments:inspection_import", get=writers(INSPECTION_WRITERS), post=writers(INSPECTION_WRITERS, 400)),
    Route("assessments:inspection_import_template", get=everyone()),
    Route("assessments:fee_rate_list", get=everyone()),
    Route("assessments:fee_rate_new", get=writers(FEE_WRITERS), post=writers(FEE_WRITERS, 400)),
    Route("assessments:fee_rate_import", get=writers(FEE_WRITERS), post=writers(FEE_WRITERS, 400)),
    Route("assessments:fee_rate_import_template", get=everyone()),
    # The cycle: city roles read it; only city_admin starts a run.
    Route("assessments:cycle", get=writers(CITY), post=writers(CITY_ADMINS, 400)),
    Route("assessments:run_detail", get=writers(CITY), kwargs=run),
    Route("assessments:run_progress", get=writers(CITY), kwargs=run),
    Route("assessments:year_detail", get=everyone(), kwargs=year),
    Route("assessments:year_publish", get=None, kwargs=year, post=writers(CITY_ADMINS, 302)),
    Route("assessments:year_close", get=None, kwargs=year, post=writers(CITY_ADMINS, 302)),
    # An empty POST: the year page again with 请填写原因 beside the reason (400).
    Route("assessments:year_reopen", get=None, kwargs=year, post=writers(CITY_ADMINS, 400)),
    Route("assessments:publication", get=everyone(), kwargs=year),
    Route("assessments:result_list", get=everyone()),
    Route("assessments:unit_results", get=everyone()),
    Route("assessments:result_export", get=None, post=everyone(302)),
    Route("assessments:appeal_list", get=everyone()),
    # Appeals are filed by the estate's street clerk; other streets do not see the result.
    Route(
        "assessments:appeal_new",
        kwargs=result,
        get=statuses({"meiyuan_clerk"}, forbidden=SIGNED_IN - {"meiyuan_clerk", "xinjiekou_clerk", "ninghai_clerk"}),
        post=statuses(
            {"meiyuan_clerk"},
            ok_status=400,
            forbidden=SIGNED_IN - {"meiyuan_clerk", "xinjiekou_clerk", "ninghai_clerk"},
        ),
    ),
    Route("assessments:appeal_detail", get=statuses(SEES_MY101), kwargs=appeal),
    # An empty POST: the appeal page again with the messages beside the fields (400).
    Route(
        "assessments:appeal_decide",
        get=None,
        kwargs=appeal,
        post=statuses(XUANWU_STAFF, ok_status=400, forbidden=SIGNED_IN - XUANWU_STAFF - {"gulou_staff"}),
    ),
    Route(
        "assessments:appeal_rescore",
        get=None,
        kwargs=appeal,
        post=statuses(
            XUANWU_STAFF | CITY_ADMINS,
            ok_status=302,
            forbidden=SIGNED_IN - XUANWU_STAFF - CITY_ADMINS - {"gulou_staff"},
        ),
    ),
    # API (read-only, scoped): lists for every signed-in user; an object outside the scope is 404.
    # POST enters an inspection: the writers get 400 for an empty body, other roles 403.
    Route(
        "api:inspection-list",
        get=everyone(anonymous=401),
        post=statuses(INSPECTION_WRITERS, ok_status=400, forbidden=SIGNED_IN - INSPECTION_WRITERS, anonymous=401),
    ),
    Route("api:inspection-detail", get=statuses(SEES_MY101, anonymous=401), kwargs=inspection),
    Route("api:inspection-detail", get=statuses({"meiyuan_clerk"}, anonymous=401), kwargs=draft_inspection),
    Route("api:fee-rate-list", get=everyone(anonymous=401)),
    Route("api:fee-rate-detail", get=statuses(SEES_MY101, anonymous=401), kwargs=lambda w: {"pk": _fee(w)}),
    Route("api:estate-result-list", get=everyone(anonymous=401)),
    Route("api:estate-result-detail", get=statuses(SEES_MY101, anonymous=401), kwargs=lambda w: {"pk": _result(w).pk}),
    Route("api:unit-result-list", get=everyone(anonymous=401)),
    Route(
        "api:unit-result-detail",
        get=statuses(CITY | {"xuanwu_staff", "xuanwu_staff2", "xuanwu_finance"}, anonymous=401),
        kwargs=lambda w: {"pk": _unit(w)},
    ),
    Route("api:cycle-run-list", get=everyone(anonymous=401)),
    Route("api:cycle-run-detail", get=statuses(CITY, anonymous=401), kwargs=run),
]


def _fee(world):
    from assessments.models import FeeRate

    return FeeRate.objects.create(
        estate=world.estates["MY101"], year=2019, rate=Decimal("92"), updated_by=world.meiyuan_clerk
    ).pk


def _unit(world):
    from assessments.models import UnitResult

    r = _result(world)
    return UnitResult.objects.create(
        run=r.run,
        year=2019,
        is_current=True,
        level="district",
        unit_key=f"d{r.district_id}",
        district_id=r.district_id,
        estates=1,
        assessed=1,
    ).pk


# --- 三级考核 (unit assessment, policy-defaults.md §3c) -------------------------------------------
# The sheet of 梅园新村街道's communities: read by the city, 玄武区 and the street; filled in and
# signed off by the street's clerk only (city_admin does not take over a street's assessment).
def _meiyuan_sheet_key(world):
    return f"community-{world.estates['MY101'].street_id}"


def unit_sheet(world):
    return {"year": 2019, "key": _meiyuan_sheet_key(world)}


def unit_score(world):
    from assessments.unit_models import UnitScheme, UnitScore, UnitSheet

    estate = world.estates["MY101"]
    sheet = UnitSheet.objects.create(
        year=2019,
        level="community",
        sheet_key=_meiyuan_sheet_key(world),
        district=estate.district,
        street=estate.street,
        scheme=UnitScheme.objects.get(version=1),
    )
    score = UnitScore.objects.create(
        sheet=sheet,
        year=2019,
        level="community",
        district=estate.district,
        street=estate.street,
        community=estate.community,
    )
    return {"pk": score.pk}


SEES_MEIYUAN_SHEET = CITY | {"xuanwu_staff", "xuanwu_staff2", "xuanwu_finance", "meiyuan_clerk"}
MEIYUAN_ASSESSOR = {"meiyuan_clerk"}
_assessor_post = statuses(MEIYUAN_ASSESSOR, ok_status=302, forbidden=SEES_MEIYUAN_SHEET - MEIYUAN_ASSESSOR)

ROUTES += [
    Route("assessments:unit_assessment_index", get=everyone()),
    Route(
        "assessments:unit_assessment_export",
        get=statuses(set(), others=405),
        post=everyone(302),
        kwargs=lambda w: {"year": 2019},
    ),
    Route("assessments:unit_assessment_sheet", get=statuses(SEES_MEIYUAN_SHEET), kwargs=unit_sheet),
    Route(
        "assessments:unit_assessment_compute", get=statuses(set(), others=405), post=_assessor_post, kwargs=unit_sheet
    ),
    Route(
        "assessments:unit_assessment_sign_off", get=statuses(set(), others=405), post=_assessor_post, kwargs=unit_sheet
    ),
    Route("assessments:unit_assessment_daily", get=statuses(set(), others=405), post=_assessor_post, kwargs=unit_score),
]


# --- 第三方评估 (clause 十, issue 19) ----------------------------------------------------------------
# The commissioners read (city and district roles); the streets, the advisors and the evaluator
# get 403: the sample is not announced to those it assesses. The world's engagement is 玄武区's
# (tests/factories.py), naming MY101 for the evaluator.
COMMISSIONERS = CITY | {"xuanwu_staff", "xuanwu_staff2", "xuanwu_finance", "gulou_staff", "gulou_finance"}
ENGAGERS = CITY_ADMINS | XUANWU_STAFF | {"gulou_staff"}
SEES_XUANWU_ENGAGEMENT = CITY | {"xuanwu_staff", "xuanwu_staff2", "xuanwu_finance"}
NOT_COMMISSIONERS = SIGNED_IN - COMMISSIONERS


def engagement(world):
    from assessments.third_party_models import Engagement

    return {"pk": Engagement.objects.get(created_by=world.xuanwu_staff).pk}


def meiyuan_review(world):
    return {"year": 2019, "street_id": world.estates["MY101"].street_id}


ROUTES += [
    Route("assessments:engagement_list", get=statuses(COMMISSIONERS, forbidden=NOT_COMMISSIONERS)),
    Route("assessments:engagement_new", get=writers(ENGAGERS), post=writers(ENGAGERS, 400)),
    # 鼓楼区 does not see 玄武区's engagement (404); the commissioner (玄武区 staff) alone cancels it.
    Route(
        "assessments:engagement_detail",
        kwargs=engagement,
        get=statuses(SEES_XUANWU_ENGAGEMENT, forbidden=NOT_COMMISSIONERS),
    ),
    Route(
        "assessments:engagement_cancel",
        get=None,
        kwargs=engagement,
        post=statuses(XUANWU_STAFF, ok_status=400, forbidden=NOT_COMMISSIONERS | SEES_XUANWU_ENGAGEMENT - XUANWU_STAFF),
    ),
    Route("assessments:deviation", get=statuses(COMMISSIONERS, forbidden=NOT_COMMISSIONERS)),
    Route(
        "assessments:deviation_export",
        get=None,
        post=statuses(COMMISSIONERS, ok_status=302, forbidden=NOT_COMMISSIONERS),
    ),
    # The district's step: 玄武区 staff on 梅园新村街道 (an empty POST: the page again, 400); 鼓楼区
    # staff do not see the street (404); city_admin does not take the district's step over.
    Route(
        "assessments:deviation_review",
        get=None,
        kwargs=meiyuan_review,
        post=statuses(XUANWU_STAFF, ok_status=400, forbidden=SIGNED_IN - XUANWU_STAFF - {"gulou_staff"}),
    ),
]


# --- 细化分解 (clause 十, issue 19 point 1) ---------------------------------------------------------
# The city and district roles read; a district's own officers (区房产局) prepare and approve, the
# city does not refine a district's checklist. The refinement is 玄武区's draft by xuanwu_staff.
READERS = COMMISSIONERS
REFINERS = XUANWU_STAFF | {"gulou_staff"}
SEES_XUANWU_REFINEMENT = CITY | {"xuanwu_staff", "xuanwu_staff2", "xuanwu_finance"}


def refinement(world):
    from assessments.models import Refinement, SubItem

    draft = Refinement.objects.create(
        district=world.estates["MY101"].district,
        scheme=Scheme.objects.get(version=1),
        version=1,
        valid_from_year=2020,
        prepared_by=world.xuanwu_staff,
    )
    for number, (name, points) in enumerate([("楼道", "6"), ("道路", "5"), ("垃圾", "4")], start=1):
        SubItem.objects.create(
            refinement=draft,
            category="renovated",
            item_code="cleanliness",
            number=number,
            name=name,
            max_points=Decimal(points),
        )
    return {"pk": draft.pk}


ROUTES += [
    Route("assessments:refinement_list", get=statuses(READERS, forbidden=SIGNED_IN - READERS)),
    Route("assessments:refinement_new", get=writers(REFINERS), post=writers(REFINERS, 400)),
    # 鼓楼区 does not see 玄武区's refinement (404); an empty POST is the form again (400).
    Route(
        "assessments:refinement_detail",
        kwargs=refinement,
        get=statuses(SEES_XUANWU_REFINEMENT, forbidden=SIGNED_IN - READERS),
        post=statuses(
            XUANWU_STAFF, ok_status=400, forbidden=SIGNED_IN - READERS | SEES_XUANWU_REFINEMENT - XUANWU_STAFF
        ),
    ),
    # Four eyes: the preparer is refused (400), the district's other officer approves (302).
    Route(
        "assessments:refinement_approve",
        get=None,
        kwargs=refinement,
        post=statuses(
            {"xuanwu_staff2"},
            ok_status=302,
            forbidden=SIGNED_IN - READERS | SEES_XUANWU_REFINEMENT - XUANWU_STAFF,
            xuanwu_staff=400,
        ),
    ),
]
