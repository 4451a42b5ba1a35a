"""Pages of the two stations and the service centre (两站一中心).

Every queryset goes through visible_to (out of scope → 404); every write goes through a service
(which checks the rule → 403, and validates → the form again with Chinese messages). Personal
data is shown through disputes.privacy.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, Q, Value, When
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.rules import can, require
from communities.models import Community, District, Estate, Street
from core.forms import dry_run
from core.locking import mark_seen
from core.ordering import Ordering

from . import privacy, services, stats
from .choices import REFERRAL_OPEN, Channel, DisputeStatus, FilingStatus, ReferralStatus, RepairStatus, StationKind
from .effectiveness import case_counts
from .filters import DisputeFilter, FilingFilter, ReferralFilter, RepairFilter, StationFilter
from .forms import (
    AcceptForm,
    AnswerForm,
    AttachmentForm,
    CallbackForm,
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
    StationForm,
    StepForm,
    TeamForm,
    apply_errors,
)
from .limits import year_bounds
from .models import (
    Attachment,
    Department,
    DisputeCase,
    EnforcementReferral,
    Filing,
    RepairRequest,
    RepairTeam,
    Station,
)

PER_PAGE = 50
# Sortable columns of the lists (core.ordering): dates, deadlines, codes and statuses.
DISPUTE_ORDER = Ordering({"number": "id", "requested": "requested_datetime", "estate": "estate__code",
                          "status": "status", "expected": "expected_datetime", "closed": "closed_datetime"},
                         default=("-requested_datetime", "-id"))
REPAIR_ORDER = Ordering({"number": "id", "requested": "requested_datetime", "estate": "estate__code",
                         "urgency": "urgency", "status": "status", "expected": "expected_datetime"},
                        default=("-requested_datetime", "-id"))
REFERRAL_ORDER = Ordering({"number": "id", "department": "department__sort_order", "estate": "estate__code",
                           "referred": "referred_on", "due": "due_on", "status": "status", "answered": "answered_on"},
                          default=("-referred_on", "-id"))
FILING_ORDER = Ordering({"number": "id", "kind": "kind", "estate": "estate__code", "submitted": "submitted_on",
                         "status": "status", "decided": "decided_on"}, default=("-submitted_on", "-id"))
PERSONAL_POST_FIELDS = ("party_name", "party_phone", "respondent", "reporter_name", "reporter_phone")
HOME = ("两站一中心", "/cases/")


# --- helpers ----------------------------------------------------------------------------------
class KnownCountPaginator(Paginator):
    """A paginator told its count (already computed by a grouped query on the same rows)."""

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self):
        return self._known_count


def _page(request, queryset, count: int | None = None):
    paginator = Paginator(queryset, PER_PAGE) if count is None else KnownCountPaginator(queryset, PER_PAGE, count)
    return paginator.get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def unit_breakdown(user):
    """The level below the user's scope, for the per-unit tables: (field, label, units)."""
    level = user.scope_level
    if level == "district":
        return "street_id", "街道", list(Street.objects.filter(district_id=user.district_id).order_by("code"))
    if level == "street":
        return "community_id", "社区", list(Community.objects.filter(street_id=user.street_id).order_by("name"))
    if level == "community":
        return "estate_id", "小区", list(Estate.objects.filter(community_id=user.community_id).order_by("code"))
    if level == "assigned":
        return "estate_id", "小区", list(Estate.objects.visible_to(user).order_by("code"))
    return "district_id", "区", list(District.objects.order_by("code"))


# Filters a user's level makes pointless (one choice) or too long to list (the city's
# communities, every team of the city); they still apply when given in the address.
HIDDEN_FILTERS = {
    "city": {"community", "team"},
    "district": {"district", "team"},
    "street": {"district", "street"},
    "community": {"district", "street", "community"},
    "assigned": {"district", "street", "community", "team"},
}


def _render_list(request, template, filterset, page, extra):
    context = {"filter": filterset, "page_obj": page, "query_string": _query_without_page(request),
               "hidden_filters": HIDDEN_FILTERS.get(request.user.scope_level, set())}
    context.update(extra)
    return render(request, template, context)


def _writable_or_403(model, obj, user, rule):
    require(user, rule)
    if not model.objects.writable_by(user).filter(pk=obj.pk).exists():
        raise PermissionDenied("该记录不在您的辖区内，不能修改。")


def _resident_first(user, queryset, first_status):
    """Newest first; for the people who handle cases (a street, a community), the new resident
    reports (居民自报, not yet acted on) come first, so no one waits unseen below the fold. The
    city's and districts' lists keep the plain (index-ordered) order."""
    if user.scope_level in ("street", "community"):
        new = Case(When(channel=Channel.RESIDENT, status=first_status, then=Value(0)), default=Value(1))
        return queryset.order_by(new, "-requested_datetime", "-id")
    return queryset.order_by("-requested_datetime", "-id")


