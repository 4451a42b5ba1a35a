"""The case kinds (案件类型): one declarative description each, read by the one set of case views
(disputes.case_views) and their templates.

A kind says what a case of it is (its model, its states), how one is received (the form, the
service that creates it, the page's words), the steps it then moves through (each step's form,
the service that takes it, when the page offers it, any rule beyond the kind's own), and its
time limit rule (the service computes the deadline; `limit` says which rule in words, for the
docs and the admin's reading). Adding a kind is one more `register(CaseKind(...))` here: the
URLs (disputes.urls), views, step handling and every-error-in-one-round checks follow from it.
See docs/cases.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from accounts.rules import can

from . import services
from .choices import DisputeStatus, FilingStatus, ReferralStatus, RepairStatus
from .forms import (
    AcceptForm,
    AnswerForm,
    AttachmentForm,
    CompleteForm,
    DecideForm,
    DispatchForm,
    DisputeForm,
    EstateChoice,
    FilingForm,
    InvalidForm,
    NoteForm,
    ReferForm,
    ReferralForm,
    RepairForm,
    SatisfactionForm,
    StepForm,
)
from .models import DisputeCase, EnforcementReferral, Filing, RepairRequest


@dataclass(frozen=True)
class Page:
    """What the page knows when it decides which steps to offer."""

    case: Any
    user: Any
    may_write: bool


@dataclass(frozen=True)
class Step:
    """One step (办理步骤) of a kind: the form it asks, the service that takes it, when offered.

    slot: the form's place on the page, when several steps share one form (the three buttons
    of a dispute's 办理 card post one StepForm). rule: a permission beyond the kind's own (转联合执法
    is the referral clerks'). form(case, *args, **kwargs) builds the form, unbound for the page
    or bound with (POST, FILES); call(case, user, data) takes the step with the cleaned data."""

    name: str
    form: Callable[..., Any]
    call: Callable[[Any, Any, dict], Any]
    offered: Callable[[Page], bool] = lambda page: page.may_write
    rule: str = ""
    slot: str = ""
    label: str = ""  # the button and card title on the generic page (case_detail.html)

    @property
    def place(self) -> str:
        return self.slot or self.name


@dataclass(frozen=True)
class Creation:
    """How a case of the kind is received: its form, its service and the page's words."""

    form: Callable[..., Any]
    call: Callable[[Any, dict], Any]
    title: str
    submit: str
    done: Callable[[Any], str]
    template: str = "disputes/simple_form.html"
    intro: str = ""


@dataclass(frozen=True)
class CaseKind:
    """A kind of case: a model moving through `states` by `steps`, written by those with `rule`.

    slug: the URL segment and the prefix of the URL names (disputes:<name>_detail, …).
    unknown_step: the step whose form says "请选择办理步骤。" when a post names no known step;
    empty means such a post is taken as `default_step`. limit: the time limit rule, in words.
    own_list: the kind's list is a page of its own (disputes.views, with its filters and
    exports); otherwise case_views serves a plain list at <slug>/. A kind without a template
    `disputes/<name>_detail.html` is shown by `disputes/case_detail.html`, which offers each
    step's form under its label."""

    slug: str
    name: str
    label: str
    model: type
    rule: str
    states: type
    creation: Creation
    steps: tuple[Step, ...]
    related: tuple[str, ...] = ("estate",)
    unknown_step: str = ""
    default_step: str = ""
    limit: str = ""
    context: Callable[[Any, Any], dict] = lambda case, user: {}
    personal_fields: tuple[str, ...] = ()
    own_list: bool = False
    by_name: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "by_name", {s.name: s for s in self.steps})

    @property
    def detail_templates(self) -> list[str]:
        """The kind's own page if it has one, else the generic one."""
        return [f"disputes/{self.name}_detail.html", "disputes/case_detail.html"]

    def url(self, page: str) -> str:
        return f"disputes:{self.name}_{page}"

    @property
    def url_create(self) -> str:
        return self.url("create")

    @property
    def url_detail(self) -> str:
        return self.url("detail")

    def step(self, name: str) -> Step | None:
        return self.by_name.get(name)

    def forms_for(self, case) -> dict:
        """The page's unbound forms, one per slot (the first step of a shared slot builds it)."""
        forms = {}
        for step in self.steps:
            forms.setdefault(step.place, step.form(case))
        return forms


