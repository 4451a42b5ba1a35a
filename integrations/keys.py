"""Issuing, checking and revoking the keys of other systems (接口密钥).

`issue_key` is what `manage.py create_api_key` and nothing else calls: a key is shown once and
then only its hash is kept. `key_for` turns the `api_key` of an Open311 POST into a usable key or
refuses it with the HTTP status the standard's clients expect.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.choices import Role
from communities.models import District

from .models import SystemAPIKey

MAX_DAYS = 3650


class KeyRefused(Exception):
    """The key is missing (401), unknown, expired or revoked (401), or not for this district (403)."""

    def __init__(self, description: str, code: int = 401):
        super().__init__(description)
        self.description, self.code = description, code


def districts_from(names) -> list[District]:
    """District codes (320102), names (玄武区) or short names (玄武) → districts; unknown → error."""
    found, unknown = [], []
    for raw in names or ():
        text = str(raw).strip()
        district = (
            District.objects.filter(code=text).first()
            or District.objects.filter(name=text).first()
            or District.objects.filter(short_name=text).first()
        )
        if district is None:
            unknown.append(text)
        elif district not in found:
            found.append(district)
    if unknown:
        raise ValidationError({"district": "区不存在：" + "、".join(unknown)})
    return found


@transaction.atomic
def issue_key(*, name: str, districts=(), days: int | None = None, by=None) -> tuple[SystemAPIKey, str]:
    """A new key for a system; returns (the stored key, the key itself — shown once, never kept).

    No district: the key covers the whole city (全市). Expiry: `days` (default API_KEY_DAYS)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写密钥名称（如：玄武区12345热线）。"})
    if len(name) > 50:
        raise ValidationError({"name": "密钥名称最多50个字。"})
    days = settings.API_KEY_DAYS if days is None else days
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": f"有效天数应为1至{MAX_DAYS}天。"})
    scope = districts_from(districts)
    key, plain = SystemAPIKey.objects.create_key(
        name=name, expiry_date=timezone.now() + dt.timedelta(days=days), created_by=by
    )
    key.districts.set(scope)
    return key, plain


@transaction.atomic
def revoke_key(key: SystemAPIKey, *, by) -> SystemAPIKey:
    """吊销: the key stops working at once; it stays listed (who used it, when)."""
    if by is None or not by.is_role(Role.CITY_ADMIN):
        raise PermissionDenied("只有市房产局管理员可以吊销接口密钥。")
    key = SystemAPIKey.objects.select_for_update().get(pk=key.pk)
    if not key.revoked:
        key.revoked, key.revoked_at, key.revoked_by = True, timezone.now(), by
        key.save(update_fields=["revoked", "revoked_at", "revoked_by"])
    return key


def key_for(raw: str | None) -> SystemAPIKey:
    """The usable key behind `raw`, or KeyRefused. Unknown, revoked and expired keys get
    different words, the same status (401): the caller must fix its configuration."""
    raw = (raw or "").strip()
    if not raw:
        raise KeyRefused("缺少 api_key：提交工单需要市房产局发放的接口密钥。")
    try:
        key = SystemAPIKey.objects.get_from_key(raw) if len(raw) <= 200 else None
    except SystemAPIKey.DoesNotExist:
        key = None
    if key is None:
        revoked = SystemAPIKey.objects.filter(prefix=raw.partition(".")[0], revoked=True).first()
        if revoked is not None and revoked.is_valid(raw):
            raise KeyRefused("该接口密钥已被吊销，请联系市房产局。")
        raise KeyRefused("api_key 无效。")
    if key.has_expired:
        raise KeyRefused("该接口密钥已过期，请联系市房产局重新发放。")
    return key


def check_district(key: SystemAPIKey, estate) -> None:
    """A key names its districts (none: the whole city); a case elsewhere is refused (403)."""
    allowed = set(key.districts.values_list("pk", flat=True))
    if allowed and estate.district_id not in allowed:
        raise KeyRefused(f"该接口密钥无权在{estate.district.name}创建工单。", code=403)


def mark_used(key: SystemAPIKey) -> None:
    SystemAPIKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
