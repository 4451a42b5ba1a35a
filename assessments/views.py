"""Pages of the assessment (考核). Reading goes through visible_to; writing through services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Max, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.choices import CITY_OVERSIGHT, Role
from accounts.rules import can, require
from communities.models import District, Estate
from core.jobs import enqueue
from core.locking import mark_seen
from core.models import Job
from core.ordering import Ordering

from . import services
from .choices import GRADE_COLUMNS, AppealStatus, InspectionStatus, UnitLevel, YearStatus
from .cycle import start_run
from .errors import Refused
from .filters import EstateResultFilter, FeeRateFilter, InspectionFilter, UnitResultFilter
from .forms import (
    AppealDecisionForm,
    AppealForm,
    FeeRateForm,
    InspectionForm,
    NewVersionForm,
    ReasonForm,
    ReviewForm,
    SchemeForm,
    StartRunForm,
)
from .models import (
    Appeal,
    AssessmentYear,
    CycleRun,
    EstateResult,
    FeeRate,
    Inspection,
    InspectionPhoto,
    Notice,
    Scheme,
    UnitResult,
)
from .photos import PhotoRefused, read_photos

PAGE_SIZE = 50


# Sortable columns of the lists (core.ordering).
INSPECTION_ORDER = Ordering(
    {
        "date": "date",
        "estate": "estate__code",
        "street": "street__code",
        "source": "source",
        "total": "total_tenths",
        "status": "status",
    },
    default=("-date", "-id"),
)
RESULT_ORDER = Ordering(
    {
        "district": "district__code",
        "street": "street__code",
        "community": "community__name",
        "code": "estate__code",
        "management": "management",
        "effectiveness": "effectiveness",
        "fee": "fee",
        "size": "size",
        "total": "total",
        "grade": "grade",
    },
    default=("district__code", "street__code", "community__name", "estate__code"),
)
APPEAL_ORDER = Ordering(
    {"year": "year", "estate": "estate__code", "created": "created_at", "status": "status"},
    default=("-created_at", "-id"),
)


def _page(request, qs):
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()


def _is_city(user) -> bool:
    return user.scope_level == "city"


def _require_city(user):
    if not _is_city(user):
        raise PermissionDenied("只有市级用户可以查看此页面。")


def _latest_year() -> int:
    return CycleRun.objects.filter(is_current=True).aggregate(y=Max("year"))["y"] or timezone.localdate().year - 1


def _year_param(request) -> int:
    try:
        return int(request.GET.get("year") or _latest_year())
    except ValueError:
        return _latest_year()


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


# --- schemes -----------------------------------------------------------------------------------
@login_required
def scheme_list(request):
    schemes = Scheme.objects.all()
    return render(
        request,
        "assessments/scheme_list.html",
        {
            "schemes": schemes,
            "breadcrumbs": [("考核", reverse("assessments:index")), ("考核方案", "")],
        },
    )


def _scheme_initial(scheme: Scheme) -> dict:
    return {
        "name": scheme.name,
        "source_document": scheme.source_document,
        "valid_from_year": scheme.valid_from_year,
        "valid_to_year": scheme.valid_to_year,
        "management_points": scheme.management_points,
        "dispute_points": scheme.dispute_points,
        "repair_points": scheme.repair_points,
        "satisfaction_points": scheme.satisfaction_points,
        "appeal_window_days": scheme.appeal_window_days,
        "notes": scheme.notes,
        "third_party_rule": scheme.third_party_rule,
        "deviation_threshold": scheme.deviation_threshold,
        "deviation_alpha": scheme.deviation_alpha,
        "items": "\n".join(f"{i.category},{i.code},{i.name},{i.max_points}" for i in scheme.items.all()),
        "bands": "\n".join(f"{b.kind},{b.threshold},{b.points}" for b in scheme.bands.all()),
        "grades": "\n".join(f"{g.min_score},{g.grade}" for g in scheme.grade_bands.all()),
    }


def _parse_lines(text: str, arity: int, label: str) -> list[list[str]]:
    out = []
    for n, line in enumerate(text.replace("，", ",").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != arity:
            raise Refused(f"{label}第{n}行格式不正确。")
        out.append(parts)
    return out


def _dec(value: str, label: str) -> Decimal:
    try:
        return Decimal(value)
    except Exception:
        raise Refused(f"{label}“{value}”不是数字。") from None


@login_required
def scheme_detail(request, pk):
    scheme = get_object_or_404(Scheme, pk=pk)
    form = None
    if can(request.user, "scheme"):
        form = SchemeForm(request.POST or None, initial=_scheme_initial(scheme))
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                items = [
                    {"category": c, "code": code, "name": name, "max_points": _dec(mx, "满分"), "position": i}
                    for i, (c, code, name, mx) in enumerate(_parse_lines(d["items"], 4, "检查项目"))
                ]
                bands = [
                    {"kind": k, "threshold": _dec(t, "下限"), "points": _dec(p, "得分")}
                    for k, t, p in _parse_lines(d["bands"], 3, "评分分档")
                ]
                grades = [
                    {"min_score": _dec(s, "最低分"), "grade": g} for s, g in _parse_lines(d["grades"], 2, "等级划分")
                ]
                fields = {
                    k: d[k]
                    for k in (
                        "name",
                        "source_document",
                        "valid_from_year",
                        "valid_to_year",
                        "management_points",
                        "dispute_points",
                        "repair_points",
                        "satisfaction_points",
                        "appeal_window_days",
                        "notes",
                        "third_party_rule",
                        "deviation_threshold",
                        "deviation_alpha",
                    )
                }
                services.update_scheme(scheme, by=request.user, fields=fields, items=items, bands=bands, grades=grades)
            except Refused as exc:
                messages.error(request, exc.message)
                for key, message in exc.errors.items():
                    form.add_error(key if key in form.fields else None, message)
            else:
                messages.success(request, "方案已保存。")
                return redirect("assessments:scheme_detail", pk=scheme.pk)
        elif request.method == "POST":
            messages.error(request, "方案有误，请按提示修改。")
    elif request.method == "POST":
        raise PermissionDenied("您没有执行此操作的权限。")
    return render(
        request,
        "assessments/scheme_detail.html",
        {
            "scheme": scheme,
            "form": form,
            "locked": scheme.is_locked(),
            "version_form": NewVersionForm(),
            "items": scheme.items.all(),
            "bands": scheme.bands.all(),
            "grades": scheme.grade_bands.all(),
            "breadcrumbs": [
                ("考核", reverse("assessments:index")),
                ("考核方案", reverse("assessments:scheme_list")),
                (str(scheme), ""),
            ],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def scheme_new_version(request, pk):
    require(request.user, "scheme")
    base = get_object_or_404(Scheme, pk=pk)
    form = NewVersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写新版本的起始年度。")
        return redirect("assessments:scheme_detail", pk=base.pk)
    try:
        scheme = services.new_scheme_version(base, by=request.user, **form.cleaned_data)
    except Refused as exc:
        messages.error(request, exc.message)
        return redirect("assessments:scheme_detail", pk=base.pk)
    messages.success(request, f"已新建{scheme}，请核对各项数值。")
    return redirect("assessments:scheme_detail", pk=scheme.pk)


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


def _entry_year(request, default: int | None = None) -> int:
    """The year of the date typed in the entry form: its scheme decides the checklist."""
    try:
        return dt.date.fromisoformat(request.GET.get("date") or request.POST.get("date") or "").year
    except ValueError:
        return default or timezone.localdate().year


def _posted_scores(data, year: int, checklist=None) -> dict:
    """The item inputs (`item_<code>`) of every item of the year's scheme, whatever the category:
    the checker then refuses a score for an item outside the estate's checklist. A district's
    sub-items (细化子项) are inputs of the estate's own checklist."""
    codes = [*services.item_names_for_year(year), *(code for code, _, _ in checklist or ())]
    return {code: data.get(f"item_{code}", "") for code in dict.fromkeys(codes)}