KINDS: dict[str, CaseKind] = {}


def register(kind: CaseKind) -> CaseKind:
    KINDS[kind.name] = kind
    return kind


# --- steps every kind of resident-facing case shares ------------------------------------------
def _is_open(page: Page) -> bool:
    return page.may_write and page.case.is_open


def _may_rate(page: Page) -> bool:
    case = page.case
    return page.may_write and not case.is_open and not case.satisfaction and case.status != "invalid"


def _step_form(case, *args, **kwargs):
    return StepForm(*args, **kwargs)


ATTACH = Step(
    "attach",
    lambda case, *a, **k: AttachmentForm(*a, **k),
    lambda case, by, d: services.add_attachment(case, by=by, upload=d["file"]),
)
INVALID = Step(
    "invalid",
    lambda case, *a, **k: InvalidForm(
        *a, initial={"duplicate_number": case.duplicate_of.number if case.duplicate_of_id else ""}, **k
    ),
    lambda case, by, d: services.mark_invalid(
        case, by=by, reason=d["reason"], note=d["note"], duplicate_number=d["duplicate_number"]
    ),
    offered=_is_open,
)


def note_step(service, label: str = "登记进展") -> Step:
    """进展情况 of an open case, taken by the kind's note service."""
    return Step(
        "note",
        lambda case, *a, **k: NoteForm(*a, **k),
        lambda case, by, d: service(case, by=by, note=d["note"], public_note=d["public_note"]),
        offered=_is_open,
        label=label,
    )


def satisfaction_step(service, label: str = "登记满意度") -> Step:
    """回访 of a closed case, taken by the kind's satisfaction service."""
    return Step(
        "satisfaction",
        lambda case, *a, **k: SatisfactionForm(*a, **k),
        lambda case, by, d: service(case, by=by, satisfaction=d["satisfaction"], note=d["note"]),
        offered=_may_rate,
        label=label,
    )


def _estate(user, data):
    return EstateChoice.resolve(user, data["estate"])


# --- 矛盾纠纷 ----------------------------------------------------------------------------------
def _transition(action):
    """开始调解 / 调解成功 / 终止调解: one StepForm, the button names the step."""
    return Step(
        action,
        _step_form,
        lambda case, by, d: services.transition_dispute(
            case, action, by=by, at=d["at"], note=d["note"], public_note=d["public_note"]
        ),
        offered=lambda page: action in services.dispute_actions_for(page.user, page.case),
        slot="step",
    )


register(
    CaseKind(
        slug="disputes",
        own_list=True,
        name="dispute",
        label="矛盾纠纷",
        model=DisputeCase,
        rule="case",
        states=DisputeStatus,
        related=("estate", "street", "community"),
        unknown_step="start",
        limit="按类别的处理时限（TimeLimit，默认15天），自受理时间起算",
        personal_fields=("party_name", "party_phone", "respondent"),
        creation=Creation(
            form=lambda user, *a, **k: DisputeForm(*a, user=user, **k),
            call=lambda by, d: services.create_dispute(
                by=by,
                estate=_estate(by, d),
                service_code=d["service_code"],
                channel=d["channel"] or "other",
                party_name=d["party_name"] or "",
                party_phone=d["party_phone"] or "",
                respondent=d["respondent"] or "",
                description=d["description"] or "",
                requested_datetime=d["requested_datetime"],
            ),
            title="受理纠纷",
            submit="受理",
            template="disputes/dispute_form.html",
            done=lambda case: f"已受理矛盾纠纷 {case.number}，办理期限至 {timezone.localtime(case.expected_datetime):%Y年%m月%d日 %H:%M}。",
        ),
        steps=(
            _transition("start"),
            _transition("resolve"),
            _transition("terminate"),
            Step(
                "refer",
                lambda case, *a, **k: ReferForm(*a, initial={"problem": case.description}, **k),
                lambda case, by, d: services.transition_dispute(
                    case,
                    "refer",
                    by=by,
                    at=d["at"],
                    note=d["note"],
                    department=d["department"],
                    due_on=d["due_on"],
                    problem=d["problem"],
                    public_note=d["public_note"],
                ),
                offered=lambda page: "refer" in services.dispute_actions_for(page.user, page.case),
                rule="referral",
            ),
            note_step(services.add_dispute_note),
            satisfaction_step(services.record_dispute_satisfaction),
            ATTACH,
            INVALID,
        ),
        context=lambda case, user: {
            "actions": services.dispute_actions_for(user, case),
            "referrals": case.referrals.select_related("department"),
            "labels": {name: t.label for name, t in services.DISPUTE_TRANSITIONS.items()},
        },
    )
)


