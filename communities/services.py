"""The registry's domain operations and the one place its rules live (小区登记).

Every write to estates, communities, service firms, property committees and owners'
organisations goes through a function here that takes the acting user (`by=`), checks the rule
(accounts.rules plus the user's writable scope), validates with the entity's validation
function, writes in one transaction and records who acted in the change history.

Validation is written once per entity and used by the pages (communities/forms.py), the API
(communities/api/serializers.py) and the estate importer (communities/imports.py):

- `estate_value_errors(values)` checks one estate's values without touching the database;
  `estate_rule_errors(values)` is its cross-field part (category and renovation year, years
  in order), which the importer calls per row after its parsers and bulk lookups;
- `validate_estate(values, by=..., instance=...)` adds the checks that need the database (code
  taken, community in the user's writable scope, firm exists) and returns the cleaned values or
  raises ValidationError({field: [messages]}).

Messages are the constants of `Msg`, so a form, the API and an import say the same thing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from accounts.choices import Role
from accounts.rules import can, require
from core.history import acting_as
from core.validation import FieldErrors, date_error, text_errors

from .choices import EstateCategory, FirmFounding, ManagementMode, OwnersOrganisationKind
from .models import (
    CommitteeMember,
    Community,
    District,
    Estate,
    OrganisationNorm,
    OwnersOrganisation,
    PropertyCommittee,
    ServiceFirm,
    Street,
)
from .validators import clean_name, has_control_or_invisible, validate_code, validate_credit_code

FIRST_YEAR = 1949
AREA_PLACES = 2
AREA_MAX = Decimal("9999999999.99")  # max_digits=12, decimal_places=2


class Msg:
    """Every message the registry's validation gives, in one place (forms, API, importer)."""

    REQUIRED = "此项为必填项。"
    INVALID_NUMBER = "请输入数字。"
    INVALID_INTEGER = "请输入整数。"
    INVALID_DATE = "请输入有效日期，例如 2019-03-05。"
    INVALID_CHOICE = "请选择有效的选项。"
    TOO_LONG = "不能超过{max}个字符。"
    NAME_EMPTY = "名称不能为空。"

    CODE_TAKEN = "该小区编码已存在。"
    CODE_UNAVAILABLE = "该编码不可用。"
    AREA_POSITIVE = "建筑面积必须大于0。"
    AREA_PLACES = "建筑面积最多保留两位小数。"
    AREA_TOO_LARGE = "建筑面积超出允许范围。"
    CATEGORY = "类别须为未整治老旧小区、已整治老旧小区或保障性住房小区。"
    MODE = "管理模式须为公益性物业托管、市场化物业、居民自治、基本服务保障或暂无。"
    RENOVATION_REQUIRED = "已整治老旧小区必须填写整治完成年份。"
    RENOVATION_NOT_ALLOWED = "只有已整治老旧小区填写整治完成年份，其他类别请留空。"
    YEAR_RANGE = "{label}应在1949年至{year}年之间。"
    RENOVATION_BEFORE_BUILT = "整治完成年份不能早于建成年份。"
    NOT_NEGATIVE = "{label}不能为负数。"
    COORDINATE = "{label}应在{low}至{high}之间。"
    COORDINATE_NANJING = "{label}应在南京市范围内（{low}至{high}之间）。"
    COORDINATES_PAIR = "经度和纬度须同时填写或同时留空。"

    DISTRICT_INVALID = "区不存在或不在您的管辖范围内。"
    STREET_INVALID = "街道不存在或不在您的管辖范围内。"
    COMMUNITY_INVALID = "社区不存在或不在您的管辖范围内。"
    STREET_NOT_IN_DISTRICT = "所选街道不属于所选区。"
    COMMUNITY_NOT_IN_STREET = "所选社区不属于所选街道。"
    FIRM_MISSING = "物业服务企业不存在。"
    MODE_FIRM_NOT_PUBLIC_WELFARE = ("管理模式为公益性物业托管时，物业服务企业须为公益性物业服务企业"
                                    "（“{firm}”未登记为公益性物业服务企业）。")
    FIRM_SERVES_PUBLIC_WELFARE_MODE = ("该企业是{n}个公益性物业托管小区（{codes}）的物业服务企业，不能取消公益性标识；"
                                       "请先调整这些小区的管理模式或物业服务企业。")
    ESTATE_INVALID = "小区不存在或不在您的管辖范围内。"

    CONFLICT = (
        "保存失败：该小区在您打开编辑页之后已被{who}于{when}修改，您的修改没有保存。"
        "下方保留了您填写的内容，并列出了与当前保存内容不同的项目；请核对后再次提交。"
    )

    FIRM_NAME_TAKEN = "已有同名的物业服务企业。"
    CREDIT_CODE_TAKEN = "该统一社会信用代码已登记。"
    FOUNDING_REQUIRED = "公益性物业服务企业须填写组建方式（新建、重组或引进）。"
    FOUNDING_NOT_ALLOWED = "只有公益性物业服务企业填写组建方式。"
    FIRM_STREET_NOT_IN_DISTRICT = "委托街道不属于登记区。"
    PHONE = "联系电话格式不正确（7至20位数字，可含“-”）。"

    TERM_END_BEFORE_START = "任期结束不能早于任期开始。"
    FORMED_AFTER_TERM_START = "任期开始不能早于成立日期。"
    ONE_DIRECTOR = "一个物管会只能有一名主任。"
    COMMITTEE_TOO_FEW = "物管会成员不得少于{min}人（现有{n}人）。"
    COMMITTEE_TOO_MANY = "物管会成员不得多于{max}人（现有{n}人）。"
    COMMITTEE_OWNERS = "业主成员不得少于成员总数的{share}（现有业主{owners}人，共{n}人）。"
    TERM_TOO_LONG = "物管会任期不得超过{months}个月。"
    MEMBER_ROLE = "职务须为主任、副主任或委员。"
    ORG_KIND = "类型须为业主大会或业主委员会。"
    ORG_TERM_BEFORE_ESTABLISHED = "任期结束不能早于成立日期。"

    COMMUNITY_NAME_TAKEN = "该街道已有同名社区。"
    ESTATE_COUNT = "辖区住宅小区总数须为不小于0的整数。"
    ESTATE_COUNT_BELOW_OLD = "辖区住宅小区总数不能少于已登记的老旧小区数（{n}个）。"
    REASSIGN_SAME = "该街道已属于{district}。"
    REASSIGN_NAME_TAKEN = "{district}已有同名街道，不能调整。"
    NOT_IN_SCOPE = "该记录不在您的管辖范围内。"


