"""The keys other systems hold (接口密钥) and the Open311 requests they handed in.

A key is stored hashed (djangorestframework-api-key: the key is shown once, only its prefix and
its SHA-512 hash are kept), names the districts it may create cases in, expires, and can be
revoked (which cannot be undone). A POST through Open311 creates the case through the disputes
services; `Open311Request` keeps which key handed it in, the token the client may follow it by,
and the media_url the client gave.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from rest_framework_api_key.models import AbstractAPIKey, APIKeyManager


class SystemAPIKey(AbstractAPIKey):
    """接口密钥: one per calling system (the 12345 hotline of a district, the city's platform)."""

    districts = models.ManyToManyField("communities.District", verbose_name="可建单的区", related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="吊销人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = APIKeyManager()

    class Meta(AbstractAPIKey.Meta):
        verbose_name = verbose_name_plural = "接口密钥"

    @property
    def is_usable(self) -> bool:
        return not self.revoked and not self.has_expired

    @property
    def state_label(self) -> str:
        if self.revoked:
            return "已吊销"
        if self.has_expired:
            return "已过期"
        return "有效"


def new_token() -> str:
    # Unguessable: a client that knows one token learns nothing about another case.
    return secrets.token_urlsafe(18)


class Open311Request(models.Model):
    """A case handed in through Open311 POST (12345工单), by token; exactly one of repair/dispute."""

    token = models.CharField("令牌", max_length=40, unique=True, default=new_token, editable=False)
    api_key = models.ForeignKey(
        SystemAPIKey, verbose_name="接口密钥", on_delete=models.PROTECT, related_name="requests"
    )
    repair = models.OneToOneField(
        "disputes.RepairRequest",
        verbose_name="应急维修",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="open311",
    )
    dispute = models.OneToOneField(
        "disputes.DisputeCase",
        verbose_name="矛盾纠纷",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="open311",
    )
    media_url = models.URLField("图片链接", max_length=500, blank=True)
    received_at = models.DateTimeField("接收时间", default=timezone.now, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "Open311工单"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(repair__isnull=False, dispute__isnull=True)
                | models.Q(repair__isnull=True, dispute__isnull=False),
                name="open311_one_case",
                violation_error_message="一个工单对应且仅对应一个案件。",
            )
        ]

    def __str__(self):
        return f"Open311 {self.case.number}"

    @property
    def case(self):
        return self.repair if self.repair_id else self.dispute
