"""物业管理委员会 (with their members) and 业主组织, within the reader's scope; written by the
district and the street of the estate (and city_admin)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accounts.rules import can, require
from core.privacy import mask_phone

from .. import services
from ..filters import CommitteeFilter, OwnersOrganisationFilter
from ..forms import CommitteeForm, MemberFormSet, OwnersOrganisationForm
from ..models import Estate, OwnersOrganisation, PropertyCommittee
from .common import paginate, query_string, url_pattern
from .common import posted as _posted
from .estates import filter_units
from .history import change_log
from .organisation import committee_context


def _estate_for_write(request, estate_pk, action) -> Estate:
    """The estate a new committee or organisation belongs to: 404 out of scope, 403 if the role
    may not write this kind of row."""
    estate = get_object_or_404(
        Estate.objects.visible_to(request.user).select_related("district", "street", "community"), pk=estate_pk
    )
    require(request.user, action)
    if not services.writable_estates(request.user).filter(pk=estate.pk).exists():
        raise PermissionDenied(services.Msg.NOT_IN_SCOPE)
    return estate


def _estate_crumbs(estate, *tail):
    return [
        ("小区列表", reverse("communities:estate_list")),
        (estate.name, reverse("communities:estate_detail", args=[estate.pk])),
        *tail,
    ]


def _link(rows, **patterns):
    """Detail links of a page of rows (and of their estates), one reverse per kind of link."""
    estate = url_pattern("communities:estate_detail")
    rows = list(rows)
    for row in rows:
        row.estate_url = estate.format(row.estate_id)
        for _name, pattern in patterns.items():
            row.detail_url = pattern.format(row.pk)
    return rows


# --- committees ----------------------------------------------------------------------------
@login_required
def committee_list(request):
    user = request.user
    committees = (
        PropertyCommittee.objects.visible_to(user)
        .select_related("estate", "street", "community")
        .annotate(member_count=Count("members"))
    )
    filterset = CommitteeFilter(request.GET or None, queryset=committees, request=request)
    queryset = filterset.qs
    if not request.GET.get("ordering"):
        queryset = queryset.order_by("-is_active", "-term_start", "pk")
    count = filterset.qs.order_by().values("pk").count()
    page = paginate(request, queryset, count=count)
    page.object_list = _link(page.object_list, committee=url_pattern("communities:committee_detail"))
    return render(
        request,
        "communities/committee_list.html",
        {
            "filter": filterset,
            "form": filterset.form,
            "page_obj": page,
            "committees": page.object_list,
            "count": count,
            "units": filter_units(request, filterset.form),
            "query_string": query_string(request),
            "filtered": any(
                request.GET.get(k) for k in ("q", "district", "street", "community", "estate", "is_active")
            ),
            "breadcrumbs": [("物业管理委员会", "")],
        },
    )


def _committee(request, pk) -> PropertyCommittee:
    return get_object_or_404(
        PropertyCommittee.objects.visible_to(request.user).select_related("estate", "district", "street", "community"),
        pk=pk,
    )


def _member_rows(committee, show_phones: bool):
    return [
        {"member": m, "phone": m.phone if show_phones else mask_phone(m.phone)}
        for m in committee.members.all().order_by("role", "pk")
    ]


@login_required
def committee_detail(request, pk):
    user = request.user
    committee = _committee(request, pk)
    in_scope = services.writable_estates(user).filter(pk=committee.estate_id).exists()
    can_edit = in_scope and can(user, "committee")
    return render(
        request,
        "communities/committee_detail.html",
        {
            "committee": committee,
            "estate": committee.estate,
            "members": _member_rows(committee, show_phones=can_edit),
            "can_edit": can_edit,
            "org": committee_context(user, committee),
            "history": change_log(committee) if services.can_see_history(user) else None,
            "breadcrumbs": _estate_crumbs(committee.estate, (committee.name, "")),
        },
    )


def _members_from(formset) -> tuple[list[dict], list]:
    """The filled, undeleted member rows and the forms they came from (to put errors back)."""
    members, forms = [], []
    for form in formset.forms:
        if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE") or form.is_blank():
            continue
        data = {k: form.cleaned_data.get(k) for k in ("name", "role", "is_owner", "phone")}
        members.append(data)
        forms.append(form)
    return members, forms


def _save_committee(request, form, formset, save):
    """Run `save(values, members)`; put services' errors back on the form and member rows."""
    members, member_forms = _members_from(formset)
    try:
        return save(dict(form.cleaned_data), members)
    except ValidationError as exc:
        member_errors = getattr(exc, "member_errors", [])
        errors = {k: v for k, v in exc.message_dict.items() if k != "members" or not member_errors}
        if errors:
            form.add_service_errors(ValidationError(errors))
        for member_form, errs in zip(member_forms, member_errors, strict=False):
            for field, messages_ in errs.items():
                for message in messages_:
                    member_form.add_error(field if field in member_form.fields else None, message)
        if member_errors:
            form.add_error(None, "成员信息有误，请修改下方标出的项目。")
        return None


