"""区级目标 (clause 一(二)): each district's yearly targets, set by the city."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel
from core.scoping import ScopedManager

from ..choices import TargetIndicator


class DistrictTarget(TimeStampedModel):
    """One yearly target of a district; its progress is computed (staffing/targets.py)."""

    district = models.ForeignKey("communities.District", verbose_name="区", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    indicator = models.CharField("指标", max_length=20, choices=TargetIndicator.choices)
    target = models.DecimalField(
        "目标值(%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    note = models.CharField("说明", max_length=200, blank=True)
    history = HistoricalRecords()

    objects = ScopedManager()
    scope_paths = {"district": "district_id"}

    class Meta:
        verbose_name = verbose_name_plural = "区级目标"
        ordering = ["year", "district__code", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "year", "indicator"],
                name="one_target_per_indicator",
                violation_error_message="该区该年度已设定此项目标。",
            )
        ]

    def __str__(self):
        return f"{self.district} {self.year} {self.get_indicator_display()}"