class EditConflict(Exception):
    """A stale edit: the row changed since the form (or API client) read it."""

    def __init__(self, current, who: str, when):
        self.current = current
        self.who = who
        self.when = when
        super().__init__(Msg.CONFLICT.format(who=who, when=_cn_datetime(when)))

    @property
    def message(self) -> str:
        return str(self)


def this_year() -> int:
    return timezone.localdate().year


def _cn_datetime(value) -> str:
    if not value:
        return "刚才"
    value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"


# --- small parsers shared by the rules ---------------------------------------------------------
def _text(values: dict, key: str) -> str:
    value = values.get(key)
    return "" if value is None else str(value)


def _decimal(value):
    if value is None or value == "":
        return None
    if isinstance(value, float):
        # Never a float near a measure: take its shortest decimal form (excel-templates.md).
        value = repr(value)
    try:
        result = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValueError(Msg.INVALID_NUMBER)
    if not result.is_finite():
        raise ValueError(Msg.INVALID_NUMBER)
    return result


def _integer(value):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(Msg.INVALID_INTEGER)
    if isinstance(value, int):
        return value
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(Msg.INVALID_INTEGER)
    if not number.is_finite() or number != number.to_integral_value():
        raise ValueError(Msg.INVALID_INTEGER)
    return int(number)


def _pk(value):
    return getattr(value, "pk", value)


_PHONE = re.compile(r"^\+?[0-9][0-9\-]{5,18}[0-9]$")


