"""The registry's shared pieces: its messages (Msg), the edit conflict, the small parsers
the rules share, and the scope helpers (who may write what)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.choices import Role
from accounts.rules import can
from core import locking

from ..models import (
    Estate,
    OwnersOrganisation,
    PropertyCommittee,
)

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
    MODE_FIRM_NOT_PUBLIC_WELFARE = (
        "管理模式为公益性物业托管时，物业服务企业须为公益性物业服务企业（“{firm}”未登记为公益性物业服务企业）。"
    )
    FIRM_SERVES_PUBLIC_WELFARE_MODE = (
        "该企业是{n}个公益性物业托管小区（{codes}）的物业服务企业，不能取消公益性标识；"
        "请先调整这些小区的管理模式或物业服务企业。"
    )
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


class EditConflict(locking.EditConflict):
    """A stale edit of an estate: core's conflict (a refusal, 409 through the API), in the
    registry's words."""

    template = Msg.CONFLICT


def this_year() -> int:
    return timezone.localdate().year


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
        raise ValueError(Msg.INVALID_NUMBER) from None
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
        raise ValueError(Msg.INVALID_INTEGER) from None
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
        raise ValueError(Msg.INVALID_DATE) from None


# --- scope helpers -----------------------------------------------------------------------------
def can_see_history(user) -> bool:
    """The change history is for the city housing bureau and the auditors (spec/roles.md)."""
    return (
        bool(getattr(user, "is_authenticated", False))
        and user.is_active
        and user.role
        in (
            Role.CITY_ADMIN,
            Role.AUDITOR,
        )
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