# --- home -------------------------------------------------------------------------------------
def _as_seen(case, posted_version):
    """The case as the page showed it: the services refuse the step (core.locking) if the case
    changed since that version."""
    mark_seen(case, posted_version)


@login_required
def home(request):
    user = request.user
    year = _year(request)
    start, end = year_bounds(year)
    now = timezone.now()
    disputes = DisputeCase.objects.visible_to(user)
    repairs = RepairRequest.objects.visible_to(user)
    in_year = {"requested_datetime__gte": start, "requested_datetime__lt": end}
    field, unit_label, units = unit_breakdown(user)
    dispute_rates = stats.rates_by(disputes.filter(**in_year), field, now)
    repair_rates = stats.rates_by(repairs.filter(**in_year), field, now)
    dispute_overdue = stats.overdue_counts_by(disputes, field, now)
    repair_overdue = stats.overdue_counts_by(repairs, field, now)
    rows = [
        {"unit": u, "disputes": dispute_rates.get(u.pk, stats.Rates()), "repairs": repair_rates.get(u.pk, stats.Rates()),
         "dispute_overdue": dispute_overdue.get(u.pk, 0), "repair_overdue": repair_overdue.get(u.pk, 0)}
        for u in units
    ]
    total_disputes = stats.Rates.sum(r["disputes"] for r in rows)
    total_repairs = stats.Rates.sum(r["repairs"] for r in rows)
    referrals = EnforcementReferral.objects.visible_to(user)
    referral_counts = referrals.aggregate(
        open=Count("id", filter=Q(status__in=list(REFERRAL_OPEN))),
        overdue=Count("id", filter=Q(status__in=list(REFERRAL_OPEN), due_on__lt=timezone.localdate())),
    )
    filings_pending = Filing.objects.visible_to(user).filter(status__in=[FilingStatus.SUBMITTED, FilingStatus.CORRECTION]).count()
    satisfaction = stats.satisfaction_by([disputes.filter(**in_year), repairs.filter(**in_year)], field)
    for row in rows:
        row["satisfaction"] = satisfaction.get(row["unit"].pk, stats.Satisfaction())
    return render(request, "disputes/home.html", {
        "year": year, "years": range(timezone.localdate().year, 2016, -1), "rows": rows, "unit_label": unit_label,
        "unit_field": field.removesuffix("_id"),
        "total_disputes": total_disputes, "total_repairs": total_repairs,
        "dispute_overdue": sum(dispute_overdue.values()), "repair_overdue": sum(repair_overdue.values()),
        "referral_counts": referral_counts, "filings_pending": filings_pending,
        "new_resident_cases": services.new_resident_cases_count(user),
        "callbacks_pending": sum(q.count() for q in services.callback_cases(user)),
        "total_satisfaction": stats.Satisfaction.sum(r["satisfaction"] for r in rows),
        "breadcrumbs": [("两站一中心", "")],
    })


# --- disputes ---------------------------------------------------------------------------------
@login_required
def dispute_list(request):
    queryset = DisputeCase.objects.visible_to(request.user).select_related("estate", "street", "community")
    filterset = DisputeFilter(request.GET or None, queryset=queryset, request=request)
    ordered = (DISPUTE_ORDER.apply(request, filterset.qs) if DISPUTE_ORDER.current(request)
               else _resident_first(request.user, filterset.qs, DisputeStatus.RECEIVED))
    page = _page(request, ordered)
    privacy.apply(request.user, page.object_list)
    return _render_list(request, "disputes/dispute_list.html", filterset, page, {
        "now": timezone.now(), "breadcrumbs": [HOME, ("矛盾纠纷", "")], "export_list": "disputes",
    })


@sensitive_post_parameters(*PERSONAL_POST_FIELDS)
@login_required
def dispute_create(request):
    require(request.user, "case")
    form = DisputeForm(request.POST or None, user=request.user)

    def create(data):
        return services.create_dispute(
            by=request.user, estate=EstateChoice.resolve(request.user, data["estate"]), service_code=data["service_code"],
            channel=data["channel"] or "other", party_name=data["party_name"] or "", party_phone=data["party_phone"] or "",
            respondent=data["respondent"] or "", description=data["description"] or "",
            requested_datetime=data["requested_datetime"],
        )

    if request.method == "POST" and form.is_valid_with_rules(lambda: dry_run(lambda: create(form.parsed_values()))):
        try:
            case = create(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"已受理矛盾纠纷 {case.number}，办理期限至 {timezone.localtime(case.expected_datetime):%Y年%m月%d日 %H:%M}。")
            return redirect("disputes:dispute_detail", pk=case.pk)
    return render(request, "disputes/dispute_form.html", {
        "form": form, "breadcrumbs": [HOME, ("矛盾纠纷", reverse("disputes:dispute_list")), ("受理纠纷", "")],
    })


