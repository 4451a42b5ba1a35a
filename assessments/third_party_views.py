"""Pages of 第三方评估 (clause 十): engagements, their sample, the deviation report and the
district's review of a flagged street. Readers are the city and district roles (the
commissioners); streets, communities and the evaluators do not see who is sampled."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.choices import Role
from accounts.models import User
from accounts.rules import can
from communities.models import District, Street
from core.jobs import enqueue
from core.models import Job

from . import third_party
from .errors import Refused
from .forms import DeviationReviewForm, EngagementCancelForm, EngagementForm
from .third_party_models import Engagement, EngagementEstate

CRUMB = ("考核", "/assessments/")


def _require_reader(user):
    if not third_party.can_read(user):
        raise PermissionDenied("只有市、区房产局和财政局可以查看第三方评估。")


def _year(request) -> int:
    """?year=, else the latest engagement's year, else last year; a malformed year is the default."""
    default = Engagement.objects.visible_to(request.user).aggregate(y=Max("year"))["y"] or timezone.localdate().year - 1
    raw = (request.GET.get("year") or request.POST.get("year") or "").strip()
    if raw.isdigit() and 2000 <= int(raw) <= timezone.localdate().year + 1:
        return int(raw)
    return default


# --- engagements ---------------------------------------------------------------------------------
@login_required
def engagement_list(request):
    _require_reader(request.user)
    engagements = (
        Engagement.objects.visible_to(request.user)
        .distinct()
        .select_related("commissioned_by_district")
        .prefetch_related("districts")
    )
    return render(
        request,
        "assessments/engagement_list.html",
        {
            "engagements": engagements,
            "can_create": can(request.user, "engagement"),
            "breadcrumbs": [CRUMB, ("第三方评估委托", "")],
        },
    )


def _form_choices(user):
    districts = (
        District.objects.order_by("code")
        if user.scope_level == "city"
        else District.objects.filter(pk=user.district_id)
    )
    evaluators = User.objects.filter(role=Role.EVALUATOR, is_active=True).order_by("username")
    return {"districts": list(districts), "evaluators": list(evaluators)}


@login_required
def engagement_new(request):
    if not can(request.user, "engagement"):
        raise PermissionDenied("只有市房产局或区房产局可以登记第三方评估委托。")
    choices = _form_choices(request.user)
    initial = {"year": timezone.localdate().year, "sample_percent": "10"}
    if request.user.scope_level == "district":
        initial["districts"] = [request.user.district_id]
    form = EngagementForm(request.POST or None, initial=initial, **choices)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            data = third_party.EngagementInput(
                year=d["year"],
                organisation=d["organisation"],
                contract_no=d["contract_no"],
                district_ids=d["districts"],
                evaluator_ids=d["evaluators"],
                start_date=d["start_date"],
                end_date=d["end_date"],
                contract_amount=d["contract_amount"],
                sample_percent=d["sample_percent"],
                seed=d["seed"],
                estate_codes=d["estate_codes"].splitlines(),
            )
            try:
                engagement = third_party.create_engagement(by=request.user, data=data)
            except Refused as exc:
                messages.error(request, exc.message)
                for key, message in exc.errors.items():
                    form.add_error(key if key in form.fields else None, message)
            else:
                messages.success(request, f"已登记委托并确定评估小区 {engagement.sample.count()} 个。")
                return redirect("assessments:engagement_detail", pk=engagement.pk)
        else:
            messages.error(request, "委托信息有误，请按提示修改。")
    return render(
        request,
        "assessments/engagement_form.html",
        {
            "form": form,
            "breadcrumbs": [CRUMB, ("第三方评估委托", reverse("assessments:engagement_list")), ("登记委托", "")],
        },
        status=status,
    )


def _engagement(request, pk) -> Engagement:
    _require_reader(request.user)
    return get_object_or_404(Engagement.objects.visible_to(request.user).distinct(), pk=pk)


