"""Streets (街道): their residential estate count and their reassignment to another district
(the street and everything recorded under it moves with it)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.rules import require
from core.history import acting_as

from ..models import (
    District,
    Estate,
    Street,
)
from .common import Msg, _integer, _require_in_scope


# --- streets -------------------------------------------------------------------------------
def set_residential_estate_count(street: Street, value, *, by) -> Street:
    """辖区住宅小区总数: every residential estate of the street, old or not (the staffing norm of
    clause 五 counts them all); at least the old estates registered under it."""
    require(by, "street_record")
    with transaction.atomic(), acting_as(by):
        _require_in_scope(by, Street.objects, street.pk)
        street = Street.objects.select_for_update().get(pk=street.pk)
        try:
            count = _integer(value)
        except ValueError:
            raise ValidationError({"residential_estate_count": [Msg.ESTATE_COUNT]}) from None
        if count is not None and count < 0:
            raise ValidationError({"residential_estate_count": [Msg.ESTATE_COUNT]})
        registered = Estate.objects.filter(street=street).count()
        if count is not None and count < registered:
            raise ValidationError({"residential_estate_count": [Msg.ESTATE_COUNT_BELOW_OLD.format(n=registered)]})
        if street.residential_estate_count != count:
            street.residential_estate_count = count
            street.save()
    return street


@dataclass
class Reassignment:
    street: Street
    old_district: District
    new_district: District
    moved: dict  # model verbose name → rows moved


def _district_street_columns(model) -> bool:
    """Does this scoped model carry its own district and street columns (not a lookup)?"""
    paths = getattr(model, "scope_paths", {}) or {}
    return paths.get("district") == "district_id" and paths.get("street") == "street_id"


def _tracks_history(model) -> bool:
    return hasattr(model._meta, "simple_history_manager_attribute")


def moves_with_street(model) -> bool:
    """Does a row of `model` follow its street to a new district?

    Human-edited rows do (the registry, inspections, appeals, staff...: they carry a change
    history, DESIGN.md). Computed rows do not: a result or an allocation belongs to the run or
    sheet version that made it, with the district it was computed for, and a closed year's
    results never change when the registry changes later (policy-defaults.md §2). A model may
    say so itself with `moves_with_street = True/False`."""
    explicit = getattr(model, "moves_with_street", None)
    if explicit is not None:
        return bool(explicit)
    return _tracks_history(model)


def reassign_street(street: Street, district: District, *, by) -> Reassignment:
    """Move a street to another managing district (江北新区 manages some streets of 浦口区 and
    六合区 directly; the assignment is editable data). Everything under the street moves with it:
    every human-edited scoped table carrying district and street columns
    (core.scoping.scoped_models, see moves_with_street), the users of the street, and the firms
    it entrusts. Computed rows (results, allocations) stay as their run made them. Each moved
    row gets a history entry naming the reassignment, so who moved what, and when, stays on
    record."""
    from simple_history.utils import bulk_update_with_history

    from accounts.models import User
    from core.scoping import scoped_models

    require(by, "street_reassign")
    with transaction.atomic(), acting_as(by):
        street = Street.objects.select_for_update().select_related("district").get(pk=street.pk)
        district = District.objects.get(pk=district.pk)
        old = street.district
        if old.pk == district.pk:
            raise ValidationError({"district": [Msg.REASSIGN_SAME.format(district=district.name)]})
        if Street.objects.filter(district=district, name=street.name).exclude(pk=street.pk).exists():
            raise ValidationError({"district": [Msg.REASSIGN_NAME_TAKEN.format(district=district.name)]})
        reason = f"街道调整：{street.name}由{old.name}划归{district.name}"
        street.district = district
        street._change_reason = reason
        street.save()
        moved: dict[str, int] = {str(Street._meta.verbose_name): 1}
        models_to_move = [
            m for m in scoped_models() if m is not Street and _district_street_columns(m) and moves_with_street(m)
        ]
        models_to_move.append(User)
        for model in models_to_move:
            rows = model._default_manager.filter(street_id=street.pk).exclude(district_id=district.pk)
            if _tracks_history(model):
                objs = list(rows.only("pk", "district_id"))
                for obj in objs:
                    obj.district_id = district.pk
                if objs:
                    bulk_update_with_history(
                        objs, model, ["district"], batch_size=1000, default_user=by, default_change_reason=reason
                    )
                count = len(objs)
            else:
                count = rows.update(district_id=district.pk)
            if count:
                moved[str(model._meta.verbose_name)] = moved.get(str(model._meta.verbose_name), 0) + count
    return Reassignment(street=street, old_district=old, new_district=district, moved=moved)
