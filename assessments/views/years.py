"""The year's pages: its state, publishing, closing, reopening, the publication (公示)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.rules import can, require
from communities.models import District

from .. import services
from ..choices import GRADE_COLUMNS, AppealStatus, YearStatus
from ..errors import Refused
from ..filters import EstateResultFilter
from ..forms import ReasonForm
from ..models import Appeal, AssessmentYear, CycleRun, EstateResult


# --- the year: publication, closing, reopening -------------------------------------------------------
def _assessment_year(year: int) -> int:
    if not services.is_assessment_year(year):
        raise Http404("没有这个考核年度。")
    return year


def _year_events(state, user) -> list:
    """The year's 操作记录 as `user` may read them: an event that names an object (a
    re-scoring names its appeal, so an estate and the person who ran it) names it only to a
    user whose scope holds that object; others see that the step happened, nothing more."""
    if state is None:
        return []
    events = list(state.events.select_related("by", "appeal__estate"))
    named = {e.appeal_id for e in events if e.appeal_id}
    visible = set(Appeal.objects.visible_to(user).filter(pk__in=named).values_list("pk", flat=True)) if named else set()
    for event in events:
        event.names_object = event.appeal_id is None or event.appeal_id in visible
    return events


@login_required
def year_detail(request, year):
    return _year_page(request, _assessment_year(year), ReasonForm())


def _year_page(request, year, reason_form, status=200):
    state = AssessmentYear.objects.filter(year=year).first()
    run = CycleRun.objects.filter(year=year, is_current=True).select_related("scheme", "created_by").first()
    return render(
        request,
        "assessments/year_detail.html",
        {
            "year": year,
            "state": state,
            "run": run,
            "status": state.status if state else YearStatus.OPEN,
            "events": _year_events(state, request.user),
            "can_manage": can(request.user, "cycle"),
            "window_open": state.appeal_window_open() if state else False,
            "reason_form": reason_form,
            "close_refusal": services.close_year_refusal(year, state)
            if state and state.status == YearStatus.PUBLISHED
            else None,
            "pending_appeals": Appeal.objects.visible_to(request.user)
            .filter(year=year, status=AppealStatus.PENDING)
            .count(),
            "breadcrumbs": [("考核", reverse("assessments:index")), (f"{year}年度", "")],
        },
        status=status,
    )


def _year_action(request, year, action):
    year = _assessment_year(year)
    require(request.user, "cycle")
    try:
        if action == "publish":
            services.publish_year(year, by=request.user)
            messages.success(request, f"{year}年度考核结果已公示。")
        elif action == "close":
            services.close_year(year, by=request.user)
            messages.success(request, f"{year}年度已关闭，该年度的检查记录、收缴率与考核结果已冻结。")
        else:
            form = ReasonForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            try:
                services.reopen_year(year, by=request.user, reason=reason)
            except Refused as exc:
                # The reason stays typed and the message stands beside it (the page again, 400).
                if "reason" in exc.errors and "reason" not in form.errors:
                    form.add_error("reason", exc.errors["reason"])
                elif not exc.errors:
                    form.add_error(None, exc.message)
                return _year_page(request, year, form, status=400)
            messages.success(request, f"{year}年度已重新开放。")
    except Refused as exc:
        messages.error(request, exc.message)
    return redirect("assessments:year_detail", year=year)


@login_required
@require_POST
def year_publish(request, year):
    return _year_action(request, year, "publish")


@login_required
@require_POST
def year_close(request, year):
    return _year_action(request, year, "close")


@login_required
@require_POST
def year_reopen(request, year):
    return _year_action(request, year, "reopen")


@login_required
def publication(request, year):
    """公示: the estates and grades of a district or a street for one year, printable on A4,
    with the publication date and the appeal deadline. A city user picks the district first
    (the whole city is not one notice)."""
    year = _assessment_year(year)
    state = AssessmentYear.objects.filter(year=year).first()
    qs = (
        EstateResult.objects.visible_to(request.user)
        .filter(year=year, is_current=True)
        .select_related("estate", "district", "street", "community")
    )
    f = EstateResultFilter(request.GET or None, queryset=qs, request=request)
    chosen = f.form.cleaned_data if f.is_bound and f.form.is_valid() else {}
    unit = chosen.get("street") or chosen.get("district") or request.user.unit
    pick_district = unit is None and request.user.scope_level == "city"
    if pick_district:
        rows, districts = [], list(District.objects.order_by("code"))
    else:
        rows, districts = (
            sorted(f.qs, key=lambda r: (r.district.code, r.street.code, r.community.name, r.estate.code)),
            [],
        )
    grade_counts = {}
    for r in rows:
        grade_counts[r.grade] = grade_counts.get(r.grade, 0) + 1
    return render(
        request,
        "assessments/publication.html",
        {
            "year": year,
            "state": state,
            "rows": rows,
            "filter": f,
            "unit": unit,
            "pick_district": pick_district,
            "districts": districts,
            "grade_counts": [(g, grade_counts.get(str(g), 0)) for g in GRADE_COLUMNS],
            "printed_on": timezone.localdate(),
            "breadcrumbs": [
                ("考核", reverse("assessments:index")),
                (f"{year}年度", reverse("assessments:year_detail", args=[year])),
                ("公示名单", ""),
            ],
        },
    )