def _dispute_context(request, case, bound=None, step=None):
    user = request.user
    privacy.apply(user, [case])
    actions = services.dispute_actions_for(user, case)
    may_write = can(user, "case") and DisputeCase.objects.writable_by(user).filter(pk=case.pk).exists()
    forms = {
        "step": StepForm(),
        "refer": ReferForm(initial={"problem": case.description}),
        "note": NoteForm(),
        "satisfaction": SatisfactionForm(),
        "attach": AttachmentForm(),
        "invalid": InvalidForm(initial={"duplicate_number": case.duplicate_of.number if case.duplicate_of_id else ""}),
    }
    if bound is not None:
        forms["refer" if step == "refer" else step if step in forms else "step"] = bound
    return {
        "case": case, "now": timezone.now(), "actions": actions, "may_write": may_write, "forms": forms,
        "failed_step": step if bound is not None else None,
        "events": case.events.select_related("actor"),
        "attachments": case.attachments.all(),
        "referrals": case.referrals.select_related("department"),
        "labels": {name: t.label for name, t in services.DISPUTE_TRANSITIONS.items()},
        "breadcrumbs": [HOME, ("矛盾纠纷", reverse("disputes:dispute_list")), (case.number, "")],
    }


@login_required
def dispute_detail(request, pk):
    case = get_object_or_404(DisputeCase.objects.visible_to(request.user).select_related("estate", "street", "community"), pk=pk)
    return render(request, "disputes/dispute_detail.html", _dispute_context(request, case))


@login_required
def dispute_step(request, pk):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    case = get_object_or_404(DisputeCase.objects.visible_to(request.user).select_related("estate", "street", "community"), pk=pk)
    _writable_or_403(DisputeCase, case, request.user, "case")
    _as_seen(case, request.POST.get("version"))
    step = request.POST.get("step", "")
    user = request.user
    if step in ("start", "resolve", "terminate"):
        form = StepForm(request.POST)
        call = lambda d: services.transition_dispute(case, step, by=user, at=d["at"], note=d["note"],  # noqa: E731
                                                     public_note=d["public_note"])
    elif step == "refer":
        require(user, "referral")
        form = ReferForm(request.POST)
        call = lambda d: services.transition_dispute(  # noqa: E731
            case, "refer", by=user, at=d["at"], note=d["note"], department=d["department"], due_on=d["due_on"],
            problem=d["problem"], public_note=d["public_note"])
    elif step == "note":
        form = NoteForm(request.POST)
        call = lambda d: services.add_dispute_note(case, by=user, note=d["note"], public_note=d["public_note"])  # noqa: E731
    elif step == "satisfaction":
        form = SatisfactionForm(request.POST)
        call = lambda d: services.record_dispute_satisfaction(case, by=user, satisfaction=d["satisfaction"], note=d["note"])  # noqa: E731
    elif step == "attach":
        form = AttachmentForm(request.POST, request.FILES)
        call = lambda d: services.add_attachment(case, by=user, upload=d["file"])  # noqa: E731
    elif step == "invalid":
        form = InvalidForm(request.POST)
        call = lambda d: services.mark_invalid(case, by=user, reason=d["reason"], note=d["note"],  # noqa: E731
                                               duplicate_number=d["duplicate_number"])
    else:
        form = StepForm(request.POST)
        form.is_valid()
        form.add_error(None, "请选择办理步骤。")
        return render(request, "disputes/dispute_detail.html", _dispute_context(request, case, form, "step"))
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("disputes:dispute_detail", pk=case.pk)
    case.refresh_from_db()
    return render(request, "disputes/dispute_detail.html", _dispute_context(request, case, form, step))


# --- repairs ----------------------------------------------------------------------------------
@login_required
def repair_list(request):
    queryset = RepairRequest.objects.visible_to(request.user).select_related("estate", "street", "community", "team")
    filterset = RepairFilter(request.GET or None, queryset=queryset, request=request)
    ordered = (REPAIR_ORDER.apply(request, filterset.qs) if REPAIR_ORDER.current(request)
               else _resident_first(request.user, filterset.qs, RepairStatus.OPEN))
    page = _page(request, ordered)
    privacy.apply(request.user, page.object_list)
    return _render_list(request, "disputes/repair_list.html", filterset, page, {
        "now": timezone.now(), "breadcrumbs": [HOME, ("应急维修", "")], "export_list": "repairs",
    })


def _last_estate(user):
    last = RepairRequest.objects.filter(created_by=user).order_by("-id").values_list("estate_id", flat=True).first()
    estates = Estate.objects.writable_by(user)
    if last:
        return estates.filter(pk=last).first()
    only = list(estates[:2])
    return only[0] if len(only) == 1 else None


