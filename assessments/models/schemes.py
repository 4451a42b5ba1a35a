"""考核方案 as data: schemes, their checklist items, fee and size bands, grade bands."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from communities.choices import EstateCategory
from core.models import TimeStampedModel

from ..choices import BandKind, Grade, ThirdPartyRule, YearStatus
from .fields import SCORE, ZERO
from .results import CycleRun
from .years import AssessmentYear


# --- schemes ---------------------------------------------------------------------------------
class SchemeQuerySet(models.QuerySet):
    def for_year(self, year: int):
        """The scheme whose validity includes `year` (at most one: validity ranges never overlap)."""
        return (
            self.filter(valid_from_year__lte=year)
            .filter(Q(valid_to_year__isnull=True) | Q(valid_to_year__gte=year))
            .order_by("-valid_from_year")
            .first()
        )


class Scheme(TimeStampedModel):
    """考核方案: one version of the estate assessment (policy-defaults.md §2), as data.

    The management indicator is the mean inspection total scaled to `management_points`; the
    effectiveness indicator weighs the dispute and repair ratios, and — when
    `satisfaction_points` is above 0 — the residents' satisfaction rate (满意率, issue 17); fee
    collection and estate size score by bands (SchemeBand); the total is graded by GradeBand
    rows."""

    version = models.PositiveIntegerField("版本号", unique=True)
    name = models.CharField("方案名称", max_length=100)
    valid_from_year = models.PositiveSmallIntegerField("适用起始年度")
    valid_to_year = models.PositiveSmallIntegerField(
        "适用截止年度", null=True, blank=True, help_text="留空表示长期有效。"
    )
    source_document = models.CharField("依据文件文号", max_length=100)
    management_points = models.DecimalField("管理水平分值", default=Decimal("50"), **SCORE)
    dispute_points = models.DecimalField("效能效果：矛盾纠纷调解分值", default=Decimal("10"), **SCORE)
    repair_points = models.DecimalField("效能效果：应急维修及时分值", default=Decimal("10"), **SCORE)
    # 0 in the shipped scheme: the indicator is optional, and existing schemes score as before.
    satisfaction_points = models.DecimalField(
        "效能效果：满意度分值",
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
        help_text="按年度已评价案件的满意率（满意+基本满意）计分；0 表示不计满意度。",
        **SCORE,
    )
    appeal_window_days = models.PositiveSmallIntegerField(
        "申诉期（自然日）",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="公示当日为第0日，至第N个自然日24时止（北京时间）。",
    )
    frozen = models.BooleanField("已冻结", default=False, help_text="已关闭年度的考核使用过的方案不得修改。")
    # 第三方评估 (clause 十; docs/assessments.md "Third-party evaluation"): how its inspections
    # count, and when the deviation report calls a street's own scores too high.
    third_party_rule = models.CharField(
        "第三方评估计分规则",
        max_length=12,
        choices=ThirdPartyRule.choices,
        default=ThirdPartyRule.AVERAGE,
    )
    deviation_threshold = models.DecimalField(
        "偏高阈值（分）",
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
        help_text="街道检查得分高于第三方超过该分值的小区计为偏高小区。",
    )
    deviation_alpha = models.DecimalField(
        "偏高检验显著性水平",
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.05"),
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("0.5"))],
        help_text="单侧配对t检验的p值低于该水平时判定街道偏高。",
    )
    notes = models.TextField("说明", blank=True)
    history = HistoricalRecords()

    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "考核方案"
        ordering = ["-version"]

    def __str__(self):
        return f"{self.name}（第{self.version}版）"

    @property
    def validity_label(self) -> str:
        end = f"{self.valid_to_year}年" if self.valid_to_year else "长期"
        return f"{self.valid_from_year}年—{end}"

    def covers(self, year: int) -> bool:
        return self.valid_from_year <= year and (self.valid_to_year is None or year <= self.valid_to_year)

    def is_locked(self) -> bool:
        """Frozen, or used by a run of a year that is closed (its results must never change)."""
        if self.frozen:
            return True
        closed = AssessmentYear.objects.filter(status=YearStatus.CLOSED).values("year")
        return CycleRun.objects.filter(scheme=self, year__in=closed).exists()


class ChecklistItem(models.Model):
    """检查项目: one item of a category's inspection checklist (policy-defaults.md §1)."""

    scheme = models.ForeignKey(Scheme, verbose_name="考核方案", on_delete=models.CASCADE, related_name="items")
    category = models.CharField("小区类别", max_length=16, choices=EstateCategory.choices)
    code = models.SlugField("项目代码", max_length=32)
    name = models.CharField("项目名称", max_length=20)
    max_points = models.DecimalField(
        "满分", max_digits=4, decimal_places=1, validators=[MinValueValidator(Decimal("0.1"))]
    )
    position = models.PositiveSmallIntegerField("顺序", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "检查项目"
        ordering = ["scheme", "category", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "category", "code"],
                name="uniq_checklist_item",
                violation_error_message="同一类别下项目代码不能重复。",
            )
        ]

    def __str__(self):
        return f"{self.name}（{self.max_points}分）"


class SchemeBand(models.Model):
    """分档: ≥ threshold scores `points` (fee collection rate in %, or building area in m²).
    Below the lowest threshold — or no rate reported — scores 0."""

    scheme = models.ForeignKey(Scheme, verbose_name="考核方案", on_delete=models.CASCADE, related_name="bands")
    kind = models.CharField("分档类型", max_length=8, choices=BandKind.choices)
    threshold = models.DecimalField("下限（含）", max_digits=12, decimal_places=2, validators=[MinValueValidator(ZERO)])
    points = models.DecimalField("得分", validators=[MinValueValidator(ZERO)], **SCORE)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "评分分档"
        ordering = ["scheme", "kind", "-threshold"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "kind", "threshold"],
                name="uniq_scheme_band",
                violation_error_message="同一分档类型下限不能重复。",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ≥{self.threshold} → {self.points}"


class GradeBand(models.Model):
    """等级划分 (policy-defaults.md §3): a total ≥ min_score gets `grade`."""

    scheme = models.ForeignKey(Scheme, verbose_name="考核方案", on_delete=models.CASCADE, related_name="grade_bands")
    min_score = models.DecimalField(
        "最低分（含）", validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))], **SCORE
    )
    grade = models.CharField(
        "等级", max_length=8, choices=[(g.value, g.label) for g in Grade if g != Grade.NOT_ASSESSED]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "等级划分"
        ordering = ["scheme", "-min_score"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "grade"], name="uniq_grade_band", violation_error_message="同一方案中等级不能重复。"
            ),
            models.UniqueConstraint(
                fields=["scheme", "min_score"],
                name="uniq_grade_band_score",
                violation_error_message="同一方案中最低分不能重复。",
            ),
        ]

    def __str__(self):
        return f"≥{self.min_score} {self.grade}"
