"""Inspection pages: the list, one inspection, its review (one or many)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.choices import CITY_OVERSIGHT, Role
from accounts.rules import can, require
from core.locking import mark_seen

from .. import services
from ..choices import InspectionStatus
from ..errors import Refused
from ..filters import InspectionFilter
from ..forms import ReviewForm
from ..models import Inspection
from .common import INSPECTION_ORDER, _latest_year, _page
from .inspection_entry import _crumb


# --- inspections -------------------------------------------------------------------------------
@login_required
def inspection_list(request):
    qs = Inspection.objects.visible_to(request.user).select_related("estate", "street", "created_by")
    f = InspectionFilter(request.GET or None, queryset=qs, request=request)
    page, query = _page(request, INSPECTION_ORDER.apply(request, f.qs))
    chosen = f.form.cleaned_data if f.is_bound and f.form.is_valid() else {}
    can_review = can(request.user, "inspection_review")
    # 待审核: what this reviewer may approve (their district's submitted ones, not their own).
    pending = (
        Inspection.objects.writable_by(request.user)
        .filter(status=InspectionStatus.SUBMITTED)
        .exclude(created_by=request.user)
        .count()
        if can_review
        else 0
    )
    return render(
        request,
        "assessments/inspection_list.html",
        {
            "filter": f,
            "page_obj": page,
            "query_string": query,
            "pending_count": pending,
            "export_year": int(chosen.get("year") or _latest_year()),
            "export_district": chosen.get("district"),
            "can_enter": can(request.user, "inspection"),
            "can_review": can_review,
            "breadcrumbs": [("考核", reverse("assessments:index")), ("检查记录", "")],
        },
    )


def _inspection_detail_page(request, inspection, review_form, status=200):
    checker = services.InspectionChecker(request.user)
    checklist = checker.checklist(inspection.year, inspection.estate.category, inspection.estate.district_id) or []
    rows = [(name, inspection.scores.get(code, ""), max_points) for code, name, max_points in checklist]
    may_review = (
        can(request.user, "inspection_review")
        and inspection.status == InspectionStatus.SUBMITTED
        and inspection.created_by_id != request.user.pk
        and Inspection.objects.writable_by(request.user).filter(pk=inspection.pk).exists()
    )
    may_edit = (
        inspection.status in services.EDITABLE_STATUSES
        and can(request.user, "inspection")
        and (inspection.created_by_id == request.user.pk or request.user.is_role(Role.CITY_ADMIN))
    )
    return render(
        request,
        "assessments/inspection_detail.html",
        {
            "inspection": inspection,
            "rows": rows,
            "may_edit": may_edit,
            "photos": inspection.photos.all(),
            "may_review": may_review,
            "review_form": review_form,
            "history": inspection.history.select_related("history_user")[:20]
            if request.user.role in CITY_OVERSIGHT
            else None,
            "breadcrumbs": [
                ("考核", reverse("assessments:index")),
                ("检查记录", reverse("assessments:inspection_list")),
                (_crumb(inspection), ""),
            ],
        },
        status=status,
    )


@login_required
def inspection_detail(request, pk):
    inspection = get_object_or_404(
        Inspection.objects.visible_to(request.user).select_related("estate", "created_by", "reviewed_by"), pk=pk
    )
    # Nothing is chosen until the reviewer chooses; the list's 退回… link opens with 退回 chosen.
    decision = request.GET.get("decision")
    return _inspection_detail_page(
        request, inspection, ReviewForm(initial={"decision": decision} if decision else None)
    )


@login_required
@require_POST
def inspection_review(request, pk):
    require(request.user, "inspection_review")
    inspection = get_object_or_404(Inspection.objects.writable_by(request.user), pk=pk)
    form = ReviewForm(request.POST)
    mark_seen(inspection, request.POST.get("version"))
    if form.is_valid():
        try:
            services.review_inspection(
                inspection,
                by=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        except Refused as exc:
            for key, message in exc.errors.items():
                form.add_error(key if key in form.fields else None, message)
            if not exc.errors:
                form.add_error(None, exc.message)
        else:
            messages.success(request, "已审核通过。" if form.cleaned_data["decision"] == "approve" else "已退回。")
            back = request.POST.get("next")
            if back and back.startswith("/assessments/"):
                return redirect(back)
            return redirect("assessments:inspection_detail", pk=pk)
    # Refused: the same page with the reviewer's choice and words kept, the message beside the field.
    inspection = Inspection.objects.select_related("estate", "created_by", "reviewed_by").get(pk=inspection.pk)
    return _inspection_detail_page(request, inspection, form, status=400)


@login_required
@require_POST
def inspection_review_bulk(request):
    """批量审核通过: the ticked inspections, each through review_inspection (its own checks: in
    the reviewer's district, submitted, not their own, the page's version); a refusal of one
    does not stop the others, and is reported with its estate."""
    require(request.user, "inspection_review")
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
    back = request.POST.get("next")
    back = back if back and back.startswith("/assessments/") else reverse("assessments:inspection_list")
    if not ids:
        messages.error(request, "请先勾选要审核通过的检查记录。")
        return redirect(back)
    versions = {
        int(k[len("version_") :]): v for k, v in request.POST.items() if k.startswith("version_") and k[8:].isdigit()
    }
    approved, refused = 0, []
    for inspection in Inspection.objects.writable_by(request.user).filter(pk__in=ids).select_related("estate"):
        mark_seen(inspection, versions.get(inspection.pk))
        try:
            services.review_inspection(inspection, by=request.user, approve=True)
        except Refused as exc:
            refused.append(f"{inspection.estate.code} {inspection.estate.name}：{exc.message}")
        else:
            approved += 1
    missing = len(ids) - approved - len(refused)
    if approved:
        messages.success(request, f"已审核通过 {approved} 条检查记录。")
    if refused or missing:
        messages.error(request, f"{len(refused) + missing} 条未通过审核：" + "；".join(refused or ["检查记录不存在。"]))
    return redirect(back)
