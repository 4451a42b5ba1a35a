"""Entering and correcting an inspection: the form, its checklist, the scores posted."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.rules import require
from communities.models import Estate
from core.locking import mark_seen

from .. import services
from ..choices import InspectionStatus
from ..errors import Refused
from ..forms import InspectionForm
from ..models import Inspection, InspectionPhoto
from ..photos import PhotoRefused, read_photos


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
