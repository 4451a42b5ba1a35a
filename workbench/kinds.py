"""The built-in to-do kinds (待办类型) of issue 18, one `register` call each.

Every queryset goes through `visible_to(user)`: a kind can never count a row outside the user's
scope. docs/workbench.md lists each kind with its query, its roles and its due rule.
"""

from __future__ import annotations

from django.db.models import Case, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from assessments.choices import AppealStatus, InspectionStatus, YearStatus
from assessments.models import Appeal, AssessmentYear, CycleRun, Inspection
from communities.models import Street
from disputes.choices import CallbackStatus, Channel, DisputeStatus, FilingStatus, RepairStatus
from disputes.models import DisputeCase, EnforcementReferral, Filing, RepairRequest
from disputes.models.referrals import OPEN_REFERRAL
from staffing.choices import TaskStatus, UnitLevel
from staffing.compliance import compliance_report
from staffing.models import MeetingTask
from subsidies.choices import MoneyDirection, Share, SheetKind, SheetStatus
from subsidies.models import AllocationSheet, Disbursement

from .registry import DATE, SHANGHAI, TodoKind, register, thresholds

R = Role


def _detail(name):
    return lambda pk: reverse(name, kwargs={"pk": pk})


# --- inspections -------------------------------------------------------------------------------
register(
    TodoKind(
        code="inspections_to_review",
        title="待审核检查",
        order=10,
        roles=frozenset({R.DISTRICT_STAFF}),
        queryset=lambda user: Inspection.objects.visible_to(user).filter(status=InspectionStatus.SUBMITTED),
        url="assessments:inspection_list?status=submitted",
        detail=_detail("assessments:inspection_detail"),
        due_rule="无期限（提交后待区房产局审核）",
    )
)

register(
    TodoKind(
        code="inspections_returned",
        title="被退回待修改的检查",
        order=11,
        roles=frozenset({R.STREET_CLERK, R.EVALUATOR}),
        queryset=lambda user: Inspection.objects.visible_to(user).filter(status=InspectionStatus.REJECTED),
        url="assessments:inspection_list?status=rejected",
        detail=_detail("assessments:inspection_detail"),
        due_rule="无期限（退回后修改再提交）",
    )
)


# --- the two stations and the service centre ----------------------------------------------------
CASE_ROLES = frozenset({R.STREET_CLERK, R.COMMUNITY_ADVISOR, R.DISTRICT_STAFF})

register(
    TodoKind(
        code="repairs_open",
        title="未完成的应急维修",
        order=20,
        roles=CASE_ROLES,
        queryset=lambda user: RepairRequest.objects.visible_to(user).filter(completed_datetime__isnull=True),
        url="disputes:repair_list?open=true",
        detail=_detail("disputes:repair_detail"),
        due="expected_datetime",
        due_rule="完成期限 = 报修时间 + 时限表中的处理时限（24/72小时，按紧急程度）",
    )
)

register(
    TodoKind(
        code="disputes_open",
        title="未办结的矛盾纠纷",
        order=21,
        roles=CASE_ROLES,
        queryset=lambda user: DisputeCase.objects.visible_to(user).filter(closed_datetime__isnull=True),
        url="disputes:dispute_list?open=true",
        detail=_detail("disputes:dispute_detail"),
        due="expected_datetime",
        due_rule="办理期限 = 受理时间 + 时限表中的处理时限",
    )
)

# --- the residents' channel (居民自报) --------------------------------------------------------------
# A resident's report waits for the street before anything else: it leads the clerk's list while
# nobody has dispatched or taken it, and a 不满意 rating waits for the clerk's call-back (回访).
register(
    TodoKind(
        code="resident_repairs_new",
        title="居民自报待派单的维修",
        order=18,
        roles=CASE_ROLES,
        queryset=lambda user: RepairRequest.objects.visible_to(user).filter(
            channel=Channel.RESIDENT, status=RepairStatus.OPEN
        ),
        url="disputes:repair_list?channel=resident&status=open",
        detail=_detail("disputes:repair_detail"),
        due="expected_datetime",
        due_rule="完成期限 = 居民提交时间（服务器收到的时间）+ 时限表中的处理时限",
    )
)

