"""Registry edits of communities (社区) and property service firms (物业服务企业)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.rules import require
from core.history import acting_as
from core.validation import FieldErrors

from ..choices import FirmFounding, ManagementMode
from ..models import (
    Community,
    District,
    Estate,
    ServiceFirm,
    Street,
)
from ..validators import (
    clean_name,
    has_control_or_invisible,
    validate_credit_code,
)
from .common import Msg, _pk, _require_in_scope, _text, phone_error


# --- communities -------------------------------------------------------------------------------
def validate_community(values: dict, *, by, instance: Community | None = None) -> dict:
    errors = FieldErrors()
    cleaned = {}
    name = clean_name(_text(values, "name"))
    if not name:
        errors.add("name", Msg.REQUIRED)
    elif len(name) > 50:
        errors.add("name", Msg.TOO_LONG.format(max=50))
    code = _text(values, "code").strip()
    if code and has_control_or_invisible(code):
        errors.add("code", "编码含有不可见字符或控制字符。")
    elif len(code) > 20:
        errors.add("code", Msg.TOO_LONG.format(max=20))
    cleaned["code"] = code
    street_pk = _pk(values.get("street")) if instance is None else instance.street_id
    street = Street.objects.writable_by(by).filter(pk=street_pk).first() if street_pk not in (None, "") else None
    if street is None:
        errors.add("street", Msg.STREET_INVALID if street_pk not in (None, "") else Msg.REQUIRED)
    elif name:
        clash = Community.objects.filter(street=street, name=name)
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            errors.add("name", Msg.COMMUNITY_NAME_TAKEN)
    errors.raise_if_any()
    cleaned.update(name=name, street=street)
    return cleaned


def create_community(values: dict, *, by) -> Community:
    require(by, "community")
    with transaction.atomic(), acting_as(by):
        cleaned = validate_community(values, by=by)
        community = Community.objects.create(**cleaned)
    return community


def update_community(community: Community, values: dict, *, by) -> Community:
    require(by, "community")
    with transaction.atomic(), acting_as(by):
        _require_in_scope(by, Community.objects, community.pk)
        cleaned = validate_community(values, by=by, instance=community)
        community.name, community.code = cleaned["name"], cleaned["code"]
        community.save()
    return community


# --- service firms -----------------------------------------------------------------------------
FIRM_FIELDS = (
    "name",
    "credit_code",
    "is_public_welfare",
    "founding",
    "district",
    "street",
    "legal_representative",
    "phone",
    "address",
)


def validate_firm(values: dict, *, by, instance: ServiceFirm | None = None) -> dict:
    """物业服务企业: the name and the unified social credit code (GB 32100-2015) are unique;
    a public-welfare firm says how it was founded; its district (and entrusting street) lie in
    the user's writable scope — a street clerk registers firms for its own street."""
    errors = FieldErrors()
    cleaned: dict = {}
    name = clean_name(_text(values, "name"))
    if not name:
        errors.add("name", Msg.REQUIRED)
    elif len(name) > 100:
        errors.add("name", Msg.TOO_LONG.format(max=100))
    else:
        clash = ServiceFirm.objects.filter(name=name)
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            errors.add("name", Msg.FIRM_NAME_TAKEN)
        cleaned["name"] = name

    code = _text(values, "credit_code").strip().upper()
    if not code:
        errors.add("credit_code", Msg.REQUIRED)
    else:
        try:
            validate_credit_code(code)
        except ValidationError as exc:
            errors.add("credit_code", exc.messages[0])
        else:
            clash = ServiceFirm.objects.filter(credit_code=code)
            if instance is not None:
                clash = clash.exclude(pk=instance.pk)
            if clash.exists():
                errors.add("credit_code", Msg.CREDIT_CODE_TAKEN)
            cleaned["credit_code"] = code

    public = bool(values.get("is_public_welfare"))
    cleaned["is_public_welfare"] = public
    if not public and instance is not None and instance.is_public_welfare:
        # the other side of `mode_firm_error`: the flag cannot go while estates rely on it
        served = list(
            Estate.objects.filter(service_firm=instance, management_mode=ManagementMode.PUBLIC_WELFARE)
            .order_by("code")
            .values_list("code", flat=True)[:6]
        )
        if served:
            n = Estate.objects.filter(service_firm=instance, management_mode=ManagementMode.PUBLIC_WELFARE).count()
            codes = "、".join(served[:5]) + ("等" if n > 5 else "")
            errors.add("is_public_welfare", Msg.FIRM_SERVES_PUBLIC_WELFARE_MODE.format(n=n, codes=codes))
    founding = _text(values, "founding")
    if founding and founding not in FirmFounding.values:
        errors.add("founding", Msg.INVALID_CHOICE)
    elif public and not founding:
        errors.add("founding", Msg.FOUNDING_REQUIRED)
    elif not public and founding:
        errors.add("founding", Msg.FOUNDING_NOT_ALLOWED)
    else:
        cleaned["founding"] = founding

    # Where it is registered: a district user registers in its district, a street clerk in its
    # street (and that street's district); city_admin anywhere.
    level = getattr(by, "scope_level", None)
    if level == "street":
        district_pk, street_pk = by.district_id, by.street_id
    elif level == "district":
        district_pk, street_pk = by.district_id, _pk(values.get("street"))
    else:
        district_pk, street_pk = _pk(values.get("district")), _pk(values.get("street"))
    district = (
        District.objects.writable_by(by).filter(pk=district_pk).first() if district_pk not in (None, "") else None
    )
    if district is None:
        errors.add("district", Msg.DISTRICT_INVALID if district_pk not in (None, "") else Msg.REQUIRED)
    else:
        cleaned["district"] = district
    street = None
    if street_pk not in (None, ""):
        street = Street.objects.writable_by(by).filter(pk=street_pk).first()
        if street is None:
            errors.add("street", Msg.STREET_INVALID)
        elif district is not None and street.district_id != district.pk:
            errors.add("street", Msg.FIRM_STREET_NOT_IN_DISTRICT)
    cleaned["street"] = street

    for key, limit in (("legal_representative", 50), ("address", 200)):
        text = clean_name(_text(values, key))
        if len(text) > limit:
            errors.add(key, Msg.TOO_LONG.format(max=limit))
        cleaned[key] = text
    phone = _text(values, "phone").strip()
    if phone_error(phone):
        errors.add("phone", Msg.PHONE)
    cleaned["phone"] = phone
    errors.raise_if_any()
    return cleaned


def create_firm(values: dict, *, by) -> ServiceFirm:
    require(by, "firm")
    with transaction.atomic(), acting_as(by):
        cleaned = validate_firm(values, by=by)
        firm = ServiceFirm.objects.create(**cleaned)
    return firm


def update_firm(firm: ServiceFirm, values: dict, *, by) -> ServiceFirm:
    require(by, "firm")
    with transaction.atomic(), acting_as(by):
        _require_in_scope(by, ServiceFirm.objects, firm.pk)
        firm = ServiceFirm.objects.select_for_update().get(pk=firm.pk)
        cleaned = validate_firm(values, by=by, instance=firm)
        for key in FIRM_FIELDS:
            setattr(firm, key, cleaned[key])
        firm.save()
    return firm