@sensitive_post_parameters(*PERSONAL_POST_FIELDS)
@login_required
def repair_create(request):
    """The quick form a clerk fills in while the resident is on the phone."""
    require(request.user, "case")
    form = RepairForm(request.POST or None, user=request.user, initial_estate=_last_estate(request.user))

    def create(data):
        return services.create_repair(
            by=request.user, estate=EstateChoice.resolve(request.user, data["estate"]), service_code=data["service_code"],
            urgency=data["urgency"], description=data["description"] or "", building=data["building"] or "",
            unit=data["unit"] or "", channel=data["channel"] or "phone", reporter_name=data["reporter_name"] or "",
            reporter_phone=data["reporter_phone"] or "", requested_datetime=data["requested_datetime"],
        )

    if request.method == "POST" and form.is_valid_with_rules(lambda: dry_run(lambda: create(form.parsed_values()))):
        try:
            repair = create(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"已登记报修 {repair.number}，须在 {timezone.localtime(repair.expected_datetime):%m月%d日 %H:%M} 前完成。")
            return redirect("disputes:repair_detail", pk=repair.pk)
    return render(request, "disputes/repair_form.html", {
        "form": form, "breadcrumbs": [HOME, ("应急维修", reverse("disputes:repair_list")), ("登记报修", "")],
    })


def _repair_context(request, repair, bound=None, step=None):
    user = request.user
    privacy.apply(user, [repair])
    may_write = can(user, "case") and RepairRequest.objects.writable_by(user).filter(pk=repair.pk).exists()
    forms = {
        "dispatch": DispatchForm(street_id=repair.street_id, initial={"team": repair.team_id}),
        "arrive": StepForm(),
        "complete": CompleteForm(),
        "note": NoteForm(),
        "satisfaction": SatisfactionForm(),
        "attach": AttachmentForm(),
        "invalid": InvalidForm(initial={"duplicate_number": repair.duplicate_of.number if repair.duplicate_of_id else ""}),
    }
    if bound is not None:
        forms[step if step in forms else "arrive"] = bound
    return {
        "case": repair, "now": timezone.now(), "may_write": may_write, "forms": forms,
        "failed_step": step if bound is not None else None,
        "events": repair.events.select_related("actor"), "attachments": repair.attachments.all(),
        "breadcrumbs": [HOME, ("应急维修", reverse("disputes:repair_list")), (repair.number, "")],
    }


@login_required
def repair_detail(request, pk):
    repair = get_object_or_404(RepairRequest.objects.visible_to(request.user).select_related("estate", "street", "team"), pk=pk)
    return render(request, "disputes/repair_detail.html", _repair_context(request, repair))


@login_required
def repair_step(request, pk):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    repair = get_object_or_404(RepairRequest.objects.visible_to(request.user).select_related("estate", "street", "team"), pk=pk)
    _writable_or_403(RepairRequest, repair, request.user, "case")
    _as_seen(repair, request.POST.get("version"))
    user, step = request.user, request.POST.get("step", "")
    if step == "dispatch":
        form = DispatchForm(request.POST, street_id=repair.street_id)
        call = lambda d: services.dispatch_repair(repair, by=user, team=d["team"], at=d["at"], note=d["note"],  # noqa: E731
                                                  public_note=d["public_note"])
    elif step == "arrive":
        form = StepForm(request.POST)
        call = lambda d: services.record_arrival(repair, by=user, at=d["at"], note=d["note"],  # noqa: E731
                                                 public_note=d["public_note"])
    elif step == "complete":
        form = CompleteForm(request.POST)
        call = lambda d: services.complete_repair(repair, by=user, at=d["at"], cost=d["cost"], note=d["note"],  # noqa: E731
                                                  public_note=d["public_note"])
    elif step == "note":
        form = NoteForm(request.POST)
        call = lambda d: services.add_repair_note(repair, by=user, note=d["note"], public_note=d["public_note"])  # noqa: E731
    elif step == "satisfaction":
        form = SatisfactionForm(request.POST)
        call = lambda d: services.record_repair_satisfaction(repair, by=user, satisfaction=d["satisfaction"], note=d["note"])  # noqa: E731
    elif step == "attach":
        form = AttachmentForm(request.POST, request.FILES)
        call = lambda d: services.add_attachment(repair, by=user, upload=d["file"])  # noqa: E731
    elif step == "invalid":
        form = InvalidForm(request.POST)
        call = lambda d: services.mark_invalid(repair, by=user, reason=d["reason"], note=d["note"],  # noqa: E731
                                               duplicate_number=d["duplicate_number"])
    else:
        form = StepForm(request.POST)
        form.is_valid()
        form.add_error(None, "请选择办理步骤。")
        return render(request, "disputes/repair_detail.html", _repair_context(request, repair, form, "arrive"))
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("disputes:repair_detail", pk=repair.pk)
    repair.refresh_from_db()
    return render(request, "disputes/repair_detail.html", _repair_context(request, repair, form, step))