def phone_error(value: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    digits = re.sub(r"\D", "", value)
    if not _PHONE.match(value) or not 7 <= len(digits) <= 20:
        return Msg.PHONE
    return None


def _date(value):
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(Msg.INVALID_DATE)


# --- scope helpers -----------------------------------------------------------------------------
def can_see_history(user) -> bool:
    """The change history is for the city housing bureau and the auditors (spec/roles.md)."""
    return bool(getattr(user, "is_authenticated", False)) and user.is_active and user.role in (
        Role.CITY_ADMIN, Role.AUDITOR,
    )


def can_write(user, action: str, obj=None) -> bool:
    """May `user` take write `action` (accounts.rules) on `obj` (within their writable scope)?"""
    if not can(user, action):
        return False
    if obj is None:
        return True
    model = type(obj)
    if isinstance(obj, OwnersOrganisation | PropertyCommittee):
        return Estate.objects.writable_by(user).filter(pk=obj.estate_id).exists()
    return model._default_manager.writable_by(user).filter(pk=obj.pk).exists()


def _require_in_scope(user, queryset, pk):
    if not queryset.writable_by(user).filter(pk=pk).exists():
        raise PermissionDenied(Msg.NOT_IN_SCOPE)


def writable_estates(user):
    return Estate.objects.writable_by(user)


# --- estates -------------------------------------------------------------------------------
ESTATE_FIELDS = (
    "code", "name", "community", "address", "grid_code", "year_built", "building_area", "households",
    "buildings", "category", "renovation_year", "management_mode", "service_firm", "latitude", "longitude",
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
        "code": "x", "name": "x", "community": 0, "building_area": Decimal("1"),
        "category": values.get("category"), "renovation_year": values.get("renovation_year"),
        "year_built": values.get("year_built"), "management_mode": values.get("management_mode"),
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
            if str(community_pk).isdigit() else None
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
        current = getattr(instance, f"{field}_id") if field in ("community", "service_firm") else getattr(instance, field)
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
FIRM_FIELDS = ("name", "credit_code", "is_public_welfare", "founding", "district", "street",
               "legal_representative", "phone", "address")


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
        served = list(Estate.objects.filter(service_firm=instance, management_mode=ManagementMode.PUBLIC_WELFARE)
                      .order_by("code").values_list("code", flat=True)[:6])
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
    district = District.objects.writable_by(by).filter(pk=district_pk).first() if district_pk not in (None, "") else None
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


# --- property committees and their members -------------------------------------------------
COMMITTEE_FIELDS = ("name", "formed_on", "term_start", "term_end", "is_active", "service_standard")
MEMBER_FIELDS = ("name", "role", "is_owner", "phone")


def _estate_for_write(by, estate_value) -> Estate | None:
    pk = _pk(estate_value)
    if pk in (None, "") or not str(pk).isdigit():
        return None
    return Estate.objects.writable_by(by).filter(pk=pk).first()


def validate_member(values: dict) -> tuple[dict, dict]:
    from .choices import CommitteeMemberRole

    errors = FieldErrors()
    name = clean_name(_text(values, "name"))
    if not name:
        errors.add("name", Msg.REQUIRED)
    elif len(name) > 50:
        errors.add("name", Msg.TOO_LONG.format(max=50))
    role = _text(values, "role") or CommitteeMemberRole.MEMBER
    if role not in CommitteeMemberRole.values:
        errors.add("role", Msg.MEMBER_ROLE)
    phone = _text(values, "phone").strip()
    if phone_error(phone):
        errors.add("phone", Msg.PHONE)
    cleaned = {"name": name, "role": role, "is_owner": bool(values.get("is_owner", True)), "phone": phone}
    return cleaned, errors


def validate_committee(values: dict, *, by, instance: PropertyCommittee | None = None,
                       members: list[dict] | None = None) -> dict:
    """物业管理委员会: its estate in the user's writable scope, a term that ends after it starts,
    and at most one director (主任) among its members."""
    errors = FieldErrors()
    cleaned: dict = {}
    estate = instance.estate if instance is not None else _estate_for_write(by, values.get("estate"))
    if estate is None:
        errors.add("estate", Msg.ESTATE_INVALID if values.get("estate") not in (None, "") else Msg.REQUIRED)
    cleaned["estate"] = estate
    name = clean_name(_text(values, "name"))
    if not name:
        errors.add("name", Msg.REQUIRED)
    elif len(name) > 100:
        errors.add("name", Msg.TOO_LONG.format(max=100))
    cleaned["name"] = name
    dates = {}
    for key in ("formed_on", "term_start", "term_end"):
        try:
            dates[key] = _date(values.get(key))
        except ValueError as exc:
            errors.add(key, str(exc))
            continue
        if dates[key] is None:
            errors.add(key, Msg.REQUIRED)
        cleaned[key] = dates[key]
    for key in ("formed_on", "term_start", "term_end"):
        if message := date_error(dates.get(key), fact=key == "formed_on"):
            errors.add(key, message)
    if dates.get("term_start") and dates.get("term_end") and dates["term_end"] < dates["term_start"]:
        errors.add("term_end", Msg.TERM_END_BEFORE_START)
    if dates.get("formed_on") and dates.get("term_start") and dates["term_start"] < dates["formed_on"]:
        errors.add("term_start", Msg.FORMED_AFTER_TERM_START)
    cleaned["is_active"] = bool(values.get("is_active", True))
    cleaned["service_standard"] = (_text(values, "service_standard")).strip()
    text_errors(errors, service_standard=(cleaned["service_standard"], "description"))

    norm = OrganisationNorm.current()
    if dates.get("term_start") and dates.get("term_end") and \
            dates["term_end"] > add_months(dates["term_start"], norm.committee_max_term_months):
        errors.add("term_end", Msg.TERM_TOO_LONG.format(months=norm.committee_max_term_months))

    member_errors: list[dict] = []
    if members is not None:
        cleaned_members = []
        for member in members:
            data, errs = validate_member(member)
            cleaned_members.append(data)
            member_errors.append(dict(errs))
        if sum(1 for m in cleaned_members if m["role"] == "director") > 1:
            errors.add(NON_FIELD_ERRORS, Msg.ONE_DIRECTOR)
        for index, errs in enumerate(member_errors):
            for key, messages in errs.items():
                for message in messages:
                    errors.add("members", f"第{index + 1}位成员的{MEMBER_LABELS[key]}：{message}")
        cleaned["members"] = cleaned_members
    if cleaned["is_active"]:
        # 5–11 members, owners at least half (OrganisationNorm): the list given, or the kept one.
        if members is not None:
            count, owners = len(cleaned["members"]), sum(1 for m in cleaned["members"] if m["is_owner"])
        elif instance is not None:
            count, owners = instance.members.count(), instance.members.filter(is_owner=True).count()
        else:
            count = owners = 0
        for message in committee_size_errors(norm, count, owners):
            errors.add(NON_FIELD_ERRORS, message)
    if errors:
        exc = ValidationError({k: list(v) for k, v in errors.items()})
        # Per member, in the order given: {field: [messages]} ({} for a good member), so a
        # form or the API can put each message on its row.
        exc.member_errors = member_errors if any(member_errors) else []
        raise exc
    return cleaned


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it has no such day)."""
    import calendar

    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def committee_size_errors(norm, count: int, owners: int) -> list[str]:
    errors = []
    if count < norm.committee_min_members:
        errors.append(Msg.COMMITTEE_TOO_FEW.format(min=norm.committee_min_members, n=count))
    elif count > norm.committee_max_members:
        errors.append(Msg.COMMITTEE_TOO_MANY.format(max=norm.committee_max_members, n=count))
    if count and Decimal(owners) < norm.committee_min_owner_share * count:
        share = "一半" if norm.committee_min_owner_share == Decimal("0.5") else f"{norm.committee_min_owner_share:.0%}"
        errors.append(Msg.COMMITTEE_OWNERS.format(share=share, owners=owners, n=count))
    return errors


MEMBER_LABELS = {"name": "姓名", "role": "职务", "is_owner": "业主", "phone": "联系电话"}


def _replace_members(committee: PropertyCommittee, members: list[dict]):
    """Members are listed whole: those kept are updated in place (their history continues),
    the rest removed, new ones added."""
    existing = list(committee.members.order_by("pk"))
    for position, data in enumerate(members):
        member = existing[position] if position < len(existing) else CommitteeMember(committee=committee)
        if member.pk is None or any(getattr(member, k) != data[k] for k in MEMBER_FIELDS):
            for key in MEMBER_FIELDS:
                setattr(member, key, data[key])
            member.save()
    for member in existing[len(members):]:
        member.delete()


def create_committee(values: dict, *, by, members: list[dict] | None = None) -> PropertyCommittee:
    require(by, "committee")
    with transaction.atomic(), acting_as(by):
        cleaned = validate_committee(values, by=by, members=members)
        member_data = cleaned.pop("members", None)
        committee = PropertyCommittee.objects.create(**cleaned)
        if member_data:
            _replace_members(committee, member_data)
    return committee


def update_committee(committee: PropertyCommittee, values: dict, *, by,
                     members: list[dict] | None = None) -> PropertyCommittee:
    require(by, "committee")
    with transaction.atomic(), acting_as(by):
        _require_in_scope(by, PropertyCommittee.objects, committee.pk)
        committee = PropertyCommittee.objects.select_for_update().select_related("estate").get(pk=committee.pk)
        cleaned = validate_committee(values, by=by, instance=committee, members=members)
        member_data = cleaned.pop("members", None)
        cleaned.pop("estate", None)
        for key in COMMITTEE_FIELDS:
            setattr(committee, key, cleaned[key])
        committee.save()
        if member_data is not None:
            _replace_members(committee, member_data)
    return committee


# --- owners' organisations -----------------------------------------------------------------
ORG_FIELDS = ("kind", "established_on", "term_end", "chair", "is_active")


def validate_owners_org(values: dict, *, by, instance: OwnersOrganisation | None = None) -> dict:
    errors = FieldErrors()
    cleaned: dict = {}
    estate = instance.estate if instance is not None else _estate_for_write(by, values.get("estate"))
    if estate is None:
        errors.add("estate", Msg.ESTATE_INVALID if values.get("estate") not in (None, "") else Msg.REQUIRED)
    cleaned["estate"] = estate
    kind = _text(values, "kind")
    if not kind:
        errors.add("kind", Msg.REQUIRED)
    elif kind not in OwnersOrganisationKind.values:
        errors.add("kind", Msg.ORG_KIND)
    cleaned["kind"] = kind
    dates = {}
    for key in ("established_on", "term_end"):
        try:
            dates[key] = _date(values.get(key))
        except ValueError as exc:
            errors.add(key, str(exc))
            continue
        cleaned[key] = dates[key]
    if dates.get("established_on") is None and "established_on" not in errors:
        errors.add("established_on", Msg.REQUIRED)
    elif message := date_error(dates.get("established_on"), fact=True):
        errors.add("established_on", message)
    if message := date_error(dates.get("term_end"), fact=False):
        errors.add("term_end", message)
    if dates.get("established_on") and dates.get("term_end") and dates["term_end"] < dates["established_on"]:
        errors.add("term_end", Msg.ORG_TERM_BEFORE_ESTABLISHED)
    chair = clean_name(_text(values, "chair"))
    if len(chair) > 50:
        errors.add("chair", Msg.TOO_LONG.format(max=50))
    cleaned["chair"] = chair
    cleaned["is_active"] = bool(values.get("is_active", True))
    errors.raise_if_any()
    return cleaned


def create_owners_org(values: dict, *, by) -> OwnersOrganisation:
    require(by, "owners_org")
    with transaction.atomic(), acting_as(by):
        cleaned = validate_owners_org(values, by=by)
        return OwnersOrganisation.objects.create(**cleaned)


def update_owners_org(org: OwnersOrganisation, values: dict, *, by) -> OwnersOrganisation:
    require(by, "owners_org")
    with transaction.atomic(), acting_as(by):
        _require_in_scope(by, OwnersOrganisation.objects, org.pk)
        org = OwnersOrganisation.objects.select_for_update().select_related("estate").get(pk=org.pk)
        cleaned = validate_owners_org(values, by=by, instance=org)
        for key in ORG_FIELDS:
            setattr(org, key, cleaned[key])
        org.save()
    return org


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
            raise ValidationError({"residential_estate_count": [Msg.ESTATE_COUNT]})
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
                    bulk_update_with_history(objs, model, ["district"], batch_size=1000, default_user=by,
                                             default_change_reason=reason)
                count = len(objs)
            else:
                count = rows.update(district_id=district.pk)
            if count:
                moved[str(model._meta.verbose_name)] = moved.get(str(model._meta.verbose_name), 0) + count
    return Reassignment(street=street, old_district=old, new_district=district, moved=moved)


# --- counts for pages --------------------------------------------------------------------------
# Past this many estates a list shows its count without the area and household sums: the count
# is an index-only scan, summing decimals over a whole city is not (docs/registry.md).
LIST_SUMS_LIMIT = 20_000


def estate_totals(queryset, sums_up_to: int | None = None) -> dict:
    """Count, area and households of a (scoped, filtered) estate queryset, over the estate
    table alone (no join). With `sums_up_to`, the sums are taken only for sets up to that size
    (area and households are None above it)."""
    queryset = queryset.order_by()
    if sums_up_to is None:
        totals = queryset.aggregate(count=Count("id"), area=Sum("building_area"), households=Sum("households"))
    else:
        totals = {"count": queryset.count(), "area": None, "households": None}
        if totals["count"] <= sums_up_to:
            totals.update(queryset.aggregate(area=Sum("building_area"), households=Sum("households")))
        else:
            totals["sums_skipped"] = True
            return totals
    totals["area"] = totals["area"] or Decimal("0")
    totals["households"] = totals["households"] or 0
    return totals


SUMMARY_CACHE_SECONDS = 60


def registry_summary(user) -> dict:
    """The home page's figures for the user's scope: estates by category and management mode,
    and by the unit one level below the user's (districts for the city, streets for a district,
    communities for a street).

    Two grouped index-only scans; area and households are summed only for scopes up to
    LIST_SUMS_LIMIT estates. A scope larger than that (a city of 220,000 estates, where each
    scan costs ~100 ms) is served from a cache for SUMMARY_CACHE_SECONDS and says when it was
    counted; smaller scopes are always counted live."""
    from django.core.cache import cache

    level = getattr(user, "scope_level", None)
    unit = {"city": "all", "district": user.district_id, "street": user.street_id,
            "community": user.community_id}.get(level, f"user{user.pk}")
    key = f"registry-summary:{level}:{unit}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    summary = _registry_summary(user)
    if summary["totals"]["count"] > LIST_SUMS_LIMIT:
        summary["as_of"] = timezone.now()
        cache.set(key, summary, SUMMARY_CACHE_SECONDS)
    return summary


def _registry_summary(user) -> dict:
    from django.urls import reverse

    estates = Estate.objects.visible_to(user).order_by()
    pairs = list(estates.values_list("category", "management_mode").annotate(n=Count("id")))
    by_category: dict[str, int] = {}
    by_mode: dict[str, int] = {}
    for category, mode, n in pairs:
        by_category[category] = by_category.get(category, 0) + n
        by_mode[mode] = by_mode.get(mode, 0) + n
    count = sum(by_category.values())
    totals = {"count": count, "area": None, "households": None, "sums_skipped": count > LIST_SUMS_LIMIT}
    if count and not totals["sums_skipped"]:
        sums = estates.aggregate(area=Sum("building_area"), households=Sum("households"))
        totals.update(area=sums["area"] or Decimal("0"), households=sums["households"] or 0)

    list_url = reverse("communities:estate_list")
    level = getattr(user, "scope_level", None)
    units, unit_label = [], ""
    if level == "city":
        unit_label = "区"
        counts = dict(estates.values_list("district_id").annotate(n=Count("id")))
        units = [{"pk": d.pk, "name": d.name, "count": counts.get(d.pk, 0), "url": f"{list_url}?district={d.code}"}
                 for d in District.objects.visible_to(user)]
    elif level == "district":
        unit_label = "街道"
        counts = dict(estates.values_list("street_id").annotate(n=Count("id")))
        units = [{"name": s.name, "count": counts.get(s.pk, 0),
                  "url": f"{list_url}?district={user.district.code}&street={s.code}"}
                 for s in Street.objects.visible_to(user).select_related("district")]
    elif level == "street":
        unit_label = "社区"
        counts = dict(estates.values_list("community_id").annotate(n=Count("id")))
        units = [{"name": c.name, "count": counts.get(c.pk, 0),
                  "url": f"{list_url}?district={user.district.code}&street={user.street.code}&community={c.pk}"}
                 for c in Community.objects.visible_to(user).order_by("name")]
    return {
        "totals": totals,
        "by_category": [{"value": c.value, "label": c.label, "count": by_category.get(c.value, 0)} for c in EstateCategory],
        "by_mode": [{"value": m.value, "label": m.label, "count": by_mode.get(m.value, 0)} for m in ManagementMode],
        "by_unit": units,
        "unit_label": unit_label,
    }


def counts_by(queryset, field: str) -> dict:
    return dict(queryset.order_by().values_list(field).annotate(n=Count("id")))


def counts_by_street(user, district: District | None = None) -> dict[int, dict]:
    """Street id → {count, area, by category} of the estates the user sees (optionally under a
    district): one grouped query on the estate table."""
    estates = Estate.objects.visible_to(user)
    if district is not None:
        estates = estates.filter(district=district)
    result: dict[int, dict] = {}
    rows = estates.order_by().values("street_id", "category").annotate(n=Count("id"), area=Sum("building_area"))
    for row in rows:
        entry = result.setdefault(row["street_id"], {"count": 0, "area": Decimal("0"), "by_category": {}})
        entry["count"] += row["n"]
        entry["area"] += row["area"] or 0
        entry["by_category"][row["category"]] = row["n"]
    return result

