"""District refinements (细化分解) of a city scheme's checklist, clause 十 of the notice: the city
sets the classification standards, a district may break an item down further. The logic is in
assessments/refinements.py; docs/assessments.md "District refinements" describes the rules."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from communities.choices import EstateCategory
from core.models import TimeStampedModel
from core.scoping import ScopedManager
from core.validation import happened

from .choices import RefinementStatus


class Refinement(TimeStampedModel):
    """细化分解方案 (district refinement): one version of a district's breakdown of the checklist
    of one city scheme version, in force from `valid_from_year` (while that scheme covers the
    year) until a later approved version of the district takes over. Prepared by a district
    officer, approved by another one of the same district; an approved one is never edited in
    place (a change is a new version), and one that a closed year used is frozen."""

    district = models.ForeignKey("communities.District", verbose_name="区", on_delete=models.PROTECT, related_name="+")
    scheme = models.ForeignKey(
        "assessments.Scheme", verbose_name="市考核方案版本", on_delete=models.PROTECT, related_name="refinements"
    )
    version = models.PositiveIntegerField("版本号")
    valid_from_year = models.PositiveSmallIntegerField("生效年度")
    status = models.CharField("状态", max_length=12, choices=RefinementStatus.choices, default=RefinementStatus.DRAFT)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="编制人", on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField("批准时间", null=True, blank=True, validators=[happened])
    note = models.CharField("说明", max_length=200, blank=True)
    history = HistoricalRecords()

    objects = ScopedManager()
    # The city and the district's own roles read it; streets see its sub-items in their checklist.
    scope_paths = {"district": "district_id"}

    class Meta:
        verbose_name = verbose_name_plural = "细化分解方案"
        ordering = ["district", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "version"],
                name="uniq_refinement_version",
                violation_error_message="该区已有同一版本号的细化方案。",
            ),
        ]

    def __str__(self):
        return f"{self.district.name}细化方案（第{self.version}版）"

    @property
    def status_colour(self):
        return RefinementStatus(self.status).colour


class SubItem(models.Model):
    """细化子项: one part of a city checklist item (per estate category, since an item's maximum
    is the category's) in a district refinement. The points of an item's sub-items add up to
    the item's maximum exactly; an inspection's item score is the sum of its sub-item scores."""

    refinement = models.ForeignKey(
        Refinement, verbose_name="细化方案", on_delete=models.CASCADE, related_name="sub_items"
    )
    category = models.CharField("小区类别", max_length=16, choices=EstateCategory.choices)
    item_code = models.SlugField("市检查项目代码", max_length=32)
    number = models.PositiveSmallIntegerField("序号")
    name = models.CharField("子项名称", max_length=20)
    description = models.CharField("子项说明", max_length=200, blank=True)
    max_points = models.DecimalField(
        "满分", max_digits=4, decimal_places=1, validators=[MinValueValidator(Decimal("0.1"))]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "细化子项"
        ordering = ["refinement", "category", "item_code", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["refinement", "category", "item_code", "number"],
                name="uniq_sub_item",
                violation_error_message="同一项目下子项序号不能重复。",
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.max_points}分）"

    @property
    def code(self) -> str:
        """The key of its score in Inspection.scores: the item code, a dot, the number. A slug
        has no dot, so it can never be taken for a city item's code."""
        return f"{self.item_code}.{self.number}"