# --- overdue ----------------------------------------------------------------------------------
OVERDUE_KINDS = {
    "repairs": (RepairRequest, RepairFilter, "应急维修"),
    "disputes": (DisputeCase, DisputeFilter, "矛盾纠纷"),
}


@login_required
def overdue_list(request):
    """逾期清单: open cases past their limit, oldest deadline first, with counts per unit.
    The partial indexes over open rows keep this a range scan at any table size."""
    kind = request.GET.get("kind", "repairs")
    if kind not in OVERDUE_KINDS:
        kind = "repairs"
    model, filter_class, label = OVERDUE_KINDS[kind]
    user, now = request.user, timezone.now()
    base = stats.overdue(model.objects.visible_to(user), now)
    field, unit_label, units = unit_breakdown(user)
    counts = stats.overdue_counts_by(base, field, now)
    select = ["estate", "street", "community"] + (["team"] if model is RepairRequest else [])
    params = request.GET.copy()
    params.pop("kind", None)
    unfiltered = not any(value for key, values in params.lists() if key != "page" for value in values)
    filterset = filter_class(params or None, queryset=base.select_related(*select), request=request)
    # Unfiltered, the per-unit counts already add up to the list's length: no second count.
    page = _page(request, filterset.qs.order_by("expected_datetime", "id"),
                 count=sum(counts.values()) if unfiltered else None)
    privacy.apply(user, page.object_list)
    return _render_list(request, "disputes/overdue_list.html", filterset, page, {
        "kind": kind, "kind_label": label, "now": now, "unit_label": unit_label, "unit_field": field.removesuffix("_id"),
        "unit_counts": [(u, counts.get(u.pk, 0)) for u in units], "total_overdue": sum(counts.values()),
        "breadcrumbs": [HOME, ("逾期清单", "")], "export_list": f"overdue_{kind}",
    })


# --- joint enforcement ------------------------------------------------------------------------
@login_required
def referral_list(request):
    queryset = EnforcementReferral.objects.visible_to(request.user).select_related("estate", "street", "department")
    filterset = ReferralFilter(request.GET or None, queryset=queryset, request=request)
    page = _page(request, REFERRAL_ORDER.apply(request, filterset.qs))
    return _render_list(request, "disputes/referral_list.html", filterset, page, {
        "today": timezone.localdate(), "breadcrumbs": [HOME, ("联合执法", "")], "export_list": "referrals",
    })


@login_required
def referral_departments(request):
    """Counts and overdue per department (clause 一(三))."""
    today = timezone.localdate()
    queryset = EnforcementReferral.objects.visible_to(request.user)
    filterset = ReferralFilter(request.GET or None, queryset=queryset, request=request)
    rows = department_counts(filterset.qs, today)
    return render(request, "disputes/referral_departments.html", {
        "filter": filterset, "rows": rows, "hidden_filters": HIDDEN_FILTERS.get(request.user.scope_level, set()), "today": today, "export_list": "departments",
        "breadcrumbs": [HOME, ("联合执法", reverse("disputes:referral_list")), ("按部门统计", "")],
    })


def department_counts(queryset, today):
    """Department → counts, one grouped query; every department appears (zeros included)."""
    is_open = Q(status__in=list(REFERRAL_OPEN))
    grouped = {
        row.pop("department_id"): row
        for row in queryset.order_by().values("department_id").annotate(
            total=Count("id"), open=Count("id", filter=is_open),
            overdue=Count("id", filter=is_open & Q(due_on__lt=today)),
            answered=Count("id", filter=Q(status=ReferralStatus.ANSWERED)),
            answered_on_time=Count("id", filter=Q(status=ReferralStatus.ANSWERED, answered_on__lte=F("due_on"))),
            returned=Count("id", filter=Q(status=ReferralStatus.RETURNED)),
        )
    }
    zero = {"total": 0, "open": 0, "overdue": 0, "answered": 0, "answered_on_time": 0, "returned": 0}
    return [{"department": d, **grouped.get(d.pk, zero)} for d in Department.objects.all()
            if d.valid_to is None or d.pk in grouped]


@login_required
def referral_create(request):
    require(request.user, "referral")
    form = ReferralForm(request.POST or None, user=request.user)

    def create(data):
        return services.create_referral(
            by=request.user, estate=EstateChoice.resolve(request.user, data["estate"]), department=data["department"],
            problem=data["problem"] or "", referred_on=data["referred_on"], due_on=data["due_on"],
        )

    if request.method == "POST" and form.is_valid_with_rules(lambda: dry_run(lambda: create(form.parsed_values()))):
        try:
            referral = create(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"已移交{referral.department.name}：{referral.number}。")
            return redirect("disputes:referral_detail", pk=referral.pk)
    return render(request, "disputes/simple_form.html", {
        "form": form, "title": "移交联合执法", "submit": "移交",
        "intro": "将小区问题移交联合执法部门（宁政办发〔2017〕215号 一(三)）。由矛盾纠纷转办的，请在纠纷页面选择“转联合执法”。",
        "breadcrumbs": [HOME, ("联合执法", reverse("disputes:referral_list")), ("移交", "")],
    })


