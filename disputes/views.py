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
from django.db.models import Case, Count, Q, Value, When
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.rules import can, require
from communities.models import Community, District, Estate, Street
from core.forms import apply_errors
from core.ordering import Ordering
from core.scoping import Level

from . import privacy, services, stats
from .case_views import HOME, writable_or_403
from .choices import REFERRAL_OPEN, Channel, DisputeStatus, FilingStatus, RepairStatus, StationKind
from .effectiveness import case_counts
from .exports import EXPORTS, start_export
from .filters import DisputeFilter, FilingFilter, ReferralFilter, RepairFilter, StationFilter
from .forms import (
    CallbackForm,
    StationForm,
    TeamForm,
)
from .limits import year_bounds
from .models import (
    Attachment,
    DisputeCase,
    EnforcementReferral,
    Filing,
    RepairRequest,
    RepairTeam,
    Station,
)

PER_PAGE = 50
# Sortable columns of the lists (core.ordering): dates, deadlines, codes and statuses.
DISPUTE_ORDER = Ordering(
    {
        "number": "id",
        "requested": "requested_datetime",
        "estate": "estate__code",
        "status": "status",
        "expected": "expected_datetime",
        "closed": "closed_datetime",
    },
    default=("-requested_datetime", "-id"),
)
REPAIR_ORDER = Ordering(
    {
        "number": "id",
        "requested": "requested_datetime",
        "estate": "estate__code",
        "urgency": "urgency",
        "status": "status",
        "expected": "expected_datetime",
    },
    default=("-requested_datetime", "-id"),
)
REFERRAL_ORDER = Ordering(
    {
        "number": "id",
        "department": "department__sort_order",
        "estate": "estate__code",
        "referred": "referred_on",
        "due": "due_on",
        "status": "status",
        "answered": "answered_on",
    },
    default=("-referred_on", "-id"),
)
FILING_ORDER = Ordering(
    {
        "number": "id",
        "kind": "kind",
        "estate": "estate__code",
        "submitted": "submitted_on",
        "status": "status",
        "decided": "decided_on",
    },
    default=("-submitted_on", "-id"),
)


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
    context = {
        "filter": filterset,
        "page_obj": page,
        "query_string": _query_without_page(request),
        "hidden_filters": HIDDEN_FILTERS.get(request.user.scope_level, set()),
    }
    context.update(extra)
    return render(request, template, context)


def _resident_first(user, queryset, first_status):
    """Newest first; for the people who handle cases (a street, a community), the new resident
    reports (居民自报, not yet acted on) come first, so no one waits unseen below the fold. The
    city's and districts' lists keep the plain (index-ordered) order."""
    if user.scope_level in ("street", "community"):
        new = Case(When(channel=Channel.RESIDENT, status=first_status, then=Value(0)), default=Value(1))
        return queryset.order_by(new, "-requested_datetime", "-id")
    return queryset.order_by("-requested_datetime", "-id")


# --- home -------------------------------------------------------------------------------------
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
        {
            "unit": u,
            "disputes": dispute_rates.get(u.pk, stats.Rates()),
            "repairs": repair_rates.get(u.pk, stats.Rates()),
            "dispute_overdue": dispute_overdue.get(u.pk, 0),
            "repair_overdue": repair_overdue.get(u.pk, 0),
        }
        for u in units
    ]
    total_disputes = stats.Rates.sum(r["disputes"] for r in rows)
    total_repairs = stats.Rates.sum(r["repairs"] for r in rows)
    referrals = EnforcementReferral.objects.visible_to(user)
    referral_counts = referrals.aggregate(
        open=Count("id", filter=Q(status__in=list(REFERRAL_OPEN))),
        overdue=Count("id", filter=Q(status__in=list(REFERRAL_OPEN), due_on__lt=timezone.localdate())),
    )
    filings_pending = (
        Filing.objects.visible_to(user).filter(status__in=[FilingStatus.SUBMITTED, FilingStatus.CORRECTION]).count()
    )
    satisfaction = stats.satisfaction_by([disputes.filter(**in_year), repairs.filter(**in_year)], field)
    for row in rows:
        row["satisfaction"] = satisfaction.get(row["unit"].pk, stats.Satisfaction())
    return render(
        request,
        "disputes/home.html",
        {
            "year": year,
            "years": range(timezone.localdate().year, 2016, -1),
            "rows": rows,
            "unit_label": unit_label,
            "unit_field": field.removesuffix("_id"),
            "total_disputes": total_disputes,
            "total_repairs": total_repairs,
            "dispute_overdue": sum(dispute_overdue.values()),
            "repair_overdue": sum(repair_overdue.values()),
            "referral_counts": referral_counts,
            "filings_pending": filings_pending,
            "new_resident_cases": services.new_resident_cases_count(user),
            "callbacks_pending": sum(q.count() for q in services.callback_cases(user)),
            "total_satisfaction": stats.Satisfaction.sum(r["satisfaction"] for r in rows),
            "breadcrumbs": [("两站一中心", "")],
        },
    )


