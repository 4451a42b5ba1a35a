"""The assessment's home page (考核) and dismissing a reminder."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.choices import Role
from accounts.rules import require

from ..models import AssessmentYear, CycleRun, EstateResult, Notice


# --- overview ----------------------------------------------------------------------------------
@login_required
def index(request):
    years = {y.year: y for y in AssessmentYear.objects.all()}
    current = {r.year: r for r in CycleRun.objects.filter(is_current=True).select_related("scheme")}
    # 参加考核 / 小区数 of the user's own scope: the run's own totals are city-wide.
    counts = {
        row["year"]: row
        for row in EstateResult.objects.visible_to(request.user)
        .filter(is_current=True)
        .order_by()
        .values("year")
        .annotate(total=Count("id"), assessed=Count("id", filter=Q(assessed=True)))
    }
    rows = [
        {"year": y, "state": years.get(y), "run": current.get(y), "counts": counts.get(y)}
        for y in sorted(set(years) | set(current), reverse=True)
    ]
    notices = Notice.objects.filter(dismissed_at__isnull=True)[:5] if request.user.is_role(Role.CITY_ADMIN) else []
    return render(
        request,
        "assessments/index.html",
        {
            "rows": rows,
            "notices": notices,
            "breadcrumbs": [("考核", "")],
        },
    )


@login_required
@require_POST
def notice_dismiss(request, pk):
    require(request.user, "cycle")
    notice = get_object_or_404(Notice, pk=pk)
    notice.dismissed_at = timezone.now()
    notice.save(update_fields=["dismissed_at"])
    return redirect("assessments:index")
