"""Result pages: estate results, unit roll-ups, and their exports."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.rules import can
from core.jobs import enqueue
from core.models import Job

from ..choices import UnitLevel
from ..filters import EstateResultFilter, UnitResultFilter
from ..models import AssessmentYear, EstateResult, UnitResult
from .common import RESULT_ORDER, _latest_year, _page, _year_param


# --- results -----------------------------------------------------------------------------------
@login_required
def result_list(request):
    year = _year_param(request)
    data = request.GET.copy()
    data.setdefault("year", str(year))
    qs = (
        EstateResult.objects.visible_to(request.user)
        .filter(is_current=True)
        .select_related("estate", "district", "street", "community")
    )
    f = EstateResultFilter(data, queryset=qs, request=request)
    page, query = _page(request, RESULT_ORDER.apply(request, f.qs))
    state = AssessmentYear.objects.filter(year=year).first()
    return render(
        request,
        "assessments/result_list.html",
        {
            "filter": f,
            "page_obj": page,
            "query_string": query,
            "year": year,
            "state": state,
            "can_appeal": can(request.user, "appeal_file") and state is not None and state.appeal_window_open(),
            "breadcrumbs": [("考核", reverse("assessments:index")), ("小区考核结果", "")],
        },
    )


@login_required
def unit_results(request):
    year = _year_param(request)
    data = request.GET.copy()
    data.setdefault("year", str(year))
    data.setdefault("level", UnitLevel.DISTRICT)
    qs = (
        UnitResult.objects.visible_to(request.user)
        .filter(is_current=True)
        .select_related("district", "street", "community")
    )
    f = UnitResultFilter(data, queryset=qs, request=request)
    rows = sorted(
        f.qs,
        key=lambda u: (
            u.district.code,
            u.street.code if u.street else "",
            u.rank or 10**9,
            u.community.name if u.community else "",
        ),
    )
    return render(
        request,
        "assessments/unit_results.html",
        {
            "filter": f,
            "rows": rows,
            "year": year,
            "level": data["level"],
            "breadcrumbs": [("考核", reverse("assessments:index")), ("单位汇总与排名", "")],
        },
    )


def _year_export(request, kind: str, what: str):
    """Start the export `kind` of one year (the form's year, else the latest) and, if a district
    is given, of that district only; the job page follows its progress."""
    try:
        year = int(request.POST.get("year") or _latest_year())
    except ValueError:
        year = _latest_year()
    params = {"year": year}
    district = request.POST.get("district")
    if district and district.isdigit():
        params["district_ids"] = [int(district)]
    job = Job.objects.create(kind=kind, title=f"导出{year}年度{what}", created_by=request.user, params=params)
    enqueue(job)
    return redirect("core:job_detail", pk=job.pk)


@login_required
@require_POST
def result_export(request):
    return _year_export(request, "export_results", "考核结果")


@login_required
@require_POST
def inspection_export(request):
    """检查记录 of one year (the list's year filter, else the latest year) as .xlsx, through a Job."""
    return _year_export(request, "export_inspections", "检查记录")
