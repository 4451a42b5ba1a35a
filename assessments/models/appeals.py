"""Appeals (申诉) against a published estate result."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from communities.models import EstateScopedModel
from core.models import TimeStampedModel
from core.scoping import ScopedManager
from core.validation import happened

from ..choices import AppealStatus
from .results import EstateResult


# --- appeals ---------------------------------------------------------------------------------
class Appeal(EstateScopedModel, TimeStampedModel):
    """申诉: a street clerk contests an estate's published result within the window; the
    district upholds (the inputs may then be corrected and the estate re-scored) or rejects."""

    year = models.PositiveSmallIntegerField("年度")
    result = models.ForeignKey(
        EstateResult, verbose_name="被申诉结果", on_delete=models.PROTECT, related_name="appeals"
    )
    reason = models.TextField("申诉理由")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申诉人", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("状态", max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True, validators=[happened])
    decision_note = models.TextField("处理意见", blank=True)
    history = HistoricalRecords()

    objects = ScopedManager()

    class Meta:
        verbose_name = verbose_name_plural = "考核申诉"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "year"],
                condition=Q(status="pending"),
                name="one_pending_appeal_per_estate_year",
                violation_error_message="该小区已有待处理的申诉。",
            ),
        ]

    def __str__(self):
        return f"{self.estate} {self.year}年度申诉"

    @property
    def status_colour(self):
        return AppealStatus(self.status).colour
