"""The stations and their teams (两站): the list, a street's page, editing a station and a team."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accounts.rules import can, require
from communities.models import Street
from core.forms import apply_errors
from core.scoping import Level

from .. import services
from ..case_views import HOME
from ..choices import StationKind
from ..filters import StationFilter
from ..forms import (
    StationForm,
    TeamForm,
)
from ..models import (
    RepairTeam,
    Station,
)
from .listing import paginate, render_list


# --- stations and teams -----------------------------------------------------------------------
@login_required
def station_list(request):
    """The stations of every street in scope, one row per street."""
    streets = Street.objects.visible_to(request.user).select_related("district").order_by("district__code", "code")
    filterset = StationFilter(request.GET or None, queryset=Station.objects.visible_to(request.user), request=request)
    if filterset.is_valid():
        if filterset.form.cleaned_data.get("district"):
            streets = streets.filter(district=filterset.form.cleaned_data["district"])
        if filterset.form.cleaned_data.get("street"):
            streets = streets.filter(pk=filterset.form.cleaned_data["street"].pk)
    if request.user.scope_level == Level.ASSIGNED:
        streets = streets.none()
    page = paginate(request, streets)
    street_ids = [s.pk for s in page.object_list]
    stations = {}
    for station in Station.objects.visible_to(request.user).filter(street_id__in=street_ids):
        stations.setdefault(station.street_id, {})[station.kind] = station
    teams = dict(
        RepairTeam.objects.visible_to(request.user)
        .filter(street_id__in=street_ids, is_active=True)
        .order_by()
        .values_list("street_id")
        .annotate(n=Count("id"))
    )
    rows = [
        {
            "street": s,
            "stations": [stations.get(s.pk, {}).get(k) for k in StationKind.values],
            "teams": teams.get(s.pk, 0),
        }
        for s in page.object_list
    ]
    return render_list(
        request,
        "disputes/station_list.html",
        filterset,
        page,
        {
            "rows": rows,
            "kinds": StationKind.choices,
            "breadcrumbs": [HOME, ("两站一中心站点", "")],
            "export_list": "stations",
        },
    )


def _street_in_scope(request, street_id):
    if request.user.scope_level == Level.ASSIGNED:
        raise Http404
    return get_object_or_404(Street.objects.visible_to(request.user).select_related("district"), pk=street_id)


def _may_edit_street(user, street) -> bool:
    return can(user, "station") and (user.scope_level == Level.CITY or user.street_id == street.pk)


@login_required
def station_street(request, street_id):
    street = _street_in_scope(request, street_id)
    stations = {s.kind: s for s in Station.objects.visible_to(request.user).filter(street=street)}
    teams = RepairTeam.objects.visible_to(request.user).filter(street=street).select_related("firm")
    return render(
        request,
        "disputes/station_street.html",
        {
            "street": street,
            "stations": [(value, label, stations.get(value)) for value, label in StationKind.choices],
            "teams": teams,
            "may_edit": _may_edit_street(request.user, street),
            "breadcrumbs": [HOME, ("两站一中心站点", reverse("disputes:station_list")), (street.name, "")],
        },
    )


@login_required
def station_edit(request, street_id, kind):
    street = _street_in_scope(request, street_id)
    if kind not in StationKind.values:
        raise Http404
    require(request.user, "station")
    if not _may_edit_street(request.user, street):
        raise PermissionDenied("只能维护本街道的站点。")
    station = Station.objects.filter(street=street, kind=kind).first()
    initial = (
        {f: getattr(station, f) for f in services.STATION_FIELDS}
        if station
        else {"name": f"{street.name}{StationKind(kind).label}"}
    )
    form = StationForm(request.POST or None, initial=initial, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_station(by=request.user, street=street, kind=kind, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "站点信息已保存。")
            return redirect("disputes:station_street", street_id=street.pk)
    return render(
        request,
        "disputes/simple_form.html",
        {
            "form": form,
            "title": f"{street.name} · {StationKind(kind).label}",
            "submit": "保存",
            "breadcrumbs": [
                HOME,
                ("两站一中心站点", reverse("disputes:station_list")),
                (street.name, reverse("disputes:station_street", args=[street.pk])),
                (StationKind(kind).label, ""),
            ],
        },
    )


@login_required
def team_edit(request, street_id, pk=None):
    street = _street_in_scope(request, street_id)
    require(request.user, "station")
    if not _may_edit_street(request.user, street):
        raise PermissionDenied("只能维护本街道的维修队伍。")
    team = get_object_or_404(RepairTeam.objects.filter(street=street), pk=pk) if pk else None
    initial = {f: getattr(team, f) for f in services.TEAM_FIELDS} if team else {"is_active": True}
    form = TeamForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_team(by=request.user, street=street, team=team, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "维修队伍已保存。")
            return redirect("disputes:station_street", street_id=street.pk)
    return render(
        request,
        "disputes/simple_form.html",
        {
            "form": form,
            "title": f"{street.name} · {'修改维修队伍' if team else '新增维修队伍'}",
            "submit": "保存",
            "breadcrumbs": [
                HOME,
                ("两站一中心站点", reverse("disputes:station_list")),
                (street.name, reverse("disputes:station_street", args=[street.pk])),
                (team.name if team else "新增维修队伍", ""),
            ],
        },
    )
