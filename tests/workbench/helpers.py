"""A world with one piece of work of every to-do kind, each in a known place, so the tests can
say independently who must see what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from tests.disputes.helpers import repair


def inspection(world, code, status, by="meiyuan_clerk", note=""):
    from assessments.models import Inspection

    insp = Inspection(
        estate=world.estates[code],
        date=dt.date(2019, 5, 1),
        inspector_name="张三",
        status=status,
        scores={"cleanliness": "14", "order": "13", "greening": "9", "facilities": "8"},
        total_tenths=440,
        created_by=world.users[by],
        review_note=note,
    )
    insp.save()
    return insp


def due_repair(world, code, hours_left, by):
    """An open repair whose deadline is `hours_left` hours from now (negative: overdue)."""
    from disputes.models import RepairRequest

    case = repair(world, estate=code, at=timezone.now() - dt.timedelta(hours=abs(hours_left) + 1), by=by)
    RepairRequest.objects.filter(pk=case.pk).update(expected_datetime=timezone.now() + dt.timedelta(hours=hours_left))
    case.refresh_from_db()
    return case


def build_todo(world) -> dict:
    """One piece of work per kind; returns the rows by name."""
    from assessments.models import Appeal, AssessmentYear, CycleRun, EstateResult, Scheme
    from communities.models import District
    from disputes.models import Department, EnforcementReferral, Filing
    from staffing.models import JointMeeting, MeetingTask
    from subsidies.models import AllocationSheet, Disbursement
    from tests.disputes.helpers import dispute

    today = timezone.localdate()
    rows = {}
    # inspections: two to review in 玄武区, one in 鼓楼区; one returned to 梅园新村街道
    rows["review_my"] = inspection(world, "MY101", "submitted")
    rows["review_xjk"] = inspection(world, "XJK101", "submitted", by="xinjiekou_clerk")
    rows["review_nh"] = inspection(world, "NH101", "submitted", by="ninghai_clerk")
    rows["returned"] = inspection(world, "MY102", "rejected", note="得分与照片不符")
    # repairs: 梅园 MY101 due in 3 hours, 新街口 XJK101 overdue by 2 hours; a dispute in 宁海路
    rows["repair_soon"] = due_repair(world, "MY101", 3, "meiyuan_clerk")
    rows["repair_late"] = due_repair(world, "XJK101", -2, "xinjiekou_clerk")
    rows["dispute"] = dispute(world, estate="NH101", by="ninghai_clerk", at=timezone.now() - dt.timedelta(hours=2))
    # referrals: 梅园 MY201 overdue since yesterday; MY202 due next week (not yet work to chase)
    department = Department.objects.first()
    for key, code, due in (
        ("referral_late", "MY201", today - dt.timedelta(days=1)),
        ("referral_later", "MY202", today + dt.timedelta(days=7)),
    ):
        rows[key] = EnforcementReferral.objects.create(
            estate=world.estates[code],
            department=department,
            problem="违章搭建",
            referred_on=today - dt.timedelta(days=10),
            due_on=due,
            created_by=world.meiyuan_clerk,
        )
    rows["filing"] = Filing.objects.create(
        estate=world.estates["XJK102"],
        kind=Filing._meta.get_field("kind").choices[0][0],
        summary="物管会成立备案",
        applicant="新街口1-2小区物管会",
        submitted_on=today,
        created_by=world.xinjiekou_clerk,
    )
    # appeals: 2019 published, window open 5 more days, an appeal of MY101 pending
    scheme = Scheme.objects.get(version=1)
    run = CycleRun.objects.create(
        year=2019, scheme=scheme, created_by=world.city_admin, status="succeeded", is_current=True
    )
    estate = world.estates["MY101"]
    result = EstateResult.objects.create(
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
    AssessmentYear.objects.create(year=2019, status="published", appeal_deadline=today + dt.timedelta(days=5))
    rows["appeal"] = Appeal.objects.create(
        estate=estate, year=2019, result=result, reason="收缴率填报有误", filed_by=world.meiyuan_clerk
    )
    # the year 2018 is scored and open: ready to publish (city_admin)
    AssessmentYear.objects.create(year=2018, status="open")
    CycleRun.objects.create(year=2018, scheme=scheme, created_by=world.city_admin, status="succeeded", is_current=True)
    # sheets of the closed year 2017: 玄武区's draft (to confirm), 鼓楼区's confirmed, computed by
    # a run city_admin2 started (so only city_admin may approve it)
    AssessmentYear.objects.create(year=2017, status="closed")
    xuanwu, gulou = District.objects.get(name="玄武区"), District.objects.get(name="鼓楼区")
    run2017 = CycleRun.objects.create(
        year=2017, scheme=scheme, created_by=world.city_admin2, status="succeeded", is_current=True
    )
    rows["sheet_draft"] = AllocationSheet.objects.create(district=xuanwu, year=2017, status="draft", run=run2017)
    rows["sheet_confirmed"] = AllocationSheet.objects.create(
        district=gulou,
        year=2017,
        status="confirmed",
        run=run2017,
        confirmed_by=world.gulou_staff,
        confirmed_at=timezone.now(),
    )
    # approved 2016 sheets: 玄武区 city share paid in full, district share unpaid; 鼓楼区 city share
    # unpaid, no district share
    AssessmentYear.objects.create(year=2016, status="closed")
    rows["paid_xuanwu"] = AllocationSheet.objects.create(
        district=xuanwu,
        year=2016,
        status="approved",
        city_fen=100_000,
        district_fen=300_000,
        total_fen=400_000,
        approved_by=world.city_admin,
    )
    Disbursement.objects.create(
        sheet=rows["paid_xuanwu"],
        share="city",
        date=today,
        amount_fen=100_000,
        document_no="宁财〔2017〕1号",
        recorded_by=world.city_finance,
    )
    rows["unpaid_gulou"] = AllocationSheet.objects.create(
        district=gulou,
        year=2016,
        status="approved",
        city_fen=50_000,
        district_fen=0,
        total_fen=50_000,
        approved_by=world.city_admin,
    )
    # a 梅园新村街道 joint meeting's task, overdue since yesterday
    meeting = JointMeeting.objects.create(
        level="street",
        district=xuanwu,
        street=world.estates["MY101"].street,
        date=today - dt.timedelta(days=20),
        title="街道联席会议",
        chair="主任",
        attendees="城管",
        topics="停车",
        created_by=world.meiyuan_clerk,
    )
    rows["task"] = MeetingTask.objects.create(
        meeting=meeting, description="清理楼道堆物", owner="城管", due_date=today - dt.timedelta(days=1)
    )
    return rows


# persona → {kind: count}: what each persona must see, worked out from build_todo by hand.
# (staffing_gaps is added by `with_staffing_gaps`: it depends on the streets of the units data.)
EXPECTED = {
    "city_admin": {"appeals_pending": 1, "years_to_publish_or_close": 1, "sheets_to_approve": 1},
    "city_admin2": {"appeals_pending": 1, "years_to_publish_or_close": 1},
    "city_finance": {"sheets_unpaid": 1},
    "auditor": {},
    "xuanwu_staff": {
        "inspections_to_review": 2,
        "repairs_open": 2,
        "referrals_overdue": 1,
        "appeals_pending": 1,
        "sheets_to_confirm": 1,
        "meeting_tasks_overdue": 1,
    },
    "xuanwu_staff2": {
        "inspections_to_review": 2,
        "repairs_open": 2,
        "referrals_overdue": 1,
        "appeals_pending": 1,
        "sheets_to_confirm": 1,
        "meeting_tasks_overdue": 1,
    },
    "gulou_staff": {"inspections_to_review": 1, "disputes_open": 1},
    "xuanwu_finance": {"sheets_unpaid": 1},
    "gulou_finance": {},
    "meiyuan_clerk": {"inspections_returned": 1, "repairs_open": 1, "referrals_overdue": 1, "meeting_tasks_overdue": 1},
    "xinjiekou_clerk": {"repairs_open": 1, "filings_to_vet": 1},
    "ninghai_clerk": {"disputes_open": 1},
    "meiyuan_advisor": {"repairs_open": 1},
    "xinjiekou_advisor": {"repairs_open": 1},
    "evaluator": {},
}


def with_staffing_gaps(expected: dict, users: dict) -> dict:
    """EXPECTED plus 人员配备缺编的街道: nobody is on staff in the test world, so every street is
    below the clause 五 norm (at least 3 staff): a district user counts its district's streets,
    a street clerk its own street."""
    from accounts.choices import Role
    from communities.models import Street

    out = {}
    for persona, kinds in expected.items():
        user = users[persona]
        kinds = dict(kinds)
        if user.role == Role.DISTRICT_STAFF:
            kinds["staffing_gaps"] = Street.objects.filter(district_id=user.district_id).count()
        elif user.role == Role.STREET_CLERK:
            kinds["staffing_gaps"] = 1
        out[persona] = kinds
    return out
