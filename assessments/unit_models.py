"""三级考核 (policy-defaults.md §3c): the unit scheme, one sheet per assessor and level (the city's
sheet of districts, a district's sheet of its streets, a street's sheet of its communities) and a
score row per assessed unit. Imported by assessments/models.py."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel
from core.scoping import ScopedManager
from core.validation import happened

from .choices import UnitLevel

POINTS = {"max_digits": 5, "decimal_places": 2}
ZERO = Decimal("0")


class UnitScheme(TimeStampedModel):
    """单位考核方案: the points of each item, by year of validity (data, versioned like §2)."""

    version = models.PositiveIntegerField("版本号", unique=True)
    name = models.CharField("方案名称", max_length=100)
    valid_from_year = models.PositiveSmallIntegerField("适用起始年度")
    valid_to_year = models.PositiveSmallIntegerField("适用截止年度", null=True, blank=True)
    source_document = models.CharField("依据文件文号", max_length=100)
    estate_points = models.DecimalField("老旧小区考核结果分值", default=Decimal("40"), **POINTS)
    dispute_points = models.DecimalField("矛盾纠纷处理分值", default=Decimal("20"), **POINTS)
    staffing_points = models.DecimalField("人员配备分值", default=Decimal("15"), **POINTS)
    coverage_points = models.DecimalField("管理覆盖分值", default=Decimal("15"), **POINTS)
    daily_points = models.DecimalField("日常工作分值", default=Decimal("10"), **POINTS)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "单位考核方案"
        ordering = ["-valid_from_year", "-version"]

    def __str__(self):
        return f"{self.name}（第{self.version}版）"

    @classmethod
    def for_year(cls, year: int) -> UnitScheme | None:
        return (
            cls.objects.filter(valid_from_year__lte=year)
            .filter(models.Q(valid_to_year__isnull=True) | models.Q(valid_to_year__gte=year))
            .order_by("-valid_from_year", "-version")
            .first()
        )


class UnitSheet(TimeStampedModel):
    """考核表: one assessor's assessment of its units of one level in one year (the city's of the
    districts, a district's of its streets, a street's of its communities). Signed off, it is final."""

    year = models.PositiveSmallIntegerField("年度")
    level = models.CharField("被考核层级", max_length=12, choices=UnitLevel.choices)
    sheet_key = models.CharField("考核表标识", max_length=24)
    district = models.ForeignKey(
        "communities.District",
        verbose_name="考核单位（区）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    street = models.ForeignKey(
        "communities.Street",
        verbose_name="考核单位（街道）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    scheme = models.ForeignKey(UnitScheme, verbose_name="考核方案", on_delete=models.PROTECT, related_name="sheets")
    computed_at = models.DateTimeField("计算时间", null=True, blank=True, validators=[happened])
    # The run whose roll-up the 老旧小区考核结果 item read (the year's current run when computed).
    cycle_run = models.ForeignKey(
        "assessments.CycleRun",
        verbose_name="计分批次",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="unit_sheets",
    )
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_off_at = models.DateTimeField("签批时间", null=True, blank=True, validators=[happened])
    history = HistoricalRecords()

    # A sheet is the record of one year's assessment by the units as they were: it stays with the
    # district it was made for when a street is reassigned (communities.services.moves_with_street).
    moves_with_street = False

    objects = ScopedManager()
    # A district reads its own sheet of streets and the streets' sheets of communities; the
    # city's sheet of districts (no district) is the city's.
    scope_paths = {"district": "district_id", "street": "street_id"}

    class Meta:
        verbose_name = verbose_name_plural = "单位考核表"
        ordering = ["year", "level", "sheet_key"]
        constraints = [models.UniqueConstraint(fields=["year", "sheet_key"], name="one_unit_sheet_per_year_key")]

    def __str__(self):
        return f"{self.year}年{self.assessor_name}对{self.get_level_display()}的考核"

    @property
    def assessor_name(self) -> str:
        if self.level == UnitLevel.DISTRICT:
            return "市"
        return self.street.name if self.level == UnitLevel.COMMUNITY else self.district.name

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None

    @staticmethod
    def key_for(level: str, parent_id: int | None) -> str:
        return "district" if level == UnitLevel.DISTRICT else f"{level}-{parent_id}"


class UnitScore(models.Model):
    """A unit's items and total on a sheet (policy-defaults.md §3c), with the inputs they came from."""

    sheet = models.ForeignKey(UnitSheet, verbose_name="考核表", on_delete=models.CASCADE, related_name="scores")
    year = models.PositiveSmallIntegerField("年度")
    level = models.CharField("层级", max_length=12, choices=UnitLevel.choices)
    district = models.ForeignKey("communities.District", verbose_name="区", on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey(
        "communities.Street", verbose_name="街道", null=True, on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        "communities.Community", verbose_name="社区", null=True, on_delete=models.PROTECT, related_name="+"
    )
    # inputs
    mean_score = models.DecimalField("小区面积加权平均分", null=True, max_digits=5, decimal_places=2)
    disputes_received = models.PositiveIntegerField("受理纠纷数", default=0)
    disputes_resolved = models.PositiveIntegerField("调解成功数", default=0)
    staff_counted = models.PositiveIntegerField("计入人数", default=0)
    staff_minimum = models.PositiveIntegerField("标准最少人数", default=0)
    estates = models.PositiveIntegerField("小区数", default=0)
    estates_covered = models.PositiveIntegerField("无覆盖缺口小区数", default=0)
    # items
    estate_score = models.DecimalField("老旧小区考核结果", default=ZERO, **POINTS)
    dispute_score = models.DecimalField("矛盾纠纷处理", default=ZERO, **POINTS)
    staffing_score = models.DecimalField("人员配备", default=ZERO, **POINTS)
    coverage_score = models.DecimalField("管理覆盖", default=ZERO, **POINTS)
    daily_score = models.DecimalField(
        "日常工作",
        null=True,
        blank=True,
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("10"))],
    )
    daily_comment = models.TextField("日常工作评价", blank=True)
    daily_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评分人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    total = models.DecimalField("总分", default=ZERO, max_digits=6, decimal_places=2)
    rank = models.PositiveIntegerField("排名", null=True)
    history = HistoricalRecords()

    moves_with_street = False  # as its sheet

    objects = ScopedManager()
    scope_paths = {"district": "district_id", "street": "street_id", "community": "community_id"}

    class Meta:
        verbose_name = verbose_name_plural = "单位考核得分"
        ordering = ["sheet", "rank", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sheet", "district", "street", "community"], name="one_unit_score_per_sheet"
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.unit}"

    @property
    def unit(self):
        return {"community": self.community, "street": self.street, "district": self.district}[self.level]