def _other_item_errors(errors: dict, checklist) -> list[str]:
    """Messages about items outside the estate's checklist (a score where the category has no
    such item): shown under the checklist, which has no input for them."""
    shown = {code for code, _, _ in checklist or ()} | set(InspectionForm.base_fields)
    return [message for key, message in errors.items() if key not in shown]


def _checklist_for(request, code: str):
    """The estate (writable by the user) and its checklist for the date's year."""
    estate = Estate.objects.writable_by(request.user).filter(code=(code or "").strip()).first()
    if estate is None:
        return None, None
    checker = services.InspectionChecker(request.user)
    return estate, checker.checklist(_entry_year(request), estate.category, estate.district_id)


def _descriptions(estate, checklist, year: int) -> dict:
    """code → the description of a district's sub-item (细化子项), shown under its input."""
    if estate is None or not any("." in code for code, _, _ in checklist or ()):
        return {}
    return services.InspectionChecker(None).refined(year, estate.category, estate.district_id).descriptions


@login_required
def inspection_checklist(request):
    """htmx partial: the checklist of the estate typed in the entry form, for the typed date's
    year (reloaded when either changes; the scores already typed are kept)."""
    require(request.user, "inspection")
    estate, checklist = _checklist_for(request, request.GET.get("estate_code", ""))
    values = {k: v for k, v in _posted_scores(request.GET, _entry_year(request), checklist).items() if v}
    return render(
        request,
        "assessments/_checklist.html",
        {
            "estate": estate,
            "checklist": checklist,
            "values": values,
            "errors": {},
            "descriptions": _descriptions(estate, checklist, _entry_year(request)),
        },
    )


