"""Estates (小区): their values' rules (without and with the database) and their create/update."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.rules import require
from core.history import acting_as
from core.validation import FieldErrors

from ..choices import EstateCategory, ManagementMode
from ..models import (
    Community,
    Estate,
    ServiceFirm,
    Street,
)
from ..validators import clean_name, has_control_or_invisible, validate_code
from .common import (
    AREA_MAX,
    AREA_PLACES,
    FIRST_YEAR,
    EditConflict,
    Msg,
    _decimal,
    _integer,
    _pk,
    _text,
    this_year,
)

# --- estates -------------------------------------------------------------------------------
ESTATE_FIELDS = (
    "code",
    "name",
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
)


def estate_value_errors(values: dict, *, year: int | None = None) -> tuple[dict, dict[str, list[str]]]:
    """The rules of one estate that need no database (小区登记 rules of excel-templates.md).

    `values` holds raw or typed values (strings, numbers, Decimals, model instances or ids for
    community and service_firm). Returns (cleaned, errors): cleaned holds the typed values of the
    fields that passed; errors maps field → messages (Msg)."""
    year = year or this_year()
    errors = FieldErrors()
    cleaned: dict = {}

    raw_code = values.get("code")
    code = "" if raw_code is None else str(raw_code)
    if not code.strip():
        errors.add("code", Msg.REQUIRED)
    else:
        try:
            validate_code(code)
        except ValidationError as exc:
            errors.add("code", exc.messages[0])
        else:
            if len(code) > 32:
                errors.add("code", Msg.TOO_LONG.format(max=32))
            else:
                cleaned["code"] = code

    name = clean_name(_text(values, "name"))
    if not name:
        errors.add("name", Msg.REQUIRED)
    elif len(name) > 100:
        errors.add("name", Msg.TOO_LONG.format(max=100))
    else:
        cleaned["name"] = name

    for key, limit in (("address", 200), ("grid_code", 40)):
        text = clean_name(_text(values, key))
        if len(text) > limit:
            errors.add(key, Msg.TOO_LONG.format(max=limit))
        else:
            cleaned[key] = text
    if cleaned.get("grid_code") and has_control_or_invisible(_text(values, "grid_code")):
        errors.add("grid_code", "编码含有不可见字符或控制字符。")

    try:
        area = _decimal(values.get("building_area"))
    except ValueError as exc:
        errors.add("building_area", str(exc))
    else:
        if area is None:
            errors.add("building_area", Msg.REQUIRED)
        elif area <= 0:
            errors.add("building_area", Msg.AREA_POSITIVE)
        elif area.as_tuple().exponent < -AREA_PLACES and area != area.quantize(Decimal("0.01")):
            errors.add("building_area", Msg.AREA_PLACES)
        elif area > AREA_MAX:
            errors.add("building_area", Msg.AREA_TOO_LARGE)
        else:
            cleaned["building_area"] = area.quantize(Decimal("0.01"))

    for key, label in (("households", "户数"), ("buildings", "楼栋数")):
        try:
            number = _integer(values.get(key))
        except ValueError as exc:
            errors.add(key, str(exc))
            continue
        if number is not None and number < 0:
            errors.add(key, Msg.NOT_NEGATIVE.format(label=label))
        elif number is not None and number > 2_147_483_647:
            errors.add(key, Msg.INVALID_INTEGER)
        else:
            cleaned[key] = number

    years = {}
    for key, label in (("year_built", "建成年份"), ("renovation_year", "整治完成年份")):
        try:
            number = _integer(values.get(key))
        except ValueError as exc:
            errors.add(key, str(exc))
            years[key] = "bad"
            continue
        if number is not None and not FIRST_YEAR <= number <= year:
            errors.add(key, Msg.YEAR_RANGE.format(label=label, year=year))
            # Kept for the order check below: a year out of range and in the wrong order gets
            # both messages in the same round, not the second one after the first is fixed.
            years[key] = number
        else:
            years[key] = number
            cleaned[key] = number

    category = _text(values, "category")
    if not category:
        errors.add("category", Msg.REQUIRED)
    elif category not in EstateCategory.values:
        errors.add("category", Msg.CATEGORY)
    else:
        cleaned["category"] = category
        renovation = years.get("renovation_year")
        if category == EstateCategory.RENOVATED and renovation is None:
            errors.add("renovation_year", Msg.RENOVATION_REQUIRED)
        elif category != EstateCategory.RENOVATED and renovation is not None:
            errors.add("renovation_year", Msg.RENOVATION_NOT_ALLOWED)
            cleaned.pop("renovation_year", None)
    built, renovated = years.get("year_built"), years.get("renovation_year")
    if isinstance(built, int) and isinstance(renovated, int) and renovated < built:
        errors.add("renovation_year", Msg.RENOVATION_BEFORE_BUILT)

    mode = _text(values, "management_mode") or ManagementMode.NONE
    if mode not in ManagementMode.values:
        errors.add("management_mode", Msg.MODE)
    else:
        cleaned["management_mode"] = mode
        firm = values.get("service_firm")
        message = mode_firm_error(mode, firm) if isinstance(firm, ServiceFirm) else None
        if message:
            errors.add("service_firm", message)

    coords = {}
    for key, label in (("latitude", "纬度"), ("longitude", "经度")):
        try:
            value = _decimal(values.get(key))
        except ValueError as exc:
            errors.add(key, str(exc))
            coords[key] = "bad"
            continue
        low, high = (Decimal(str(b)) for b in settings.NANJING_BOUNDS[key])
        if value is not None and not low <= value <= high:
            errors.add(key, Msg.COORDINATE_NANJING.format(label=label, low=low, high=high))
            coords[key] = "bad"
        else:
            coords[key] = value
            cleaned[key] = value.quantize(Decimal("0.000001")) if value is not None else None
    if "bad" not in coords.values() and (coords.get("latitude") is None) != (coords.get("longitude") is None):
        errors.add("longitude" if coords.get("longitude") is None else "latitude", Msg.COORDINATES_PAIR)

    if values.get("community") in (None, ""):
        errors.add("community", Msg.REQUIRED)
    return cleaned, errors


def mode_firm_error(mode: str, firm: ServiceFirm | None) -> str | None:
    """公益性物业托管 is management by an entrusted public-welfare firm (clause 六, spec/domain.md):
    the estate's service firm, when one is named, must carry the public-welfare flag. (No firm
    named is allowed: the coverage report flags a mode without its contract.)"""
    if mode == ManagementMode.PUBLIC_WELFARE and firm is not None and not firm.is_public_welfare:
        return Msg.MODE_FIRM_NOT_PUBLIC_WELFARE.format(firm=firm.name)
    return None


CROSS_FIELD_RULES = ("renovation_year", "service_firm")


def estate_rule_errors(values: dict, *, year: int | None = None) -> dict[str, str]:
    """Field → message for the rules that span fields of one estate (a renovated estate has a
    renovation year, the others none; it is not before the year built; years in range), for
    callers that parse single cells themselves (the importer). Same messages as the forms and
    the API, since they come from the same checks."""
    probe = {
        "code": "x",
        "name": "x",
        "community": 0,
        "building_area": Decimal("1"),
        "category": values.get("category"),
        "renovation_year": values.get("renovation_year"),
        "year_built": values.get("year_built"),
        "management_mode": values.get("management_mode"),
        # the importer resolves firm names to instances in bulk and passes them as `_firm`
        "service_firm": values.get("_firm", values.get("service_firm")),
    }
    _cleaned, errors = estate_value_errors(probe, year=year)
    return {key: messages[0] for key, messages in errors.items() if key in CROSS_FIELD_RULES}


def validate_estate(values: dict, *, by, instance: Estate | None = None, year: int | None = None) -> dict:
    """All the rules of one estate; returns the values to write or raises ValidationError.

    `values` may also carry `district` and `street` (the form's dependent selects): the
    community must then lie under that street, and the street under that district."""
    cleaned, errors = estate_value_errors(values, year=year)

    code = cleaned.get("code")
    if code:
        taken = Estate.objects.filter(code=code)
        if instance is not None:
            taken = taken.exclude(pk=instance.pk)
        taken_id = taken.values_list("pk", flat=True).first()
        if taken_id is not None:
            in_scope = Estate.objects.visible_to(by).filter(pk=taken_id).exists()
            errors.add("code", Msg.CODE_TAKEN if in_scope else Msg.CODE_UNAVAILABLE)

    district_pk, street_pk = _pk(values.get("district")), _pk(values.get("street"))
    community_pk = _pk(values.get("community"))
    if community_pk not in (None, ""):
        community = (
            Community.objects.writable_by(by).filter(pk=community_pk).select_related("street").first()
            if str(community_pk).isdigit()
            else None
        )
        if community is None:
            errors.add("community", Msg.COMMUNITY_INVALID)
        else:
            if street_pk not in (None, "") and community.street_id != street_pk:
                errors.add("community", Msg.COMMUNITY_NOT_IN_STREET)
            if district_pk not in (None, "") and street_pk not in (None, ""):
                street_district = Street.objects.filter(pk=street_pk).values_list("district_id", flat=True).first()
                if street_district != district_pk:
                    errors.add("street", Msg.STREET_NOT_IN_DISTRICT)
            cleaned["community"] = community

    firm_pk = _pk(values.get("service_firm"))
    if firm_pk in (None, ""):
        cleaned["service_firm"] = None
    else:
        firm = ServiceFirm.objects.filter(pk=firm_pk).first() if str(firm_pk).isdigit() else None
        if firm is None:
            errors.add("service_firm", Msg.FIRM_MISSING)
        else:
            cleaned["service_firm"] = firm
            message = mode_firm_error(cleaned.get("management_mode"), firm)
            if message:
                errors.add("service_firm", message)

    errors.raise_if_any()
    return cleaned


def _apply(instance, cleaned: dict, fields) -> list[str]:
    changed = []
    for field in fields:
        if field not in cleaned:
            continue
        value = cleaned[field]
        current = (
            getattr(instance, f"{field}_id") if field in ("community", "service_firm") else getattr(instance, field)
        )
        new = _pk(value) if field in ("community", "service_firm") else value
        if current != new:
            changed.append(field)
        setattr(instance, field, value)
    return changed


def create_estate(values: dict, *, by) -> Estate:
    """Register an estate (新增小区) in the user's writable scope."""
    require(by, "estate")
    with transaction.atomic(), acting_as(by):
        cleaned = validate_estate(values, by=by)
        estate = Estate()
        _apply(estate, cleaned, ESTATE_FIELDS)
        estate.save()
    return estate


def update_estate(estate: Estate, values: dict, *, by, expected_version: int | None) -> Estate:
    """Save an edit of an estate, refusing it (EditConflict) when the estate changed since
    `expected_version` was read: optimistic locking, so that two clerks editing the same estate
    never overwrite each other unknowingly."""
    require(by, "estate")
    with transaction.atomic(), acting_as(by):
        current = Estate.objects.writable_by(by).select_for_update().filter(pk=estate.pk).first()
        if current is None:
            raise PermissionDenied(Msg.NOT_IN_SCOPE)
        if expected_version is None or int(expected_version) != current.version:
            last = current.history.select_related("history_user").order_by("-history_date", "-history_id").first()
            who = last.history_user.display_name if last is not None and last.history_user else "其他用户"
            raise EditConflict(current, who, last.history_date if last else current.updated_at)
        cleaned = validate_estate(values, by=by, instance=current)
        changed = _apply(current, cleaned, ESTATE_FIELDS)
        if changed:
            current.version += 1
            current.save()
    return current
