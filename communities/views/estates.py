"""小区: the list (filters, sorting, pages, totals), the detail page, create and edit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.rules import require

from .. import services
from ..filters import ESTATE_ORDERING_LABELS, EstateFilter
from ..forms import EstateForm
from ..models import Community, District, Estate, OwnersOrganisation, PropertyCommittee, Street
from .common import PAGE_SIZES, page_of, query_string, url_pattern
from .common import posted as _posted
from .history import change_log

LIST_RELATED = ("district", "street", "community", "service_firm")
# The columns the list shows (no timestamps or coordinates to load for 50 rows × 5 tables).
LIST_ONLY = (
    "code",
    "name",
    "category",
    "management_mode",
    "building_area",
    "households",
    "year_built",
    "renovation_year",
    "district__code",
    "district__name",
    "street__code",
    "street__name",
    "community__name",
    "service_firm__name",
)


def filter_units(request, form) -> dict:
    """The options of the district / street / community selects, from the user's scope, each
    narrowed to the unit chosen above it (a constant three queries at any scale). Options are
    (value, label, selected) so the template only prints them."""
    user = request.user
    district_code = request.GET.get("district") or ""
    street_code = request.GET.get("street") or ""
    community = request.GET.get("community") or ""
    districts = list(District.objects.visible_to(user).values_list("code", "name"))
    if district_code not in {code for code, _ in districts}:
        district_code = ""
    streets = Street.objects.visible_to(user)
    if district_code:
        streets = streets.filter(district__code=district_code)
    streets = list(streets.values_list("code", "name"))
    if street_code not in {code for code, _ in streets}:
        street_code = ""
    communities = []
    if street_code:
        communities = list(
            Community.objects.visible_to(user)
            .filter(street__code=street_code)
            .order_by("name")
            .values_list("pk", "name")
        )
    else:
        chosen = form.cleaned_data.get("community") if hasattr(form, "cleaned_data") else None
        if chosen is not None:
            communities = [(chosen.pk, chosen.name)]
    return {
        "districts": [(code, name, code == district_code) for code, name in districts],
        "streets": [(code, name, code == street_code) for code, name in streets],
        "communities": [(pk, name, str(pk) == community) for pk, name in communities],
        "selected": {"district": district_code, "street": street_code, "community": community},
    }


@login_required
def estate_list(request):
    user = request.user
    estates = Estate.objects.visible_to(user)
    filterset = EstateFilter(request.GET or None, queryset=estates, request=request)
    queryset = filterset.qs
    if not request.GET.get("ordering"):
        queryset = queryset.order_by("code")
    totals = services.estate_totals(queryset, sums_up_to=services.LIST_SUMS_LIMIT)
    page = page_of(request, queryset, totals["count"], related=LIST_RELATED, only=LIST_ONLY)
    detail_url, firm_url = url_pattern("communities:estate_detail"), url_pattern("communities:firm_detail")
    for estate in page.object_list:
        estate.detail_url = detail_url.format(estate.pk)
        estate.firm_url = firm_url.format(estate.service_firm_id) if estate.service_firm_id else ""
    form = filterset.form
    context = {
        "filter": filterset,
        "form": form,
        "page_obj": page,
        "estates": page.object_list,
        "totals": totals,
        "units": filter_units(request, form),
        "query_string": query_string(request),
        "export_query": query_string(request, "per_page"),
        "page_sizes": PAGE_SIZES,
        "ordering": request.GET.get("ordering", ""),
        "ordering_labels": ESTATE_ORDERING_LABELS,
        "filtered": any(
            request.GET.get(k)
            for k in (
                "q",
                "district",
                "street",
                "community",
                "category",
                "management_mode",
                "renovation_year",
                "service_firm",
            )
        ),
        "can_create": services.can(user, "estate"),
        "export_url": reverse("communities:estate_export"),
        "breadcrumbs": [("小区列表", "")],
    }
    return render(request, "communities/estate_list.html", context)


def _visible_estate(request, pk) -> Estate:
    return get_object_or_404(Estate.objects.visible_to(request.user).select_related(*LIST_RELATED), pk=pk)


@login_required
def estate_detail(request, pk):
    user = request.user
    estate = _visible_estate(request, pk)
    committees = (
        PropertyCommittee.objects.visible_to(user)
        .filter(estate=estate)
        .prefetch_related("members")
        .order_by("-is_active", "-term_start")
    )
    organisations = (
        OwnersOrganisation.objects.visible_to(user).filter(estate=estate).order_by("-is_active", "-established_on")
    )
    # Estates are not a public register: the writable scope is the visible one, so one check
    # of the role per kind of row is enough here (services re-checks the scope on save).
    in_scope = services.writable_estates(user).filter(pk=estate.pk).exists()
    context = {
        "estate": estate,
        "committees": committees,
        "organisations": organisations,
        "can_edit": in_scope and services.can(user, "estate"),
        "can_edit_committees": in_scope and services.can(user, "committee"),
        "can_edit_orgs": in_scope and services.can(user, "owners_org"),
        "contracts": estate.contracts.select_related("firm").order_by("-start_date")[:20],
        "can_edit_contracts": in_scope and services.can(user, "contract"),
        # 居民报修入口与海报: the street clerk of its street, or city_admin (residents' own rule).
        "can_manage_posters": in_scope and services.can(user, "station"),
        "history": change_log(estate) if services.can_see_history(user) else None,
        # An evaluator's scope is its assigned estates, not units: no links to unit pages.
        "unit_links": user.scope_level != "assigned",
        "breadcrumbs": [("小区列表", reverse("communities:estate_list")), (estate.name, "")],
    }
    return render(request, "communities/estate_detail.html", context)


@login_required
def estate_create(request):
    user = request.user
    require(user, "estate")
    initial = {"management_mode": "none"}
    if user.district_id:
        initial["district"] = user.district.code
    if user.street_id:
        initial["street"] = user.street.code
    community_id = request.GET.get("community")
    if community_id and community_id.isdigit():
        community = (
            Community.objects.writable_by(user).select_related("street", "district").filter(pk=community_id).first()
        )
        if community is not None:
            initial.update(district=community.district.code, street=community.street.code, community=community.pk)
    form = EstateForm(_posted(request), user=user, initial=initial)
    if request.method == "POST" and form.is_valid_with_rules(
        lambda: services.validate_estate(form.rule_values(), by=user)
    ):
        try:
            estate = services.create_estate(form.values(), by=user)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"已登记小区“{estate.name}”（{estate.code}）。")
            return redirect("communities:estate_detail", pk=estate.pk)
    return render(
        request,
        "communities/estate_form.html",
        {
            "form": form,
            "title": "新增小区",
            "breadcrumbs": [("小区列表", reverse("communities:estate_list")), ("新增小区", "")],
        },
    )


def _differences(form: EstateForm, current: Estate) -> list[dict]:
    """The fields where what the user typed differs from what is saved now."""
    from ..forms import estate_initial

    saved = estate_initial(current)
    rows = []
    for name in (
        "code",
        "name",
        "district",
        "street",
        "community",
        "address",
        "grid_code",
        "year_built",
        "building_area",
        "households",
        "buildings",
        "category",
        "renovation_year",
        "management_mode",
        "service_firm",
        "latitude",
        "longitude",
    ):
        field = form.fields[name]
        yours = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else form.data.get(name)
        yours_value = getattr(yours, "code", None) if name in ("district", "street") else getattr(yours, "pk", yours)
        if str(yours_value if yours_value is not None else "") != str(saved[name] if saved[name] is not None else ""):
            rows.append({"label": field.label, "yours": _shown(field, yours), "saved": _shown_saved(name, current)})
    return rows


def _shown(field, value) -> str:
    if value in (None, ""):
        return "（空）"
    choices = dict(getattr(field, "choices", []) or []) if not hasattr(field, "queryset") else {}
    return str(choices.get(value, value))


def _shown_saved(name, estate) -> str:
    if name in ("district", "street", "community", "service_firm"):
        value = getattr(estate, name)
        return str(value) if value is not None else "（空）"
    display = getattr(estate, f"get_{name}_display", None)
    value = display() if display else getattr(estate, name)
    return "（空）" if value in (None, "") else str(value)


@login_required
def estate_edit(request, pk):
    user = request.user
    estate = _visible_estate(request, pk)
    require(user, "estate")
    if not services.writable_estates(user).filter(pk=estate.pk).exists():
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("该小区不在您的管辖范围内。")
    form = EstateForm(_posted(request), user=user, instance=estate)
    conflict = None
    differences = []
    if request.method == "POST" and form.is_valid_with_rules(
        lambda: services.validate_estate(form.rule_values(), by=user, instance=estate)
    ):
        try:
            estate = services.update_estate(
                estate, form.values(), by=user, expected_version=form.cleaned_data.get("version")
            )
        except services.EditConflict as exc:
            conflict = exc
            current = Estate.objects.select_related(*LIST_RELATED).get(pk=exc.current.pk)
            differences = _differences(form, current)
            # Nothing typed is lost: the form keeps the user's values; it now carries the
            # version they have been shown, so submitting again is a deliberate overwrite.
            data = request.POST.copy()
            data["version"] = str(current.version)
            form = EstateForm(data, user=user, instance=current)
            form.is_valid()
            estate = current
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"已保存小区“{estate.name}”的修改。")
            return redirect("communities:estate_detail", pk=estate.pk)
    return render(
        request,
        "communities/estate_form.html",
        {
            "form": form,
            "estate": estate,
            "title": f"编辑小区：{estate.name}",
            "conflict": conflict,
            "differences": differences,
            "breadcrumbs": [
                ("小区列表", reverse("communities:estate_list")),
                (estate.name, reverse("communities:estate_detail", args=[estate.pk])),
                ("编辑", ""),
            ],
        },
    )


@login_required
@require_POST
def estate_export(request):
    """Export the list as filtered (the page's query string) to .xlsx: a job, then its progress
    page with the download. Every signed-in user may export what they see."""
    from ..exports import export_params, start_estate_export

    job = start_estate_export(request.user, export_params(request.GET))
    return redirect("core:job_detail", pk=job.pk)