# --- disputes ---------------------------------------------------------------------------------
@login_required
def dispute_list(request):
    queryset = DisputeCase.objects.visible_to(request.user).select_related("estate", "street", "community")
    filterset = DisputeFilter(request.GET or None, queryset=queryset, request=request)
    ordered = (
        DISPUTE_ORDER.apply(request, filterset.qs)
        if DISPUTE_ORDER.current(request)
        else _resident_first(request.user, filterset.qs, DisputeStatus.RECEIVED)
    )
    page = _page(request, ordered)
    privacy.apply(request.user, page.object_list)
    return _render_list(
        request,
        "disputes/dispute_list.html",
        filterset,
        page,
        {
            "now": timezone.now(),
            "breadcrumbs": [HOME, ("矛盾纠纷", "")],
            "export_list": "disputes",
        },
    )


# --- repairs ----------------------------------------------------------------------------------
@login_required
def repair_list(request):
    queryset = RepairRequest.objects.visible_to(request.user).select_related("estate", "street", "community", "team")
    filterset = RepairFilter(request.GET or None, queryset=queryset, request=request)
    ordered = (
        REPAIR_ORDER.apply(request, filterset.qs)
        if REPAIR_ORDER.current(request)
        else _resident_first(request.user, filterset.qs, RepairStatus.OPEN)
    )
    page = _page(request, ordered)
    privacy.apply(request.user, page.object_list)
    return _render_list(
        request,
        "disputes/repair_list.html",
        filterset,
        page,
        {
            "now": timezone.now(),
            "breadcrumbs": [HOME, ("应急维修", "")],
            "export_list": "repairs",
        },
    )


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
    page = _page(
        request, filterset.qs.order_by("expected_datetime", "id"), count=sum(counts.values()) if unfiltered else None
    )
    privacy.apply(user, page.object_list)
    return _render_list(
        request,
        "disputes/overdue_list.html",
        filterset,
        page,
        {
            "kind": kind,
            "kind_label": label,
            "now": now,
            "unit_label": unit_label,
            "unit_field": field.removesuffix("_id"),
            "unit_counts": [(u, counts.get(u.pk, 0)) for u in units],
            "total_overdue": sum(counts.values()),
            "breadcrumbs": [HOME, ("逾期清单", "")],
            "export_list": f"overdue_{kind}",
        },
    )


# --- joint enforcement ------------------------------------------------------------------------
@login_required
def referral_list(request):
    queryset = EnforcementReferral.objects.visible_to(request.user).select_related("estate", "street", "department")
    filterset = ReferralFilter(request.GET or None, queryset=queryset, request=request)
    page = _page(request, REFERRAL_ORDER.apply(request, filterset.qs))
    return _render_list(
        request,
        "disputes/referral_list.html",
        filterset,
        page,
        {
            "today": timezone.localdate(),
            "breadcrumbs": [HOME, ("联合执法", "")],
            "export_list": "referrals",
        },
    )


@login_required
def referral_departments(request):
    """Counts and overdue per department (clause 一(三))."""
    today = timezone.localdate()
    queryset = EnforcementReferral.objects.visible_to(request.user)
    filterset = ReferralFilter(request.GET or None, queryset=queryset, request=request)
    rows = stats.department_counts(filterset.qs, today)
    return render(
        request,
        "disputes/referral_departments.html",
        {
            "filter": filterset,
            "rows": rows,
            "hidden_filters": HIDDEN_FILTERS.get(request.user.scope_level, set()),
            "today": today,
            "export_list": "departments",
            "breadcrumbs": [HOME, ("联合执法", reverse("disputes:referral_list")), ("按部门统计", "")],
        },
    )


# --- filings ----------------------------------------------------------------------------------
@login_required
def filing_list(request):
    queryset = Filing.objects.visible_to(request.user).select_related("estate", "street")
    filterset = FilingFilter(request.GET or None, queryset=queryset, request=request)
    page = _page(request, FILING_ORDER.apply(request, filterset.qs))
    return _render_list(
        request,
        "disputes/filing_list.html",
        filterset,
        page,
        {
            "breadcrumbs": [HOME, ("备案", "")],
            "export_list": "filings",
        },
    )


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
    if request.user.scope_level == Level.ASSIGNED:
        streets = streets.none()
    page = _page(request, streets)
    street_ids = [s.pk for s in page.object_list]
    stations = {}
    for station in Station.objects.visible_to(request.user).filter(street_id__in=street_ids):
        stations.setdefault(station.street_id, {})[station.kind] = station
    teams = dict(
        RepairTeam.objects.visible_to(request.user)
        .filter(street_id__in=street_ids, is_active=True)
        .order_by()
        .values_list("street_id")
        .annotate(n=Count("id"))
    )
    rows = [
        {
            "street": s,
            "stations": [stations.get(s.pk, {}).get(k) for k in StationKind.values],
            "teams": teams.get(s.pk, 0),
        }
        for s in page.object_list
    ]
    return _render_list(
        request,
        "disputes/station_list.html",
        filterset,
        page,
        {
            "rows": rows,
            "kinds": StationKind.choices,
            "breadcrumbs": [HOME, ("两站一中心站点", "")],
            "export_list": "stations",
        },
    )