register(
    TodoKind(
        code="resident_disputes_new",
        title="居民自报待受理的矛盾纠纷",
        order=19,
        roles=CASE_ROLES,
        queryset=lambda user: DisputeCase.objects.visible_to(user).filter(
            channel=Channel.RESIDENT, status=DisputeStatus.RECEIVED
        ),
        url="disputes:dispute_list?channel=resident&status=received",
        detail=_detail("disputes:dispute_detail"),
        due="expected_datetime",
        due_rule="办理期限 = 居民提交时间 + 时限表中的处理时限",
    )
)


def _callbacks_due(model):
    return lambda user: model.objects.visible_to(user).filter(callback_status=CallbackStatus.PENDING)


register(
    TodoKind(
        code="callbacks_pending_repairs",
        title="待回访的不满意维修",
        order=24,
        roles=frozenset({R.STREET_CLERK, R.DISTRICT_STAFF}),
        queryset=_callbacks_due(RepairRequest),
        url="disputes:callback_list",
        due_rule="无期限（居民评价不满意后由街道回访，可重新办理）",
    )
)

register(
    TodoKind(
        code="callbacks_pending_disputes",
        title="待回访的不满意纠纷调解",
        order=25,
        roles=frozenset({R.STREET_CLERK, R.DISTRICT_STAFF}),
        queryset=_callbacks_due(DisputeCase),
        url="disputes:callback_list",
        due_rule="无期限（居民评价不满意后由街道回访）",
    )
)


def _now():
    return timezone.now()


def _overdue_referrals(user):
    overdue, _ = thresholds(REFERRALS, _now())
    return EnforcementReferral.objects.visible_to(user).filter(OPEN_REFERRAL).filter(overdue)


REFERRALS = register(
    TodoKind(
        code="referrals_overdue",
        title="联合执法逾期未反馈",
        order=22,
        roles=frozenset({R.STREET_CLERK, R.DISTRICT_STAFF}),
        queryset=_overdue_referrals,
        url="disputes:referral_list?overdue=true",
        detail=_detail("disputes:referral_detail"),
        due="due_on",
        due_type=DATE,
        due_rule="移交时填写的办理期限（当日24时止）；逾期仍未反馈即列入",
    )
)

register(
    TodoKind(
        code="filings_to_vet",
        title="待审查的物管会备案",
        order=23,
        roles=frozenset({R.STREET_CLERK}),
        queryset=lambda user: Filing.objects.visible_to(user).filter(status=FilingStatus.SUBMITTED),
        url="disputes:filing_list?status=submitted",
        detail=_detail("disputes:filing_detail"),
        due_rule="无期限（报送后由街道审查）",
    )
)


# --- appeals and the year ------------------------------------------------------------------------
def _pending_appeals(user):
    window_end = AssessmentYear.objects.filter(year=OuterRef("year")).values("appeal_deadline")[:1]
    return Appeal.objects.visible_to(user).filter(status=AppealStatus.PENDING).annotate(window_end=Subquery(window_end))


register(
    TodoKind(
        code="appeals_pending",
        title="待处理的考核申诉",
        order=30,
        roles=frozenset({R.DISTRICT_STAFF, R.CITY_ADMIN}),
        queryset=_pending_appeals,
        url="assessments:appeal_list",
        detail=_detail("assessments:appeal_detail"),
        due="window_end",
        due_type=DATE,
        due_rule="该年度公示的申诉截止日（当日24时，北京时间）；显示申诉期剩余天数",
    )
)


def _years_to_act(user):
    scored = CycleRun.objects.filter(is_current=True, status="succeeded").values("year")
    today = timezone.localtime(timezone.now(), SHANGHAI).date()
    to_publish = Q(status=YearStatus.OPEN, year__in=scored)
    to_close = Q(status=YearStatus.PUBLISHED, appeal_deadline__lt=today) & ~Q(
        year__in=Appeal.objects.filter(status=AppealStatus.PENDING).values("year")
    )
    return AssessmentYear.objects.filter(to_publish | to_close)


register(
    TodoKind(
        code="years_to_publish_or_close",
        title="待公示或关闭的考核年度",
        order=31,
        roles=frozenset({R.CITY_ADMIN}),
        queryset=_years_to_act,
        url="assessments:cycle",
        detail=lambda pk: reverse("assessments:year_detail", kwargs={"year": AssessmentYear.objects.get(pk=pk).year}),
        due_rule="无期限（已有当期计分结果待公示；申诉期已过且无待处理申诉待关闭）",
    )
)


# --- allocation sheets and money -----------------------------------------------------------------
def _closed_years():
    return AssessmentYear.objects.filter(status=YearStatus.CLOSED).values("year")


