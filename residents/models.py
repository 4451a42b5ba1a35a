"""The public entry of an estate (小区居民入口): an unguessable token in the URL of the estate's
poster and QR code. Never the row id: ids can be counted through. Staff may regenerate it (the
old poster stops working: revoked, kept for the record)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class EstateEntry(models.Model):
    """小区居民入口: one active token per estate; regenerated ones are kept, revoked."""

    estate = models.ForeignKey("communities.Estate", verbose_name="小区", on_delete=models.PROTECT, related_name="+")
    token = models.CharField("入口码", max_length=64, unique=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="生成人", on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField("作废时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "小区居民入口"
        constraints = [
            models.UniqueConstraint(
                fields=["estate"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_entry_per_estate",
                violation_error_message="该小区已有有效的居民入口。",
            ),
        ]

    def __str__(self):
        return f"居民入口 · {self.estate_id}"