def _street_in_scope(request, street_id):
    if request.user.scope_level == Level.ASSIGNED:
        raise Http404
    return get_object_or_404(Street.objects.visible_to(request.user).select_related("district"), pk=street_id)


def _may_edit_street(user, street) -> bool:
    return can(user, "station") and (user.scope_level == Level.CITY or user.street_id == street.pk)


@login_required
def station_street(request, street_id):
    street = _street_in_scope(request, street_id)
    stations = {s.kind: s for s in Station.objects.visible_to(request.user).filter(street=street)}
    teams = RepairTeam.objects.visible_to(request.user).filter(street=street).select_related("firm")
    return render(
        request,
        "disputes/station_street.html",
        {
            "street": street,
            "stations": [(value, label, stations.get(value)) for value, label in StationKind.choices],
            "teams": teams,
            "may_edit": _may_edit_street(request.user, street),
            "breadcrumbs": [HOME, ("两站一中心站点", reverse("disputes:station_list")), (street.name, "")],
        },
    )


@login_required
def station_edit(request, street_id, kind):
    street = _street_in_scope(request, street_id)
    if kind not in StationKind.values:
        raise Http404
    require(request.user, "station")
    if not _may_edit_street(request.user, street):
        raise PermissionDenied("只能维护本街道的站点。")
    station = Station.objects.filter(street=street, kind=kind).first()
    initial = (
        {f: getattr(station, f) for f in services.STATION_FIELDS}
        if station
        else {"name": f"{street.name}{StationKind(kind).label}"}
    )
    form = StationForm(request.POST or None, initial=initial, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_station(by=request.user, street=street, kind=kind, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "站点信息已保存。")
            return redirect("disputes:station_street", street_id=street.pk)
    return render(
        request,
        "disputes/simple_form.html",
        {
            "form": form,
            "title": f"{street.name} · {StationKind(kind).label}",
            "submit": "保存",
            "breadcrumbs": [
                HOME,
                ("两站一中心站点", reverse("disputes:station_list")),
                (street.name, reverse("disputes:station_street", args=[street.pk])),
                (StationKind(kind).label, ""),
            ],
        },
    )


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
    return render(
        request,
        "disputes/simple_form.html",
        {
            "form": form,
            "title": f"{street.name} · {'修改维修队伍' if team else '新增维修队伍'}",
            "submit": "保存",
            "breadcrumbs": [
                HOME,
                ("两站一中心站点", reverse("disputes:station_list")),
                (street.name, reverse("disputes:station_street", args=[street.pk])),
                (team.name if team else "新增维修队伍", ""),
            ],
        },
    )


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
    estate = get_object_or_404(
        Estate.objects.visible_to(request.user).select_related("street", "community", "district"), pk=estate_pk
    )
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
    return render(
        request,
        "disputes/estate_cases.html",
        {
            "estate": estate,
            "year": year,
            "disputes": disputes,
            "repairs": repairs,
            "counts": counts,
            "year_end": end,
            "breadcrumbs": [HOME, (f"{estate.name} · {year}年效能效果", "")],
        },
    )


@login_required
@require_POST
def export(request, list_name):
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
    return render(
        request,
        "disputes/callback_list.html",
        {
            "rows": rows,
            "form": CallbackForm(),
            "may_write": can(request.user, "case"),
            "breadcrumbs": [HOME, ("回访", "")],
        },
    )


@sensitive_post_parameters("note")
@login_required
@require_POST
def callback_record(request, kind, pk):
    """Record the call-back of one case: what was said, a satisfaction, or reopen."""
    model = CALLBACK_KINDS.get(kind)
    if model is None:
        raise Http404
    case = get_object_or_404(model.objects.visible_to(request.user), pk=pk)
    writable_or_403(model, case, request.user, "case")
    form = CallbackForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.record_callback(
                case, by=request.user, note=data["note"], satisfaction=data["satisfaction"], reopen=data["reopen"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"已登记 {case.number} 的回访{'，案件已重新办理' if data['reopen'] else ''}。")
            return redirect("disputes:callback_list")
    dispute_rows, repair_rows = services.callback_cases(request.user)
    rows = [("repairs", c) for c in repair_rows] + [("disputes", c) for c in dispute_rows]
    privacy.apply(request.user, [c for _kind, c in rows])
    return render(
        request,
        "disputes/callback_list.html",
        {
            "rows": rows,
            "form": CallbackForm(),
            "failed": (kind, case.pk),
            "failed_form": form,
            "may_write": True,
            "breadcrumbs": [HOME, ("回访", "")],
        },
        status=400,
    )