@login_required
def committee_create(request, estate_pk):
    user = request.user
    estate = _estate_for_write(request, estate_pk, "committee")
    form = CommitteeForm(_posted(request), initial={"name": f"{estate.name}物业管理委员会", "is_active": True})
    formset = MemberFormSet(_posted(request), prefix="members")
    if request.method == "POST" and form.is_valid() & formset.is_valid():
        committee = _save_committee(
            request,
            form,
            formset,
            lambda values, members: services.create_committee({**values, "estate": estate}, by=user, members=members),
        )
        if committee is not None:
            messages.success(request, f"已登记“{committee.name}”。")
            return redirect("communities:committee_detail", pk=committee.pk)
    return render(
        request,
        "communities/committee_form.html",
        {
            "form": form,
            "formset": formset,
            "estate": estate,
            "title": f"登记物业管理委员会：{estate.name}",
            "breadcrumbs": _estate_crumbs(estate, ("登记物管会", "")),
        },
    )


@login_required
def committee_edit(request, pk):
    user = request.user
    committee = _committee(request, pk)
    require(user, "committee")
    if not services.writable_estates(user).filter(pk=committee.estate_id).exists():
        raise PermissionDenied(services.Msg.NOT_IN_SCOPE)
    initial = {k: getattr(committee, k) for k in services.COMMITTEE_FIELDS}
    members_initial = [
        {"name": m.name, "role": m.role, "is_owner": m.is_owner, "phone": m.phone}
        for m in committee.members.all().order_by("pk")
    ]
    form = CommitteeForm(_posted(request), initial=initial)
    formset = MemberFormSet(_posted(request), prefix="members", initial=members_initial)
    if request.method == "POST" and form.is_valid() & formset.is_valid():
        saved = _save_committee(
            request,
            form,
            formset,
            lambda values, members: services.update_committee(committee, values, by=user, members=members),
        )
        if saved is not None:
            messages.success(request, f"已保存“{saved.name}”的修改。")
            return redirect("communities:committee_detail", pk=saved.pk)
    return render(
        request,
        "communities/committee_form.html",
        {
            "form": form,
            "formset": formset,
            "estate": committee.estate,
            "committee": committee,
            "title": f"编辑物业管理委员会：{committee.name}",
            "breadcrumbs": _estate_crumbs(
                committee.estate,
                (committee.name, reverse("communities:committee_detail", args=[committee.pk])),
                ("编辑", ""),
            ),
        },
    )


# --- owners' organisations -------------------------------------------------------------------
@login_required
def owners_org_list(request):
    user = request.user
    organisations = OwnersOrganisation.objects.visible_to(user).select_related("estate", "street", "community")
    filterset = OwnersOrganisationFilter(request.GET or None, queryset=organisations, request=request)
    queryset = filterset.qs.order_by("-is_active", "-established_on", "pk")
    count = filterset.qs.order_by().count()
    page = paginate(request, queryset, count=count)
    page.object_list = _link(page.object_list, org=url_pattern("communities:owners_org_detail"))
    return render(
        request,
        "communities/owners_org_list.html",
        {
            "filter": filterset,
            "form": filterset.form,
            "page_obj": page,
            "organisations": page.object_list,
            "count": count,
            "units": filter_units(request, filterset.form),
            "query_string": query_string(request),
            "filtered": any(request.GET.get(k) for k in ("q", "district", "street", "community", "kind", "is_active")),
            "breadcrumbs": [("业主组织", "")],
        },
    )


def _org(request, pk) -> OwnersOrganisation:
    return get_object_or_404(
        OwnersOrganisation.objects.visible_to(request.user).select_related("estate", "district", "street", "community"),
        pk=pk,
    )


@login_required
def owners_org_detail(request, pk):
    user = request.user
    org = _org(request, pk)
    in_scope = services.writable_estates(user).filter(pk=org.estate_id).exists()
    return render(
        request,
        "communities/owners_org_detail.html",
        {
            "org": org,
            "estate": org.estate,
            "can_edit": in_scope and can(user, "owners_org"),
            "history": change_log(org) if services.can_see_history(user) else None,
            "breadcrumbs": _estate_crumbs(org.estate, (org.get_kind_display(), "")),
        },
    )


@login_required
def owners_org_create(request, estate_pk):
    user = request.user
    estate = _estate_for_write(request, estate_pk, "owners_org")
    form = OwnersOrganisationForm(_posted(request), initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        try:
            org = services.create_owners_org({**form.cleaned_data, "estate": estate}, by=user)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"已登记{estate.name}的{org.get_kind_display()}。")
            return redirect("communities:owners_org_detail", pk=org.pk)
    return render(
        request,
        "communities/owners_org_form.html",
        {
            "form": form,
            "estate": estate,
            "title": f"登记业主组织：{estate.name}",
            "breadcrumbs": _estate_crumbs(estate, ("登记业主组织", "")),
        },
    )


@login_required
def owners_org_edit(request, pk):
    user = request.user
    org = _org(request, pk)
    require(user, "owners_org")
    if not services.writable_estates(user).filter(pk=org.estate_id).exists():
        raise PermissionDenied(services.Msg.NOT_IN_SCOPE)
    form = OwnersOrganisationForm(_posted(request), initial={k: getattr(org, k) for k in services.ORG_FIELDS})
    if request.method == "POST" and form.is_valid():
        try:
            org = services.update_owners_org(org, dict(form.cleaned_data), by=user)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "已保存业主组织的修改。")
            return redirect("communities:owners_org_detail", pk=org.pk)
    return render(
        request,
        "communities/owners_org_form.html",
        {
            "form": form,
            "estate": org.estate,
            "org": org,
            "title": f"编辑业主组织：{org.estate.name}{org.get_kind_display()}",
            "breadcrumbs": _estate_crumbs(
                org.estate,
                (org.get_kind_display(), reverse("communities:owners_org_detail", args=[org.pk])),
                ("编辑", ""),
            ),
        },
    )
