"""Pages of the unit assessment (三级考核): the year's sheets, one sheet with its units' items,
the assessor's 日常工作 entry and sign-off, the export. A sheet the user may not read is 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .choices import UnitLevel
from .errors import Refused
from .unit_assessment import (
    ITEMS,
    closed_years,
    compute_sheet,
    enter_daily,
    key_of,
    may_assess,
    own_sheet,
    parse_key,
    sheet_visible,
    sign_off,
)
from .unit_exports import start_export, visible_sheets
from .unit_models import UnitScore, UnitSheet

HOME = ("考核", "/assessments/")


def _year(request):
    years = closed_years()
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() else (years[0] if years else None)
    return year, years


@login_required
def unit_assessment_index(request):
    year, years = _year(request)
    mine = own_sheet(request.user)
    return render(
        request,
        "assessments/unit_assessment_index.html",
        {
            "year": year,
            "years": years,
            "sheets": visible_sheets(request.user, year) if year else [],
            "own_key": key_of(*mine) if mine else None,
            "own_label": _label(*mine) if mine else "",
            "breadcrumbs": [HOME, ("三级考核", "")],
        },
    )


def _label(level, parent) -> str:
    who = "市" if level == UnitLevel.DISTRICT else parent.name
    return f"{who}对{UnitLevel(level).label}的考核"


def _sheet(request, year, key):
    parsed = parse_key(key)
    if parsed is None or not sheet_visible(request.user, *parsed):
        raise Http404
    return parsed, UnitSheet.objects.filter(year=year, sheet_key=key).select_related("scheme", "signed_off_by").first()


@login_required
def unit_assessment_sheet(request, year, key):
    (level, parent), sheet = _sheet(request, year, key)
    scores = (
        list(sheet.scores.select_related("district", "street", "community", "daily_by").order_by("rank", "id"))
        if sheet
        else []
    )
    assessor = may_assess(request.user, level, parent)
    return render(
        request,
        "assessments/unit_assessment_sheet.html",
        {
            "year": year,
            "key": key,
            "sheet": sheet,
            "scores": scores,
            "title": f"{year}年度{_label(level, parent)}",
            "items": ITEMS,
            "assessor": assessor,
            "editable": assessor and sheet is not None and not sheet.is_signed_off,
            "year_closed": year in closed_years(),
            "missing": sum(1 for s in scores if s.daily_score is None),
            "breadcrumbs": [HOME, ("三级考核", f"/assessments/units/?year={year}"), (_label(level, parent), "")],
        },
    )


def _refused(request, exc: Refused):
    messages.error(request, exc.message)


@login_required
@require_POST
def unit_assessment_compute(request, year, key):
    (level, parent), _ = _sheet(request, year, key)
    if not may_assess(request.user, level, parent):
        raise PermissionDenied
    try:
        compute_sheet(year, level, parent, by=request.user)
    except Refused as exc:
        _refused(request, exc)
    else:
        messages.success(request, "已计算各项得分。")
    return redirect("assessments:unit_assessment_sheet", year=year, key=key)


@login_required
@require_POST
def unit_assessment_daily(request, pk):
    score = get_object_or_404(UnitScore.objects.select_related("sheet", "sheet__scheme"), pk=pk)
    sheet = score.sheet
    parsed = parse_key(sheet.sheet_key)
    if parsed is None or not sheet_visible(request.user, *parsed):
        raise Http404
    if not may_assess(request.user, *parsed):
        raise PermissionDenied
    try:
        enter_daily(score, request.POST.get("daily_score", ""), request.POST.get("daily_comment", ""), by=request.user)
    except Refused as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"已录入{score.unit.name}的日常工作得分。")
    return redirect("assessments:unit_assessment_sheet", year=sheet.year, key=sheet.sheet_key)


@login_required
@require_POST
def unit_assessment_sign_off(request, year, key):
    (level, parent), sheet = _sheet(request, year, key)
    if not may_assess(request.user, level, parent):
        raise PermissionDenied
    if sheet is None:
        messages.error(request, "请先计算考核表。")
    else:
        try:
            sign_off(sheet, by=request.user)
        except Refused as exc:
            _refused(request, exc)
        else:
            messages.success(request, "考核表已签批。")
    return redirect("assessments:unit_assessment_sheet", year=year, key=key)


@login_required
@require_POST
def unit_assessment_export(request, year):
    job = start_export(request.user, year)
    return redirect("core:job_detail", pk=job.pk)
