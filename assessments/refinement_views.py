"""Pages of 细化分解 (clause 十): a district's refinements of the city checklist. Readers are the
city and the district roles; a district officer prepares a version, another one approves it."""

from __future__ import annotations

import io
from types import SimpleNamespace
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.rules import can
from communities.models import District
from core.scoping import Level

from . import refinements
from .choices import RefinementStatus
from .errors import Refused
from .forms import RefinementForm, RefinementNewForm, sub_items_text
from .imports import InspectionImporter, template_columns, template_refinement
from .models import ChecklistItem, Scheme
from .refinement_models import Refinement

CRUMB = ("考核", "/assessments/")


def _require_reader(user):
    if user.scope_level not in (Level.CITY, Level.DISTRICT):
        raise PermissionDenied("只有市、区两级可以查看细化分解方案。")


def _is_officer(user, refinement=None) -> bool:
    return (
        can(user, "refinement")
        and user.scope_level == Level.DISTRICT
        and (refinement is None or refinement.district_id == user.district_id)
    )


def _show_refusal(request, form, exc: Refused) -> None:
    """The service's refusal beside the fields it names (the form again, nothing written); a
    refusal of the whole (an approved version is not edited) also as a message, since the page
    of an approved version has no form to show it in."""
    for key, message in exc.errors.items():
        form.add_error(key if key in form.fields else None, message)
    if not exc.errors:
        form.add_error(None, exc.message)
        messages.error(request, exc.message)


@login_required
def refinement_list(request):
    _require_reader(request.user)
    rows = Refinement.objects.visible_to(request.user).select_related(
        "district", "scheme", "prepared_by", "approved_by"
    )
    return render(
        request,
        "assessments/refinement_list.html",
        {
            "refinements": rows,
            "can_create": _is_officer(request.user),
            "breadcrumbs": [CRUMB, ("细化分解方案", "")],
        },
    )


@login_required
def refinement_new(request):
    if not _is_officer(request.user):
        raise PermissionDenied("只有区房产局可以编制本区的细化方案。")
    schemes = list(Scheme.objects.order_by("-version"))
    form = RefinementNewForm(request.POST or None, schemes=schemes)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                refinement = refinements.new_refinement(
                    by=request.user,
                    scheme=Scheme.objects.get(pk=form.cleaned_data["scheme"]),
                    valid_from_year=form.cleaned_data["valid_from_year"],
                    note=form.cleaned_data["note"],
                )
            except Refused as exc:
                _show_refusal(request, form, exc)
            else:
                messages.success(request, f"已新建{refinement}，请填写子项后由本区另一名工作人员批准。")
                return redirect("assessments:refinement_detail", pk=refinement.pk)
    return render(
        request,
        "assessments/refinement_new.html",
        {
            "form": form,
            "breadcrumbs": [CRUMB, ("细化分解方案", reverse("assessments:refinement_list")), ("新建", "")],
        },
        status=status,
    )


def _items(refinement):
    return list(ChecklistItem.objects.filter(scheme=refinement.scheme).order_by("category", "position"))


def _detail(request, refinement, form=None, status=200):
    subs: dict = {}
    for sub in refinement.sub_items.order_by("category", "item_code", "number"):
        subs.setdefault((sub.category, sub.item_code), []).append(sub)
    items = _items(refinement)
    rows = [(item, subs.get((item.category, item.code), [])) for item in items]
    editable = _is_officer(request.user, refinement) and refinement.status == RefinementStatus.DRAFT
    if editable and form is None:
        initial = {"valid_from_year": refinement.valid_from_year, "note": refinement.note}
        initial.update({refinements.field_key(item.category, item.code): sub_items_text(s) for item, s in rows})
        form = RefinementForm(initial=initial, items=items)
    used = refinements.used_by_closed_years(refinement)
    return render(
        request,
        "assessments/refinement_detail.html",
        {
            "refinement": refinement,
            "rows": rows,
            "form": form if editable else None,
            "used_years": used,
            "can_approve": editable and refinement.prepared_by_id != request.user.pk,
            "can_new_version": _is_officer(request.user, refinement) and refinement.status == RefinementStatus.APPROVED,
            "breadcrumbs": [CRUMB, ("细化分解方案", reverse("assessments:refinement_list")), (str(refinement), "")],
        },
        status=status,
    )


def _refinement(request, pk) -> Refinement:
    _require_reader(request.user)
    return get_object_or_404(Refinement.objects.visible_to(request.user).select_related("district", "scheme"), pk=pk)


@login_required
def refinement_detail(request, pk):
    refinement = _refinement(request, pk)
    if request.method != "POST":
        return _detail(request, refinement)
    if not _is_officer(request.user, refinement):
        raise PermissionDenied("只有本区区房产局可以修改本区的细化方案。")
    form = RefinementForm(request.POST, items=_items(refinement))
    if form.is_valid():
        try:
            refinements.save_sub_items(
                refinement,
                by=request.user,
                rows=form.cleaned_data["rows"],
                valid_from_year=form.cleaned_data["valid_from_year"],
                note=form.cleaned_data["note"],
            )
        except Refused as exc:
            _show_refusal(request, form, exc)
        else:
            messages.success(request, "细化方案已保存，请由本区另一名工作人员批准。")
            return redirect("assessments:refinement_detail", pk=refinement.pk)
    return _detail(request, refinement, form, status=400)


@login_required
@require_POST
def refinement_approve(request, pk):
    refinement = _refinement(request, pk)
    if not _is_officer(request.user, refinement):
        raise PermissionDenied("只有本区区房产局可以批准本区的细化方案。")
    try:
        refinements.approve_refinement(refinement, by=request.user)
    except Refused as exc:
        messages.error(request, exc.message)
        return _detail(request, refinement, status=400)
    messages.success(request, f"已批准{refinement}，自{refinement.valid_from_year}年度起本区检查按子项录入。")
    return redirect("assessments:refinement_detail", pk=refinement.pk)


@login_required
def inspection_import_template(request):
    """The empty 检查记录 template: the city's items, and for a district (the user's own, or
    ?district=<code> for the city) its refinement's sub-items as columns."""
    district_id = getattr(request.user, "district_id", None)
    if request.user.scope_level == Level.CITY and request.GET.get("district"):
        district = District.objects.filter(code=request.GET["district"].strip()).first()
        district_id = district.pk if district else None
    refinement = template_refinement(district_id)
    template = SimpleNamespace(
        title=InspectionImporter.title,
        columns=template_columns(district_id),
        instructions=InspectionImporter.instructions + (f"本模板按{refinement}填写。" if refinement else ""),
    )
    from core.imports.marking import write_template

    buffer = io.BytesIO()
    write_template(template, buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"{InspectionImporter.title}模板{'（' + refinement.district.name + '）' if refinement else ''}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