register(
    TodoKind(
        code="sheets_to_confirm",
        title="待区级确认的分配表",
        order=40,
        roles=frozenset({R.DISTRICT_STAFF}),
        queryset=lambda user: AllocationSheet.objects.visible_to(user).filter(
            status=SheetStatus.DRAFT, year__in=_closed_years()
        ),
        url="subsidies:index",
        detail=_detail("subsidies:sheet_detail"),
        due_rule="无期限（年度关闭后由区房产局确认）",
    )
)

register(
    TodoKind(
        code="sheets_to_approve",
        title="待市级审核的分配表",
        order=41,
        roles=frozenset({R.CITY_ADMIN}),
        # Never by the one who prepared it: not the confirmer, not the starter of its run (four eyes,
        # subsidies.services.four_eyes_refusal, which also looks at runs an appeal carried over).
        queryset=lambda user: AllocationSheet.objects.visible_to(user)
        .filter(status=SheetStatus.CONFIRMED, year__in=_closed_years())
        .exclude(confirmed_by=user)
        .exclude(run__created_by=user),
        url="subsidies:index",
        detail=_detail("subsidies:sheet_detail"),
        due_rule="无期限（区级确认后由另一位市房产局用户审核）",
    )
)


def finance_share(user) -> str:
    return Share.CITY if user.role == R.CITY_FINANCE else Share.DISTRICT


def sheets_with_payments(user):
    """Approved sheets with what this finance role's share owes (due_fen) and has paid
    (paid_fen), latest year first: the finance home's table and the unpaid kind below."""
    share = finance_share(user)
    paid = (
        Disbursement.objects.filter(sheet=OuterRef("pk"), share=share, direction=MoneyDirection.PAYMENT)
        .values("sheet")
        .annotate(total=Sum("amount_fen"))
        .values("total")
    )
    original, adjustment = (
        (F("city_fen"), F("city_pay_fen")) if share == Share.CITY else (F("district_fen"), F("district_pay_fen"))
    )
    return (
        AllocationSheet.objects.visible_to(user)
        .filter(status=SheetStatus.APPROVED)
        .annotate(
            due_fen=Case(When(kind=SheetKind.ORIGINAL, then=original), default=adjustment),
            paid_fen=Coalesce(Subquery(paid), Value(0)),
        )
        .annotate(unpaid_fen=F("due_fen") - F("paid_fen"))
    )


register(
    TodoKind(
        code="sheets_unpaid",
        title="已审核待拨付的分配表",
        order=42,
        roles=frozenset({R.CITY_FINANCE, R.DISTRICT_FINANCE}),
        queryset=lambda user: sheets_with_payments(user).filter(unpaid_fen__gt=0),
        url="subsidies:disbursement_list",
        detail=_detail("subsidies:sheet_detail"),
        due_rule="无期限（市级审核后按本级承担份额拨付）",
    )
)


# --- joint meetings ------------------------------------------------------------------------------
def _overdue_tasks(user):
    overdue, _ = thresholds(TASKS, _now())
    return MeetingTask.objects.visible_to(user).filter(status=TaskStatus.OPEN).filter(overdue)


def _streets_short_of_staff(user):
    """The streets in the user's scope below the staffing norm in force today (clause 五): the
    compliance page's own judgement, so the count and the page agree."""
    report = compliance_report(user, with_communities=False)
    short = [row.unit.pk for row in report.by_level(UnitLevel.STREET) if row.gap]
    return Street.objects.filter(pk__in=short)


register(
    TodoKind(
        code="staffing_gaps",
        title="人员配备缺编的街道",
        order=60,
        roles=frozenset({R.DISTRICT_STAFF, R.STREET_CLERK}),
        queryset=_streets_short_of_staff,
        url="staffing:compliance",
        due_rule="无期限（按人员配备标准，在岗专职人数低于下限即列入，配齐后消失）",
    )
)


TASKS = register(
    TodoKind(
        code="meeting_tasks_overdue",
        title="逾期的联席会议督办事项",
        order=50,
        roles=frozenset({R.DISTRICT_STAFF, R.STREET_CLERK, R.COMMUNITY_ADVISOR}),
        queryset=_overdue_tasks,
        url="staffing:overdue_tasks",
        due="due_date",
        due_type=DATE,
        due_rule="会议确定的办结期限（当日24时止）；逾期仍未办结即列入",
    )
)