def _detail(request, engagement, cancel_form, status=200):
    sample = (
        EngagementEstate.objects.visible_to(request.user)
        .filter(engagement=engagement)
        .select_related("estate", "district", "street", "community")
        .order_by("district__code", "street__code", "estate__code")
    )
    return render(
        request,
        "assessments/engagement_detail.html",
        {
            "engagement": engagement,
            "sample": sample,
            "evaluators": engagement.evaluators.all(),
            "districts": engagement.districts.order_by("code"),
            "can_cancel": third_party.engagement_writable(request.user, engagement) and engagement.status == "active",
            "cancel_form": cancel_form,
            "breadcrumbs": [CRUMB, ("第三方评估委托", reverse("assessments:engagement_list")), (str(engagement), "")],
        },
        status=status,
    )


@login_required
def engagement_detail(request, pk):
    return _detail(request, _engagement(request, pk), EngagementCancelForm())


@login_required
@require_POST
def engagement_cancel(request, pk):
    engagement = _engagement(request, pk)
    if not third_party.engagement_writable(request.user, engagement):
        raise PermissionDenied("只有委托单位可以撤销该委托。")
    form = EngagementCancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写撤销原因。")
        return _detail(request, engagement, form, status=400)
    try:
        third_party.cancel_engagement(engagement, by=request.user, reason=form.cleaned_data["reason"])
    except Refused as exc:
        messages.error(request, exc.message)
        return _detail(request, engagement, form, status=400)
    messages.success(request, "委托已撤销，评估机构不再能访问其小区。")
    return redirect("assessments:engagement_detail", pk=engagement.pk)


# --- the deviation report ------------------------------------------------------------------------
def _deviation_page(request, year, review_forms=None, status=200):
    rows = third_party.deviation_report(year, user=request.user)
    threshold, alpha = third_party.year_policy(year)
    can_review = can(request.user, "deviation_review")
    review_forms = review_forms or {}
    for row in rows:
        # auto_id: one form per flagged street on the page, each with ids of its own
        row.form = review_forms.get(row.street_id) or (
            DeviationReviewForm(auto_id=f"id_{row.street_id}_%s")
            if can_review and row.flagged and row.review is None
            else None
        )
    return render(
        request,
        "assessments/deviation.html",
        {
            "rows": rows,
            "year": year,
            "threshold": threshold,
            "alpha": alpha,
            "can_review": can_review,
            "flagged": sum(1 for r in rows if r.flagged),
            "to_review": sum(1 for r in rows if r.flagged and r.review is None),
            "breadcrumbs": [CRUMB, ("偏差分析", "")],
        },
        status=status,
    )


@login_required
def deviation(request):
    _require_reader(request.user)
    return _deviation_page(request, _year(request))


@login_required
@require_POST
def deviation_export(request):
    _require_reader(request.user)
    year = _year(request)
    job = Job.objects.create(
        kind="export_deviation", title=f"导出{year}年度偏差分析", created_by=request.user, params={"year": year}
    )
    enqueue(job)
    return redirect("core:job_detail", pk=job.pk)


@login_required
@require_POST
def deviation_review(request, year, street_id):
    _require_reader(request.user)
    if not can(request.user, "deviation_review"):
        raise PermissionDenied("只有区房产局可以复核街道的检查偏差。")
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise Http404
    get_object_or_404(Street.objects.visible_to(request.user), pk=street_id)
    form = DeviationReviewForm(request.POST, auto_id=f"id_{street_id}_%s")
    try:
        if not form.is_valid():
            raise Refused("复核信息有误，请按提示修改。")
        third_party.review_deviation(
            by=request.user,
            year=year,
            street_id=street_id,
            conclusion=form.cleaned_data["conclusion"],
            note=form.cleaned_data["note"],
        )
    except Refused as exc:
        messages.error(request, exc.message)
        for key, message in exc.errors.items():
            if key in form.fields and not form.has_error(key):
                form.add_error(key, message)
        return _deviation_page(request, year, {int(street_id): form}, status=400)
    messages.success(request, "已记录复核结论。")
    return redirect(f"{reverse('assessments:deviation')}?year={year}")