# --- 应急维修 ----------------------------------------------------------------------------------
def _repair_in(*states):
    return lambda page: _is_open(page) and page.case.status in states


register(
    CaseKind(
        slug="repairs",
        own_list=True,
        name="repair",
        label="应急维修",
        model=RepairRequest,
        rule="case",
        states=RepairStatus,
        related=("estate", "street", "team"),
        unknown_step="arrive",
        limit="按紧急程度和类别的处理时限（紧急24小时、一般72小时），自报修时间起算",
        personal_fields=("reporter_name", "reporter_phone"),
        creation=Creation(
            form=lambda user, *a, **k: RepairForm(*a, user=user, initial_estate=_last_estate(user), **k),
            call=lambda by, d: services.create_repair(
                by=by,
                estate=_estate(by, d),
                service_code=d["service_code"],
                urgency=d["urgency"],
                description=d["description"] or "",
                building=d["building"] or "",
                unit=d["unit"] or "",
                channel=d["channel"] or "phone",
                reporter_name=d["reporter_name"] or "",
                reporter_phone=d["reporter_phone"] or "",
                requested_datetime=d["requested_datetime"],
            ),
            title="登记报修",
            submit="登记报修",
            template="disputes/repair_form.html",
            done=lambda repair: f"已登记报修 {repair.number}，须在 {timezone.localtime(repair.expected_datetime):%m月%d日 %H:%M} 前完成。",
        ),
        steps=(
            Step(
                "dispatch",
                lambda case, *a, **k: DispatchForm(*a, street_id=case.street_id, initial={"team": case.team_id}, **k),
                lambda case, by, d: services.dispatch_repair(
                    case, by=by, team=d["team"], at=d["at"], note=d["note"], public_note=d["public_note"]
                ),
                offered=_repair_in(RepairStatus.OPEN, RepairStatus.DISPATCHED),
            ),
            Step(
                "arrive",
                _step_form,
                lambda case, by, d: services.record_arrival(
                    case, by=by, at=d["at"], note=d["note"], public_note=d["public_note"]
                ),
                offered=_repair_in(RepairStatus.DISPATCHED),
            ),
            Step(
                "complete",
                lambda case, *a, **k: CompleteForm(*a, **k),
                lambda case, by, d: services.complete_repair(
                    case, by=by, at=d["at"], cost=d["cost"], note=d["note"], public_note=d["public_note"]
                ),
                offered=_repair_in(RepairStatus.DISPATCHED, RepairStatus.ARRIVED),
            ),
            note_step(services.add_repair_note),
            satisfaction_step(services.record_repair_satisfaction),
            ATTACH,
            INVALID,
        ),
    )
)


def _last_estate(user):
    """The estate the clerk registered a repair for last (the next call is often the same one);
    the only writable estate when there is one."""
    from communities.models import Estate

    last = RepairRequest.objects.filter(created_by=user).order_by("-id").values_list("estate_id", flat=True).first()
    estates = Estate.objects.writable_by(user)
    if last:
        return estates.filter(pk=last).first()
    only = list(estates[:2])
    return only[0] if len(only) == 1 else None