def _crumb(inspection) -> str:
    from core.templatetags.core_format import cn_date

    return f"{inspection.estate} · {cn_date(inspection.date)}"


def _next_estate_code(user, code: str) -> str:
    nxt = Estate.objects.writable_by(user).filter(code__gt=code).order_by("code").values_list("code", flat=True).first()
    return nxt or ""


@login_required
def inspection_new(request):
    """The entry form: fast to use many times in a row (htmx: save, then the next estate)."""
    require(request.user, "inspection")
    sources = services.allowed_sources(request.user)
    codes = Estate.objects.writable_by(request.user).order_by("code").values_list("code", "name")[:3000]
    ctx = {
        "codes": codes,
        "breadcrumbs": [
            ("考核", reverse("assessments:index")),
            ("检查记录", reverse("assessments:inspection_list")),
            ("录入检查", ""),
        ],
    }
    status = 200
    if request.method == "POST":
        form = InspectionForm(request.POST, request.FILES, sources=sources)
        estate, checklist = _checklist_for(request, request.POST.get("estate_code", ""))
        values = _posted_scores(request.POST, _entry_year(request), checklist)
        errors = {}
        saved = None
        if form.is_valid():
            if estate is None:
                form.add_error("estate_code", "小区编码不存在。")
            else:
                try:
                    photos = read_photos(request.FILES.getlist("photos"))
                    with transaction.atomic():
                        saved = services.save_inspection(
                            by=request.user,
                            estate=estate,
                            date=form.cleaned_data["date"],
                            scores=values,
                            inspector_name=form.cleaned_data["inspector_name"],
                            source=form.cleaned_data["source"],
                            note=form.cleaned_data["note"],
                            submit=request.POST.get("action") != "draft",
                        )
                        for image, taken_at in photos:
                            InspectionPhoto.objects.create(inspection=saved, image=image, taken_at=taken_at)
                except PhotoRefused as exc:
                    form.add_error("photos", str(exc))
                except Refused as exc:
                    errors = exc.errors
                    for key in ("date", "inspector_name", "source"):
                        if key in errors:
                            form.add_error(key, errors[key])
                    if not any(k in errors for k in ("date", "inspector_name", "source")) and not errors:
                        form.add_error(None, exc.message)
        if saved is not None:
            label = "草稿已保存" if saved.status == InspectionStatus.DRAFT else "已提交"
            message = f"{saved.estate.code} {saved.estate.name}：{label}（合计 {saved.total} 分）。"
            next_code = _next_estate_code(request.user, saved.estate.code)
            if not request.headers.get("HX-Request"):
                messages.success(request, message)
                return redirect(
                    f"{reverse('assessments:inspection_new')}?estate_code={next_code}&date={saved.date}&inspector_name={saved.inspector_name}"
                )
            form = InspectionForm(
                initial={
                    "estate_code": next_code,
                    "date": saved.date,
                    "inspector_name": saved.inspector_name,
                    "source": saved.source,
                },
                sources=sources,
            )
            estate, checklist = _checklist_for(request, next_code)
            ctx.update(saved_message=message, saved=saved, values={}, errors={})
        else:
            status = 400
            ctx.update(values=values, errors=errors)
    else:
        initial = {k: request.GET.get(k) for k in ("estate_code", "date", "inspector_name") if request.GET.get(k)}
        initial.setdefault("inspector_name", request.user.display_name)
        form = InspectionForm(initial=initial, sources=sources)
        estate, checklist = _checklist_for(request, initial.get("estate_code", ""))
        ctx.update(values={}, errors={})
    ctx.update(
        form=form,
        estate=estate,
        checklist=checklist,
        other_item_errors=_other_item_errors(ctx["errors"], checklist),
        descriptions=_descriptions(estate, checklist, _entry_year(request)),
    )
    template = (
        "assessments/_inspection_form.html" if request.headers.get("HX-Request") else "assessments/inspection_form.html"
    )
    return render(request, template, ctx, status=status)


