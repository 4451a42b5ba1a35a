"""The two stations and the centre of a street (两站一中心), and its repair teams."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.choices import Role
from accounts.rules import require
from core.scoping import Level
from core.validation import text_errors

from .. import validation as v
from ..models import (
    RepairTeam,
    Station,
)


# --- stations and teams -----------------------------------------------------------------------
def _street_for(by, street):
    from communities.models import Street

    found = Street.objects.filter(pk=getattr(street, "pk", street)).first() if street else None
    if found is None:
        raise ValidationError({"street": "街道不存在。"})
    level_ok = by.scope_level == Level.CITY or (by.street_id == found.pk and by.role == Role.STREET_CLERK)
    if not level_ok:
        raise PermissionDenied("只能维护本街道的站点和队伍。")
    return found


STATION_FIELDS = ("name", "address", "phone", "hours", "staff_on_duty", "note")
TEAM_FIELDS = ("name", "kind", "firm", "leader", "phone", "members", "is_active")


@transaction.atomic
def save_station(*, by, street, kind: str, **fields) -> Station:
    """Create or update the station of this kind for the street (one per street and kind)."""
    require(by, "station")
    street = _street_for(by, street)
    station = Station.objects.select_for_update().filter(street=street, kind=kind).first() or Station(
        street=street, kind=kind
    )
    for name in STATION_FIELDS:
        if name in fields:
            setattr(station, name, (fields[name] or "").strip())
    errors = {f: "必填。" for f in ("name", "address", "phone", "hours") if not getattr(station, f)}
    text_errors(errors, staff_on_duty=(station.staff_on_duty, "list"), note=(station.note, "note"))
    v.raise_if(errors)
    station.save()
    return station


@transaction.atomic
def save_team(*, by, street, team: RepairTeam | None = None, **fields) -> RepairTeam:
    require(by, "station")
    street = _street_for(by, street)
    if team is not None:
        team = RepairTeam.objects.select_for_update().filter(pk=team.pk, street=street).first()
        if team is None:
            raise PermissionDenied("只能维护本街道的维修队伍。")
    else:
        team = RepairTeam(street=street)
    for name in TEAM_FIELDS:
        if name in fields:
            setattr(team, name, fields[name])
    errors = {}
    if not (team.name or "").strip():
        errors["name"] = "请填写队伍名称。"
    if team.kind in ("public_welfare", "contracted") and team.firm is None:
        errors["firm"] = "委托企业或签约单位须选择所属企业。"
    if team.kind == "public_welfare" and team.firm is not None and not team.firm.is_public_welfare:
        errors["firm"] = "所选企业不是公益性物业服务企业。"
    if (team.name or "").strip() and RepairTeam.objects.filter(street=street, name=team.name.strip()).exclude(
        pk=team.pk
    ).exists():
        errors["name"] = "该街道已有同名维修队伍。"
    v.raise_if(errors)
    team.name = team.name.strip()
    team.save()
    return team