def _referral_context(request, referral, bound=None, step=None):
    forms = {"accept": AcceptForm(initial={"accepted_on": timezone.localdate()}),
             "answer": AnswerForm(initial={"answered_on": timezone.localdate()}), "attach": AttachmentForm()}
    if bound is not None and step in forms:
        forms[step] = bound
    may_write = can(request.user, "referral") and EnforcementReferral.objects.writable_by(request.user).filter(pk=referral.pk).exists()
    return {
        "referral": referral, "today": timezone.localdate(), "forms": forms, "may_write": may_write,
        "failed_step": step if bound is not None else None, "attachments": referral.attachments.all(),
        "history": referral.history.select_related("history_user")[:50],
        "breadcrumbs": [HOME, ("联合执法", reverse("disputes:referral_list")), (referral.number, "")],
    }


@login_required
def referral_detail(request, pk):
    referral = get_object_or_404(
        EnforcementReferral.objects.visible_to(request.user).select_related("estate", "department", "dispute"), pk=pk)
    return render(request, "disputes/referral_detail.html", _referral_context(request, referral))


@login_required
def referral_step(request, pk):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    referral = get_object_or_404(
        EnforcementReferral.objects.visible_to(request.user).select_related("estate", "department", "dispute"), pk=pk)
    _writable_or_403(EnforcementReferral, referral, request.user, "referral")
    user, step = request.user, request.POST.get("step", "")
    if step == "accept":
        form = AcceptForm(request.POST)
        call = lambda d: services.accept_referral(referral, by=user, accepted_on=d["accepted_on"])  # noqa: E731
    elif step == "answer":
        form = AnswerForm(request.POST)
        call = lambda d: services.answer_referral(referral, by=user, answered_on=d["answered_on"],  # noqa: E731
                                                  feedback=d["feedback"], returned=d["returned"])
    elif step == "attach":
        form = AttachmentForm(request.POST, request.FILES)
        call = lambda d: services.add_attachment(referral, by=user, upload=d["file"])  # noqa: E731
    else:
        form = AnswerForm(request.POST)
        form.is_valid()
        form.add_error(None, "请选择办理步骤。")
        return render(request, "disputes/referral_detail.html", _referral_context(request, referral, form, "answer"))
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("disputes:referral_detail", pk=referral.pk)
    referral.refresh_from_db()
    return render(request, "disputes/referral_detail.html", _referral_context(request, referral, form, step))


# --- filings ----------------------------------------------------------------------------------
@login_required
def filing_list(request):
    queryset = Filing.objects.visible_to(request.user).select_related("estate", "street")
    filterset = FilingFilter(request.GET or None, queryset=queryset, request=request)
    page = _page(request, FILING_ORDER.apply(request, filterset.qs))
    return _render_list(request, "disputes/filing_list.html", filterset, page, {
        "breadcrumbs": [HOME, ("备案", "")], "export_list": "filings",
    })


@login_required
def filing_create(request):
    require(request.user, "filing")
    form = FilingForm(request.POST or None, user=request.user)

    def create(d):
        return services.create_filing(
            by=request.user, estate=EstateChoice.resolve(request.user, d["estate"]), kind=d["kind"] or "",
            summary=d["summary"] or "", applicant=d["applicant"] or "", submitted_on=d["submitted_on"],
            committee=d["committee"], owners_organisation=d["owners_organisation"], firm=d["firm"],
            contract_start=d["contract_start"], contract_end=d["contract_end"],
        )

    if request.method == "POST" and form.is_valid_with_rules(lambda: dry_run(lambda: create(form.parsed_values()))):
        try:
            filing = create(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"已登记备案 {filing.number}，请上传备案材料。")
            return redirect("disputes:filing_detail", pk=filing.pk)
    return render(request, "disputes/simple_form.html", {
        "form": form, "title": "登记备案", "submit": "登记",
        "intro": "街道物业服务中心受理的备案：物管会成立或变更、业主组织、物业服务合同。登记后在详情页上传备案材料。",
        "breadcrumbs": [HOME, ("备案", reverse("disputes:filing_list")), ("登记备案", "")],
    })


def _filing_context(request, filing, bound=None, step=None):
    forms = {"decide": DecideForm(initial={"decided_on": timezone.localdate()}), "attach": AttachmentForm()}
    if bound is not None and step in forms:
        forms[step] = bound
    may_write = can(request.user, "filing") and Filing.objects.writable_by(request.user).filter(pk=filing.pk).exists()
    return {
        "filing": filing, "forms": forms, "may_write": may_write, "failed_step": step if bound is not None else None,
        "attachments": filing.attachments.all(), "next_statuses": services.FILING_NEXT[filing.status],
        "history": filing.history.select_related("history_user")[:50],
        "breadcrumbs": [HOME, ("备案", reverse("disputes:filing_list")), (filing.number, "")],
    }


