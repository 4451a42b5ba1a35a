"""What the assessment's operations share: rounding steps, the rule check, number format, writable estates."""

from __future__ import annotations

from decimal import Decimal

from accounts.rules import can
from communities.models import Estate

from ..errors import Refused

TENTH = Decimal("0.1")
CENT = Decimal("0.01")


def _require(by, action):
    if not can(by, action):
        raise Refused("您没有执行此操作的权限。")


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


def writable_estate(user, estate_id) -> Estate:
    estate = Estate.objects.writable_by(user).filter(pk=estate_id).first()
    if estate is None:
        raise Refused("小区编码不存在。")
    return estate
