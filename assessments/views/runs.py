"""The cycle's pages (考核计分): starting a run, a run and its progress."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accounts.rules import can, require

from .. import services
from ..choices import GRADE_COLUMNS
from ..cycle import start_run
from ..errors import Refused
from ..forms import StartRunForm
from ..models import CycleRun
from .common import _require_city


# --- the cycle ---------------------------------------------------------------------------------
@login_required
def cycle(request):
    _require_city(request.user)
    form = StartRunForm(request.POST or None)
    if request.method == "POST":
        require(request.user, "cycle")
        if form.is_valid():
            try:
                with transaction.atomic():
                    run = start_run(form.cleaned_data["year"], by=request.user)
            except Refused as exc:
                form.add_error("year", exc.message)
            else:
                return redirect("assessments:run_detail", pk=run.pk)
    runs = CycleRun.objects.select_related("scheme", "created_by", "rescore_estate")[:50]
    year = form.data.get("year") if form.is_bound else form.fields["year"].initial
    readiness = None
    try:
        readiness = services.readiness_report(int(year))
    except (TypeError, ValueError):
        pass
    return render(
        request,
        "assessments/cycle.html",
        {
            "form": form,
            "runs": runs,
            "can_start": can(request.user, "cycle"),
            "readiness": readiness,
            "breadcrumbs": [("考核", reverse("assessments:index")), ("考核计分", "")],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def run_detail(request, pk):
    _require_city(request.user)
    run = get_object_or_404(CycleRun.objects.select_related("scheme", "created_by"), pk=pk)
    grades = [(g, run.grade_counts.get(str(g), 0)) for g in GRADE_COLUMNS]
    return render(
        request,
        "assessments/run_detail.html",
        {
            "run": run,
            "grades": grades,
            "breadcrumbs": [
                ("考核", reverse("assessments:index")),
                ("考核计分", reverse("assessments:cycle")),
                (run.title, ""),
            ],
        },
    )


@login_required
def run_progress(request, pk):
    _require_city(request.user)
    run = get_object_or_404(CycleRun, pk=pk)
    return render(request, "assessments/_run_progress.html", {"run": run})
