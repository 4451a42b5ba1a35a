"""Units: 区, 街道 and 社区 pages, the street's residential estate count, the reassignment of a
street to another district (江北新区), and the option lists of the dependent selects (htmx)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.rules import can, require

from .. import services
from ..choices import EstateCategory
from ..forms import CommunityForm, StreetReassignForm, StreetRecordForm
from ..models import Community, District, Estate, Street
from .common import posted as _posted
from .common import url_pattern
from .history import change_log


def _units_crumb():
    return ("区和街道", reverse("communities:district_list"))


@login_required
def district_list(request):
    user = request.user
    districts = list(District.objects.visible_to(user))
    estates = Estate.objects.visible_to(user).order_by()
    # Counts only (area sums are on each district's page). For the whole city these are the home
    # page's counts by district (services.registry_summary: cached for a minute past 20,000
    # estates); a district or street user's counts are taken live.
    as_of = None
    if user.scope_level == "city":
        summary = services.registry_summary(user)
        by_district = {unit["pk"]: unit["count"] for unit in summary["by_unit"]}
        as_of = summary.get("as_of")
    else:
        by_district = dict(estates.values_list("district_id").annotate(n=Count("id")))
    streets = dict(Street.objects.visible_to(user).order_by().values_list("district_id").annotate(n=Count("id")))
    rows = [{"district": d, "estates": by_district.get(d.pk, 0), "streets": streets.get(d.pk, 0)} for d in districts]
    return render(
        request,
        "communities/district_list.html",
        {
            "rows": rows,
            "total": sum(by_district.values()),
            "as_of": as_of,
            "breadcrumbs": [("区和街道", "")],
        },
    )


@login_required
def district_detail(request, code):
    user = request.user
    district = get_object_or_404(District.objects.visible_to(user), code=code)
    streets = list(Street.objects.visible_to(user).filter(district=district).select_related("official_district"))
    counts = services.counts_by_street(user, district)
    rows = [{"street": s, **counts.get(s.pk, {"count": 0, "area": Decimal("0"), "by_category": {}})} for s in streets]
    for row in rows:
        row["categories"] = [row["by_category"].get(c.value, 0) for c in EstateCategory]
    return render(
        request,
        "communities/district_detail.html",
        {
            "district": district,
            "rows": rows,
            "categories": EstateCategory.choices,
            "totals": services.estate_totals(Estate.objects.visible_to(user).filter(district=district)),
            "history": change_log(district) if services.can_see_history(user) else None,
            "breadcrumbs": [_units_crumb(), (district.name, "")],
        },
    )


def _street(request, code) -> Street:
    return get_object_or_404(
        Street.objects.visible_to(request.user).select_related("district", "official_district"), code=code
    )


@login_required
def street_detail(request, code):
    user = request.user
    street = _street(request, code)
    communities = list(Community.objects.visible_to(user).filter(street=street).order_by("name"))
    estates = Estate.objects.visible_to(user).filter(street=street).order_by()
    per_community = defaultdict(dict)
    for row in estates.values("community_id", "category").annotate(n=Count("id")):
        per_community[row["community_id"]][row["category"]] = row["n"]
    # Links built from one reverse each: a street may hold a hundred communities.
    list_url = f"{reverse('communities:estate_list')}?district={street.district.code}&street={street.code}&community="
    create_url = f"{reverse('communities:estate_create')}?community="
    edit_url = url_pattern("communities:community_edit")
    rows = [
        {
            "community": c,
            "count": sum(per_community[c.pk].values()),
            "categories": [per_community[c.pk].get(cat.value, 0) for cat in EstateCategory],
            "list_url": f"{list_url}{c.pk}",
            "create_url": f"{create_url}{c.pk}",
            "edit_url": edit_url.format(c.pk),
        }
        for c in communities
    ]
    totals = services.estate_totals(estates)
    by_category = services.counts_by(estates, "category")
    by_mode = services.counts_by(estates, "management_mode")
    writable = Street.objects.writable_by(user).filter(pk=street.pk).exists()
    return render(
        request,
        "communities/street_detail.html",
        {
            "street": street,
            "rows": rows,
            "totals": totals,
            "categories": EstateCategory.choices,
            "by_category": [(c.label, by_category.get(c.value, 0), c.value) for c in EstateCategory],
            "by_mode": by_mode,
            "can_edit_record": writable and can(user, "street_record"),
            "can_add_community": writable and can(user, "community"),
            "can_edit_community": writable and can(user, "community"),
            "can_reassign": can(user, "street_reassign"),
            "history": change_log(street) if services.can_see_history(user) else None,
            "breadcrumbs": [
                _units_crumb(),
                (street.district.name, reverse("communities:district_detail", args=[street.district.code])),
                (street.name, ""),
            ],
        },
    )


def _writable_street(request, code, action) -> Street:
    street = _street(request, code)
    require(request.user, action)
    if not Street.objects.writable_by(request.user).filter(pk=street.pk).exists():
        raise PermissionDenied(services.Msg.NOT_IN_SCOPE)
    return street


@login_required
def street_edit(request, code):
    user = request.user
    street = _writable_street(request, code, "street_record")
    form = StreetRecordForm(_posted(request), initial={"residential_estate_count": street.residential_estate_count})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_residential_estate_count(street, form.cleaned_data.get("residential_estate_count"), by=user)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"已保存{street.name}的辖区住宅小区总数。")
            return redirect("communities:street_detail", code=street.code)
    return render(
        request,
        "communities/street_form.html",
        {
            "form": form,
            "street": street,
            "title": f"{street.name} · 辖区住宅小区总数",
            "registered": Estate.objects.filter(street=street).count(),
            "breadcrumbs": [
                _units_crumb(),
                (street.name, reverse("communities:street_detail", args=[street.code])),
                ("编辑", ""),
            ],
        },
    )


@login_required
def street_reassign(request, code):
    user = request.user
    street = _street(request, code)
    require(user, "street_reassign")
    form = StreetReassignForm(_posted(request), street=street)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.reassign_street(street, form.cleaned_data["district"], by=user)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            moved = "，".join(f"{label}{n}条" for label, n in result.moved.items())
            messages.success(
                request, f"{street.name}已由{result.old_district.name}划归{result.new_district.name}（{moved}）。"
            )
            return redirect("communities:street_detail", code=street.code)
    scoped_counts = {
        "社区": Community.objects.filter(street=street).count(),
        "小区": Estate.objects.filter(street=street).count(),
    }
    return render(
        request,
        "communities/street_reassign.html",
        {
            "form": form,
            "street": street,
            "counts": scoped_counts,
            "breadcrumbs": [
                _units_crumb(),
                (street.name, reverse("communities:street_detail", args=[street.code])),
                ("调整管理区", ""),
            ],
        },
    )


@login_required
def community_create(request, code):
    user = request.user
    street = _writable_street(request, code, "community")
    form = CommunityForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            community = services.create_community({**form.cleaned_data, "street": street}, by=user)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"已在{street.name}新增社区“{community.name}”。")
            return redirect("communities:street_detail", code=street.code)
    return render(
        request,
        "communities/community_form.html",
        {
            "form": form,
            "street": street,
            "title": f"{street.name} · 新增社区",
            "breadcrumbs": [
                _units_crumb(),
                (street.name, reverse("communities:street_detail", args=[street.code])),
                ("新增社区", ""),
            ],
        },
    )


@login_required
def community_edit(request, pk):
    user = request.user
    community = get_object_or_404(Community.objects.visible_to(user).select_related("street"), pk=pk)
    require(user, "community")
    if not Community.objects.writable_by(user).filter(pk=community.pk).exists():
        raise PermissionDenied(services.Msg.NOT_IN_SCOPE)
    street = community.street
    form = CommunityForm(_posted(request), initial={"name": community.name, "code": community.code})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_community(community, dict(form.cleaned_data), by=user)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "已保存社区的修改。")
            return redirect("communities:street_detail", code=street.code)
    return render(
        request,
        "communities/community_form.html",
        {
            "form": form,
            "street": street,
            "community": community,
            "title": f"编辑社区：{community.name}",
            "history": change_log(community) if services.can_see_history(user) else None,
            "breadcrumbs": [
                _units_crumb(),
                (street.name, reverse("communities:street_detail", args=[street.code])),
                ("编辑社区", ""),
            ],
        },
    )


# --- dependent selects (htmx) ------------------------------------------------------------
def _blank(request, kind):
    if request.GET.get("mode") == "form":
        return {"street": "请选择街道", "community": "请选择社区"}[kind]
    return {"street": "全部街道", "community": "全部社区"}[kind]


def _by_pk(request) -> bool:
    """?key=pk: the selects of a filter bar whose units are named by id (cases, inspections,
    results; communities.filters.cascade_units), not by code (the registry's)."""
    return request.GET.get("key") == "pk"


@login_required
@require_GET
def street_options(request):
    """<option>s of the streets of ?district=CODE within the user's scope; the community select
    is emptied alongside (out of band)."""
    streets = Street.objects.visible_to(request.user).only("pk", "code", "name")
    code = request.GET.get("district") or ""
    if _by_pk(request):
        # 全部区 again lists every street in scope, as the page first did (filters.cascade_units).
        streets = streets.filter(district_id=code) if code.isdigit() else streets
    else:
        streets = streets.filter(district__code=code) if code else streets.none()
    reset_id = "f-community" if request.GET.get("mode") != "form" and not _by_pk(request) else "id_community"
    return render(
        request,
        "communities/_unit_options.html",
        {
            "options": [(s.pk if _by_pk(request) else s.code, s.name) for s in streets],
            "blank": _blank(request, "street"),
            "reset": {"id": reset_id, "blank": _blank(request, "community")},
        },
    )


@login_required
@require_GET
def community_options(request):
    communities = Community.objects.visible_to(request.user).only("pk", "name")
    code = request.GET.get("street") or ""
    if _by_pk(request):
        communities = communities.filter(street_id=code).order_by("name") if code.isdigit() else communities.none()
    else:
        communities = communities.filter(street__code=code).order_by("name") if code else communities.none()
    return render(
        request,
        "communities/_unit_options.html",
        {
            "options": [(c.pk, c.name) for c in communities],
            "blank": _blank(request, "community"),
        },
    )
