"""Inspections (检查), their photos, and fee collection rates (物业费收缴率)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from communities.models import EstateScopedModel
from core.locking import VersionedModel
from core.models import TimeStampedModel
from core.scoping import ScopedManager
from core.validation import happened

from ..choices import InspectionSource, InspectionStatus
from .fields import ZERO


# --- inspections and fee rates ----------------------------------------------------------------
def photo_upload_path(instance, filename):
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"inspections/{timezone.now():%Y/%m}/{instance.inspection_id or 'new'}-{timezone.now():%H%M%S%f}.{ext}"


class Inspection(EstateScopedModel, VersionedModel, TimeStampedModel):
    """检查记录: one inspection of an estate against its category's checklist.

    `version` (core.locking) moves on every save: an edit or a review from a page opened
    before someone else's change is refused, not silently applied.

    `scores` maps item code → score text ("14.5"); `total_tenths` is their sum in tenths of a
    point, an integer so that the cycle can sum it exactly on every database."""

    year = models.PositiveSmallIntegerField("年度", editable=False)
    date = models.DateField("检查日期", validators=[happened])
    inspector_name = models.CharField("检查人", max_length=50)
    source = models.CharField(
        "检查类型", max_length=16, choices=InspectionSource.choices, default=InspectionSource.STREET
    )
    status = models.CharField("状态", max_length=12, choices=InspectionStatus.choices, default=InspectionStatus.DRAFT)
    scores = models.JSONField("各项得分", default=dict)
    total_tenths = models.PositiveIntegerField("合计（0.1分）", default=0)
    note = models.CharField("备注", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True, validators=[happened])
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True, validators=[happened])
    review_note = models.CharField("审核意见", max_length=500, blank=True)
    history = HistoricalRecords(excluded_fields=["version"])

    # Drafts are their author's (and their street's) until submitted (core.scoping).
    scope_draft = {"status": InspectionStatus.DRAFT}

    objects = ScopedManager()

    class Meta:
        verbose_name = verbose_name_plural = "检查记录"
        ordering = ["-date", "-id"]
        indexes = [
            # The cycle reads one year and a range of estate ids; status and total ride along
            # so the grouped read is an index-only scan.
            models.Index(fields=["year", "estate", "status", "total_tenths"], name="insp_year_estate_idx"),
            models.Index(fields=["district", "-date"], name="insp_district_date_idx"),
            models.Index(fields=["street", "-date"], name="insp_street_date_idx"),
            models.Index(fields=["status", "district"], name="insp_status_district_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(review_note=""),
                name="inspection_reject_has_reason",
                violation_error_message="退回必须填写原因。",
            ),
        ]

    def __str__(self):
        return f"{self.estate} · {self.date}"

    @property
    def total(self) -> Decimal:
        return (Decimal(self.total_tenths) / 10).quantize(Decimal("0.1"))

    @property
    def status_colour(self):
        return InspectionStatus(self.status).colour

    def save(self, *args, **kwargs):
        self.year = self.date.year
        super().save(*args, **kwargs)


class InspectionPhoto(models.Model):
    """现场照片, stored with the time it was taken (from the photo's EXIF, else the upload)."""

    inspection = models.ForeignKey(Inspection, verbose_name="检查记录", on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField("照片", upload_to=photo_upload_path, max_length=300)
    taken_at = models.DateTimeField("拍摄时间", validators=[happened])
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "检查照片"
        ordering = ["taken_at", "id"]

    def __str__(self):
        return f"{self.inspection} 照片"


class FeeRate(EstateScopedModel, TimeStampedModel):
    """物业费收缴率: an estate's yearly property-fee collection rate in per cent."""

    year = models.PositiveSmallIntegerField("年度")
    rate = models.DecimalField(
        "物业费收缴率(%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="填报人", on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    objects = ScopedManager()

    class Meta:
        verbose_name = verbose_name_plural = "物业费收缴率"
        ordering = ["-year", "estate__code"]
        indexes = [models.Index(fields=["year", "estate", "rate"], name="feerate_year_estate_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "year"],
                name="uniq_fee_rate_estate_year",
                violation_error_message="该小区该年度已填报收缴率。",
            ),
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(rate__lte=100),
                name="fee_rate_0_100",
                violation_error_message="收缴率须在0到100之间。",
            ),
        ]

    def __str__(self):
        return f"{self.estate} {self.year}：{self.rate}%"