@login_required
def filing_detail(request, pk):
    filing = get_object_or_404(Filing.objects.visible_to(request.user).select_related(
        "estate", "committee", "owners_organisation", "firm"), pk=pk)
    return render(request, "disputes/filing_detail.html", _filing_context(request, filing))


@login_required
def filing_step(request, pk):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    filing = get_object_or_404(Filing.objects.visible_to(request.user).select_related("estate"), pk=pk)
    _writable_or_403(Filing, filing, request.user, "filing")
    user, step = request.user, request.POST.get("step", "")
    if step == "attach":
        form = AttachmentForm(request.POST, request.FILES)
        call = lambda d: services.add_attachment(filing, by=user, upload=d["file"])  # noqa: E731
    else:
        step = "decide"
        form = DecideForm(request.POST)
        call = lambda d: services.decide_filing(filing, by=user, status=d["status"], decided_on=d["decided_on"], note=d["note"])  # noqa: E731
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("disputes:filing_detail", pk=filing.pk)
    filing.refresh_from_db()
    return render(request, "disputes/filing_detail.html", _filing_context(request, filing, form, step))


# --- stations and teams -----------------------------------------------------------------------
@login_required
def station_list(request):
    """The stations of every street in scope, one row per street."""
    streets = Street.objects.visible_to(request.user).select_related("district").order_by("district__code", "code")
    filterset = StationFilter(request.GET or None, queryset=Station.objects.visible_to(request.user), request=request)
    if filterset.is_valid():
        if filterset.form.cleaned_data.get("district"):
            streets = streets.filter(district=filterset.form.cleaned_data["district"])
        if filterset.form.cleaned_data.get("street"):
            streets = streets.filter(pk=filterset.form.cleaned_data["street"].pk)
    if request.user.scope_level == "assigned":
        streets = streets.none()
    page = _page(request, streets)
    street_ids = [s.pk for s in page.object_list]
    stations = {}
    for station in Station.objects.visible_to(request.user).filter(street_id__in=street_ids):
        stations.setdefault(station.street_id, {})[station.kind] = station
    teams = dict(RepairTeam.objects.visible_to(request.user).filter(street_id__in=street_ids, is_active=True)
                 .order_by().values_list("street_id").annotate(n=Count("id")))
    rows = [{"street": s, "stations": [stations.get(s.pk, {}).get(k) for k in StationKind.values],
             "teams": teams.get(s.pk, 0)} for s in page.object_list]
    return _render_list(request, "disputes/station_list.html", filterset, page, {
        "rows": rows, "kinds": StationKind.choices, "breadcrumbs": [HOME, ("两站一中心站点", "")], "export_list": "stations",
    })


def _street_in_scope(request, street_id):
    if request.user.scope_level == "assigned":
        raise Http404
    return get_object_or_404(Street.objects.visible_to(request.user).select_related("district"), pk=street_id)


def _may_edit_street(user, street) -> bool:
    return can(user, "station") and (user.scope_level == "city" or user.street_id == street.pk)


@login_required
def station_street(request, street_id):
    street = _street_in_scope(request, street_id)
    stations = {s.kind: s for s in Station.objects.visible_to(request.user).filter(street=street)}
    teams = RepairTeam.objects.visible_to(request.user).filter(street=street).select_related("firm")
    return render(request, "disputes/station_street.html", {
        "street": street, "stations": [(value, label, stations.get(value)) for value, label in StationKind.choices],
        "teams": teams, "may_edit": _may_edit_street(request.user, street),
        "breadcrumbs": [HOME, ("两站一中心站点", reverse("disputes:station_list")), (street.name, "")],
    })


