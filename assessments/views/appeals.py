"""Appeal pages (申诉): the list, filing, deciding, re-scoring."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.rules import can, require

from .. import services
from ..choices import AppealStatus
from ..errors import Refused
from ..forms import AppealDecisionForm, AppealForm
from ..models import Appeal, AssessmentYear, EstateResult
from .common import APPEAL_ORDER, _page


# --- appeals -----------------------------------------------------------------------------------
@login_required
def appeal_list(request):
    qs = Appeal.objects.visible_to(request.user).select_related("estate", "filed_by", "decided_by")
    page, query = _page(request, APPEAL_ORDER.apply(request, qs))
    return render(
        request,
        "assessments/appeal_list.html",
        {
            "page_obj": page,
            "query_string": query,
            "breadcrumbs": [("考核", reverse("assessments:index")), ("考核申诉", "")],
        },
    )


@login_required
def appeal_new(request, result_pk):
    require(request.user, "appeal_file")
    result = get_object_or_404(EstateResult.objects.writable_by(request.user).select_related("estate"), pk=result_pk)
    form = AppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            appeal = services.file_appeal(
                by=request.user, estate=result.estate, year=result.year, reason=form.cleaned_data["reason"]
            )
        except Refused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "申诉已提交，等待区房产局处理。")
            return redirect("assessments:appeal_detail", pk=appeal.pk)
    state = AssessmentYear.objects.filter(year=result.year).first()
    return render(
        request,
        "assessments/appeal_form.html",
        {
            "form": form,
            "result": result,
            "state": state,
            "breadcrumbs": [
                ("考核", reverse("assessments:index")),
                ("考核申诉", reverse("assessments:appeal_list")),
                ("提出申诉", ""),
            ],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def appeal_detail(request, pk):
    return _appeal_page(request, pk, AppealDecisionForm())


def _appeal_page(request, pk, decision_form, status=200):
    appeal = get_object_or_404(
        Appeal.objects.visible_to(request.user).select_related("estate", "result", "filed_by", "decided_by"), pk=pk
    )
    may_decide = (
        can(request.user, "appeal_decide")
        and appeal.status == AppealStatus.PENDING
        and Appeal.objects.writable_by(request.user).filter(pk=pk).exists()
    )
    may_rescore = (
        (can(request.user, "appeal_decide") or can(request.user, "cycle"))
        and appeal.status == AppealStatus.UPHELD
        and Appeal.objects.writable_by(request.user).filter(pk=pk).exists()
    )
    return render(
        request,
        "assessments/appeal_detail.html",
        {
            "appeal": appeal,
            "may_decide": may_decide,
            "may_rescore": may_rescore,
            "decision_form": decision_form,
            "runs": appeal.runs.all(),
            "current": EstateResult.objects.filter(estate=appeal.estate, year=appeal.year, is_current=True).first(),
            "breadcrumbs": [
                ("考核", reverse("assessments:index")),
                ("考核申诉", reverse("assessments:appeal_list")),
                (str(appeal), ""),
            ],
        },
        status=status,
    )


@login_required
@require_POST
def appeal_decide(request, pk):
    require(request.user, "appeal_decide")
    appeal = get_object_or_404(Appeal.objects.writable_by(request.user), pk=pk)
    form = AppealDecisionForm(request.POST)
    if not form.is_valid():
        # The choice and the words stay; the messages stand beside their fields (400).
        return _appeal_page(request, pk, form, status=400)
    try:
        services.decide_appeal(
            appeal, by=request.user, uphold=form.cleaned_data["decision"] == "uphold", note=form.cleaned_data["note"]
        )
    except Refused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已处理。支持的申诉请更正检查记录或收缴率后点击“重新计分”。")
    return redirect("assessments:appeal_detail", pk=pk)


@login_required
@require_POST
def appeal_rescore(request, pk):
    if not (can(request.user, "appeal_decide") or can(request.user, "cycle")):
        raise PermissionDenied("您没有执行此操作的权限。")
    appeal = get_object_or_404(Appeal.objects.writable_by(request.user), pk=pk)
    try:
        run = services.rescore_appeal(appeal, by=request.user)
    except Refused as exc:
        messages.error(request, exc.message)
        return redirect("assessments:appeal_detail", pk=pk)
    messages.success(request, f"已发起{run.title}。")
    return redirect("assessments:appeal_detail", pk=pk)