@login_required
def inspection_edit(request, pk):
    """The author (or city_admin) corrects a draft or a submitted inspection, or submits a draft."""
    require(request.user, "inspection")
    inspection = get_object_or_404(Inspection.objects.writable_by(request.user).select_related("estate"), pk=pk)
    if inspection.created_by_id != request.user.pk and not request.user.is_role(Role.CITY_ADMIN):
        raise PermissionDenied("只有录入人可以修改这条检查记录。")
    sources = services.allowed_sources(request.user)
    if inspection.source not in sources:
        sources = [*sources, inspection.source]
    estate = inspection.estate
    checklist = services.InspectionChecker(request.user).checklist(
        _entry_year(request, default=inspection.year), estate.category, estate.district_id
    )
    status = 200
    if request.method == "POST":
        form = InspectionForm(request.POST, sources=sources)
        values = _posted_scores(request.POST, _entry_year(request, default=inspection.year), checklist)
        errors = {}
        mark_seen(inspection, request.POST.get("version"))
        if form.is_valid():
            try:
                services.save_inspection(
                    by=request.user,
                    estate=estate,
                    date=form.cleaned_data["date"],
                    scores=values,
                    inspector_name=form.cleaned_data["inspector_name"],
                    source=form.cleaned_data["source"],
                    note=form.cleaned_data["note"],
                    submit=request.POST.get("action") != "draft",
                    inspection=inspection,
                )
            except Refused as exc:
                errors = exc.errors
                for key in ("date", "inspector_name", "source"):
                    if key in errors:
                        form.add_error(key, errors[key])
                if not errors:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, "检查记录已保存。")
                return redirect("assessments:inspection_detail", pk=inspection.pk)
        # The typed values stay on the form; it now carries the saved version, so submitting
        # again after a conflict is a deliberate overwrite.
        inspection.refresh_from_db(fields=["version"])
        status = 400
    else:
        form = InspectionForm(
            initial={
                "estate_code": estate.code,
                "date": inspection.date,
                "source": inspection.source,
                "inspector_name": inspection.inspector_name,
                "note": inspection.note,
            },
            sources=sources,
        )
        values, errors = dict(inspection.scores), {}
    return render(
        request,
        "assessments/inspection_edit.html",
        {
            "form": form,
            "estate": estate,
            "checklist": checklist,
            "values": values,
            "errors": errors,
            "inspection": inspection,
            "other_item_errors": _other_item_errors(errors, checklist),
            "descriptions": _descriptions(estate, checklist, _entry_year(request, default=inspection.year)),
            "breadcrumbs": [
                ("考核", reverse("assessments:index")),
                ("检查记录", reverse("assessments:inspection_list")),
                (_crumb(inspection), reverse("assessments:inspection_detail", args=[inspection.pk])),
                ("修改", ""),
            ],
        },
        status=status,
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


# --- fee rates ---------------------------------------------------------------------------------
@login_required
def fee_rate_list(request):
    qs = FeeRate.objects.visible_to(request.user).select_related("estate", "street", "updated_by")
    f = FeeRateFilter(request.GET or None, queryset=qs, request=request)
    page, query = _page(request, f.qs)
    return render(
        request,
        "assessments/fee_rate_list.html",
        {
            "filter": f,
            "page_obj": page,
            "query_string": query,
            "can_write": can(request.user, "fee_rate"),
            "breadcrumbs": [("考核", reverse("assessments:index")), ("物业费收缴率", "")],
        },
    )


@login_required
def fee_rate_new(request):
    require(request.user, "fee_rate")
    form = FeeRateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        estate = Estate.objects.writable_by(request.user).filter(code=form.cleaned_data["estate_code"].strip()).first()
        if estate is None:
            form.add_error("estate_code", "小区编码不存在。")
        else:
            try:
                fr = services.set_fee_rate(
                    by=request.user, estate=estate, year=form.cleaned_data["year"], rate=form.cleaned_data["rate"]
                )
            except Refused as exc:
                for key, message in exc.errors.items():
                    form.add_error(key if key in form.fields else None, message)
                if not exc.errors:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, f"{estate.code} {estate.name} {fr.year}年度收缴率已保存：{fr.rate}%。")
                return redirect("assessments:fee_rate_new")
    codes = Estate.objects.writable_by(request.user).order_by("code").values_list("code", "name")[:3000]
    return render(
        request,
        "assessments/fee_rate_form.html",
        {
            "form": form,
            "codes": codes,
            "breadcrumbs": [
                ("考核", reverse("assessments:index")),
                ("物业费收缴率", reverse("assessments:fee_rate_list")),
                ("填报", ""),
            ],
        },
        status=400 if request.method == "POST" else 200,
    )


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


@login_required
@require_POST
def result_export(request):
    try:
        year = int(request.POST.get("year") or _latest_year())
    except ValueError:
        year = _latest_year()
    params = {"year": year}
    district = request.POST.get("district")
    if district and district.isdigit():
        params["district_ids"] = [int(district)]
    job = Job.objects.create(
        kind="export_results", title=f"导出{year}年度考核结果", created_by=request.user, params=params
    )
    enqueue(job)
    return redirect("core:job_detail", pk=job.pk)


@login_required
@require_POST
def inspection_export(request):
    """检查记录 of one year (the list's year filter, else the latest year) as .xlsx, through a Job."""
    try:
        year = int(request.POST.get("year") or _latest_year())
    except ValueError:
        year = _latest_year()
    params = {"year": year}
    district = request.POST.get("district")
    if district and district.isdigit():
        params["district_ids"] = [int(district)]
    job = Job.objects.create(
        kind="export_inspections", title=f"导出{year}年度检查记录", created_by=request.user, params=params
    )
    enqueue(job)
    return redirect("core:job_detail", pk=job.pk)


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