# --- 联合执法 ----------------------------------------------------------------------------------
register(
    CaseKind(
        slug="referrals",
        own_list=True,
        name="referral",
        label="联合执法",
        model=EnforcementReferral,
        rule="referral",
        states=ReferralStatus,
        related=("estate", "department", "dispute"),
        unknown_step="answer",
        limit="移交时填写的办理期限（due_on），按日计",
        creation=Creation(
            form=lambda user, *a, **k: ReferralForm(*a, user=user, **k),
            call=lambda by, d: services.create_referral(
                by=by,
                estate=_estate(by, d),
                department=d["department"],
                problem=d["problem"] or "",
                referred_on=d["referred_on"],
                due_on=d["due_on"],
            ),
            title="移交联合执法",
            submit="移交",
            intro="将小区问题移交联合执法部门（宁政办发〔2017〕215号 一(三)）。由矛盾纠纷转办的，请在纠纷页面选择“转联合执法”。",
            done=lambda referral: f"已移交{referral.department.name}：{referral.number}。",
        ),
        steps=(
            Step(
                "accept",
                lambda case, *a, **k: AcceptForm(*a, initial={"accepted_on": timezone.localdate()}, **k),
                lambda case, by, d: services.accept_referral(case, by=by, accepted_on=d["accepted_on"]),
                offered=lambda page: _is_open(page) and page.case.status == ReferralStatus.REFERRED,
            ),
            Step(
                "answer",
                lambda case, *a, **k: AnswerForm(*a, initial={"answered_on": timezone.localdate()}, **k),
                lambda case, by, d: services.answer_referral(
                    case, by=by, answered_on=d["answered_on"], feedback=d["feedback"], returned=d["returned"]
                ),
                offered=_is_open,
            ),
            ATTACH,
        ),
        context=lambda case, user: {
            "today": timezone.localdate(),
            "history": case.history.select_related("history_user")[:50],
        },
    )
)


# --- 备案 --------------------------------------------------------------------------------------
register(
    CaseKind(
        slug="filings",
        own_list=True,
        name="filing",
        label="备案",
        model=Filing,
        rule="filing",
        states=FilingStatus,
        related=("estate", "committee", "owners_organisation", "firm"),
        default_step="decide",
        limit="无处理时限",
        creation=Creation(
            form=lambda user, *a, **k: FilingForm(*a, user=user, **k),
            call=lambda by, d: services.create_filing(
                by=by,
                estate=_estate(by, d),
                kind=d["kind"] or "",
                summary=d["summary"] or "",
                applicant=d["applicant"] or "",
                submitted_on=d["submitted_on"],
                committee=d["committee"],
                owners_organisation=d["owners_organisation"],
                firm=d["firm"],
                contract_start=d["contract_start"],
                contract_end=d["contract_end"],
            ),
            title="登记备案",
            submit="登记",
            intro="街道物业服务中心受理的备案：物管会成立或变更、业主组织、物业服务合同。登记后在详情页上传备案材料。",
            done=lambda filing: f"已登记备案 {filing.number}，请上传备案材料。",
        ),
        steps=(
            Step(
                "decide",
                lambda case, *a, **k: DecideForm(*a, initial={"decided_on": timezone.localdate()}, **k),
                lambda case, by, d: services.decide_filing(
                    case, by=by, status=d["status"], decided_on=d["decided_on"], note=d["note"]
                ),
                offered=lambda page: page.may_write and bool(services.FILING_NEXT[page.case.status]),
            ),
            ATTACH,
        ),
        context=lambda case, user: {
            "next_statuses": services.FILING_NEXT[case.status],
            "history": case.history.select_related("history_user")[:50],
        },
    )
)


def offered_steps(kind: CaseKind, case, user, may_write: bool) -> list[str]:
    page = Page(case, user, may_write)
    return [s.name for s in kind.steps if (not s.rule or can(user, s.rule)) and s.offered(page)]
