"""The lists of cases (纠纷, 报修, 超期, 联合执法, 备案), the centre's home page, an estate's cases
behind its effectiveness score, and their exports."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from communities.models import Estate

from .. import privacy, services, stats
from ..case_views import HOME
from ..choices import REFERRAL_OPEN, DisputeStatus, FilingStatus, RepairStatus
from ..effectiveness import case_counts
from ..exports import EXPORTS, start_export
from ..filters import DisputeFilter, FilingFilter, ReferralFilter, RepairFilter
from ..limits import year_bounds
from ..models import (
    DisputeCase,
    EnforcementReferral,
    Filing,
    RepairRequest,
)
from .listing import (
    DISPUTE_ORDER,
    FILING_ORDER,
    HIDDEN_FILTERS,
    REFERRAL_ORDER,
    REPAIR_ORDER,
    paginate,
    render_list,
    resident_first,
    unit_breakdown,
    year_param,
)


# --- home -------------------------------------------------------------------------------------
@login_required
def home(request):
    user = request.user
    year = year_param(request)
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
        else resident_first(request.user, filterset.qs, DisputeStatus.RECEIVED)
    )
    page = paginate(request, ordered)
    privacy.apply(request.user, page.object_list)
    return render_list(
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
        else resident_first(request.user, filterset.qs, RepairStatus.OPEN)
    )
    page = paginate(request, ordered)
    privacy.apply(request.user, page.object_list)
    return render_list(
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
    page = paginate(
        request, filterset.qs.order_by("expected_datetime", "id"), count=sum(counts.values()) if unfiltered else None
    )
    privacy.apply(user, page.object_list)
    return render_list(
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
    page = paginate(request, REFERRAL_ORDER.apply(request, filterset.qs))
    return render_list(
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
    page = paginate(request, FILING_ORDER.apply(request, filterset.qs))
    return render_list(
        request,
        "disputes/filing_list.html",
        filterset,
        page,
        {
            "breadcrumbs": [HOME, ("备案", "")],
            "export_list": "filings",
        },
    )


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