@login_required
def station_edit(request, street_id, kind):
    street = _street_in_scope(request, street_id)
    if kind not in StationKind.values:
        raise Http404
    require(request.user, "station")
    if not _may_edit_street(request.user, street):
        raise PermissionDenied("只能维护本街道的站点。")
    station = Station.objects.filter(street=street, kind=kind).first()
    initial = {f: getattr(station, f) for f in services.STATION_FIELDS} if station else {
        "name": f"{street.name}{StationKind(kind).label}"}
    form = StationForm(request.POST or None, initial=initial, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_station(by=request.user, street=street, kind=kind, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "站点信息已保存。")
            return redirect("disputes:station_street", street_id=street.pk)
    return render(request, "disputes/simple_form.html", {
        "form": form, "title": f"{street.name} · {StationKind(kind).label}", "submit": "保存",
        "breadcrumbs": [HOME, ("两站一中心站点", reverse("disputes:station_list")),
                        (street.name, reverse("disputes:station_street", args=[street.pk])), (StationKind(kind).label, "")],
    })


@login_required
def team_edit(request, street_id, pk=None):
    street = _street_in_scope(request, street_id)
    require(request.user, "station")
    if not _may_edit_street(request.user, street):
        raise PermissionDenied("只能维护本街道的维修队伍。")
    team = get_object_or_404(RepairTeam.objects.filter(street=street), pk=pk) if pk else None
    initial = {f: getattr(team, f) for f in services.TEAM_FIELDS} if team else {"is_active": True}
    form = TeamForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_team(by=request.user, street=street, team=team, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "维修队伍已保存。")
            return redirect("disputes:station_street", street_id=street.pk)
    return render(request, "disputes/simple_form.html", {
        "form": form, "title": f"{street.name} · {'修改维修队伍' if team else '新增维修队伍'}", "submit": "保存",
        "breadcrumbs": [HOME, ("两站一中心站点", reverse("disputes:station_list")),
                        (street.name, reverse("disputes:station_street", args=[street.pk])), (team.name if team else "新增维修队伍", "")],
    })


# --- attachments, the estate's cases, exports -------------------------------------------------
@login_required
def attachment_download(request, pk):
    attachment = get_object_or_404(Attachment.objects.visible_to(request.user), pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("文件不存在。") from exc
    return FileResponse(handle, as_attachment=True, filename=attachment.name)


@login_required
def estate_cases(request, estate_pk, year):
    """The cases behind an estate's effectiveness score (效能效果) for a year: the disputes
    received and the repairs reported in that year, each marked as counted or not, with the
    counts exactly as the yearly cycle reads them (effectiveness.case_counts)."""
    estate = get_object_or_404(Estate.objects.visible_to(request.user).select_related("street", "community", "district"), pk=estate_pk)
    if not 2000 <= year <= 2100:
        raise Http404
    start, end = year_bounds(year)
    in_year = {"estate": estate, "requested_datetime__gte": start, "requested_datetime__lt": end}
    disputes = list(DisputeCase.objects.filter(**in_year).order_by("requested_datetime", "id"))
    repairs = list(RepairRequest.objects.filter(**in_year).select_related("team").order_by("requested_datetime", "id"))
    privacy.apply(request.user, disputes)
    privacy.apply(request.user, repairs)
    for case in disputes:
        case.counted = case.status == "resolved" and case.closed_datetime is not None and case.closed_datetime < end
    for case in repairs:
        case.counted = bool(case.completed_on_time)
    counts = case_counts(year, estate.pk, estate.pk).get(estate.pk)
    return render(request, "disputes/estate_cases.html", {
        "estate": estate, "year": year, "disputes": disputes, "repairs": repairs, "counts": counts, "year_end": end,
        "breadcrumbs": [HOME, (f"{estate.name} · {year}年效能效果", "")],
    })


@login_required
@require_POST
def export(request, list_name):
    from .exports import EXPORTS, start_export

    if list_name not in EXPORTS:
        raise Http404
    job = start_export(request.user, list_name, request.POST.get("query", ""))
    return redirect("core:job_detail", pk=job.pk)



# --- call-backs (回访) -------------------------------------------------------------------------
CALLBACK_KINDS = {"disputes": DisputeCase, "repairs": RepairRequest}


@login_required
def callback_list(request):
    """回访: cases the resident rated 不满意, waiting for a clerk's call (the street's list)."""
    dispute_rows, repair_rows = services.callback_cases(request.user)
    rows = [("repairs", c) for c in repair_rows] + [("disputes", c) for c in dispute_rows]
    privacy.apply(request.user, [c for _kind, c in rows])
    return render(request, "disputes/callback_list.html", {
        "rows": rows, "form": CallbackForm(), "may_write": can(request.user, "case"),
        "breadcrumbs": [HOME, ("回访", "")],
    })


@sensitive_post_parameters("note")
@login_required
@require_POST
def callback_record(request, kind, pk):
    """Record the call-back of one case: what was said, a satisfaction, or reopen."""
    model = CALLBACK_KINDS.get(kind)
    if model is None:
        raise Http404
    case = get_object_or_404(model.objects.visible_to(request.user), pk=pk)
    _writable_or_403(model, case, request.user, "case")
    form = CallbackForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.record_callback(case, by=request.user, note=data["note"], satisfaction=data["satisfaction"],
                                     reopen=data["reopen"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"已登记 {case.number} 的回访{'，案件已重新办理' if data['reopen'] else ''}。")
            return redirect("disputes:callback_list")
    dispute_rows, repair_rows = services.callback_cases(request.user)
    rows = [("repairs", c) for c in repair_rows] + [("disputes", c) for c in dispute_rows]
    privacy.apply(request.user, [c for _kind, c in rows])
    return render(request, "disputes/callback_list.html", {
        "rows": rows, "form": CallbackForm(), "failed": (kind, case.pk), "failed_form": form, "may_write": True,
        "breadcrumbs": [HOME, ("回访", "")],
    }, status=400)
