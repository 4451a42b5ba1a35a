"""扶持政策 as data (policy-defaults.md §4–5): who is covered, the rates or tiers, the split."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel
from core.money import to_decimal

from ..choices import GRADE_ORDER, PolicyKind

ZERO = Decimal("0")


class PolicyQuerySet(models.QuerySet):
    def covering(self, year: int, kind: str | None = None):
        qs = self.filter(active=True, valid_from_year__lte=year).filter(
            Q(valid_to_year__isnull=True) | Q(valid_to_year__gte=year)
        )
        return qs.filter(kind=kind) if kind else qs


class Policy(TimeStampedModel):
    """扶持政策: one subsidy policy for some districts and years.

    A management policy (管理扶持资金) pays area × the rate of the estate's grade (PolicyRate);
    a start-up policy (整治后长效管理扶持) pays a total by area tier (PolicyTier) in tranches by
    `tranche_shares`, starting in the year renovation was completed. `city_share` is the city's
    part of every amount (0.25 for 1:3; 0 for a district-funded policy)."""

    kind = models.CharField("扶持类型", max_length=12, choices=PolicyKind.choices)
    name = models.CharField("政策名称", max_length=100)
    source_document = models.CharField("依据文件", max_length=200)
    valid_from_year = models.PositiveSmallIntegerField("适用起始年度")
    valid_to_year = models.PositiveSmallIntegerField(
        "适用截止年度", null=True, blank=True, help_text="留空表示长期有效。"
    )
    districts = models.ManyToManyField("communities.District", verbose_name="适用区", related_name="+")
    categories = models.JSONField("适用小区类别", default=list, help_text='如 ["renovated", "unrenovated"]')
    city_share = models.DecimalField(
        "市级承担比例",
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.25"),
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("1"))],
        help_text="1:3 即 0.25；区级自筹填 0。",
    )
    min_grade = models.CharField(
        "最低等级",
        max_length=8,
        blank=True,
        choices=[(g, g) for g in GRADE_ORDER],
        help_text="整治扶持：留空表示参加考核即可（含不达标）。",
    )
    renovated_from_year = models.PositiveSmallIntegerField("整治完成年份起", null=True, blank=True)
    renovated_to_year = models.PositiveSmallIntegerField("整治完成年份止", null=True, blank=True)
    tranche_shares = models.JSONField("分期比例", default=list, blank=True, help_text='如 ["0.50", "0.30", "0.20"]')
    active = models.BooleanField("启用", default=True)
    notes = models.TextField("说明", blank=True)
    history = HistoricalRecords(m2m_fields=[districts])

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "扶持政策"
        ordering = ["kind", "-valid_from_year", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(city_share__gte=0) & Q(city_share__lte=1),
                name="policy_city_share_0_1",
                violation_error_message="市级承担比例须在0到1之间。",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def validity_label(self) -> str:
        end = f"{self.valid_to_year}年" if self.valid_to_year else "长期"
        return f"{self.valid_from_year}年—{end}"

    def shares(self) -> list[Decimal]:
        return [to_decimal(s) for s in self.tranche_shares]

    def grade_ok(self, grade: str) -> bool:
        """Is `grade` at least the policy's minimum (no minimum: any assessed grade)?"""
        if grade not in GRADE_ORDER:
            return False
        if not self.min_grade:
            return True
        return GRADE_ORDER.index(grade) <= GRADE_ORDER.index(self.min_grade)

    def renovation_ok(self, year) -> bool:
        if year is None:
            return False
        if self.renovated_from_year and year < self.renovated_from_year:
            return False
        return not (self.renovated_to_year and year > self.renovated_to_year)


class PolicyRate(models.Model):
    """补贴标准: yuan per m² per year for a grade (a grade without a row is not eligible)."""

    policy = models.ForeignKey(Policy, verbose_name="扶持政策", on_delete=models.CASCADE, related_name="rates")
    grade = models.CharField("考核等级", max_length=8, choices=[(g, g) for g in GRADE_ORDER])
    rate = models.DecimalField(
        "补贴标准(元/㎡·年)", max_digits=8, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "补贴标准"
        ordering = ["policy", "-rate"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "grade"],
                name="uniq_policy_rate_grade",
                violation_error_message="同一政策中每个等级只能有一个标准。",
            )
        ]

    def __str__(self):
        return f"{self.grade} {self.rate}元/㎡"


class PolicyTier(models.Model):
    """扶持档次: an estate of at least `min_area` m² (up to the next tier) gets `total_fen`."""

    policy = models.ForeignKey(Policy, verbose_name="扶持政策", on_delete=models.CASCADE, related_name="tiers")
    min_area = models.DecimalField(
        "建筑面积下限(㎡，含)", max_digits=12, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    total_fen = models.BigIntegerField("扶持总额（分）", validators=[MinValueValidator(0)])
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "扶持档次"
        ordering = ["policy", "min_area"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "min_area"],
                name="uniq_policy_tier",
                violation_error_message="同一政策中面积下限不能重复。",
            )
        ]

    def __str__(self):
        return f"≥{self.min_area}㎡ → {self.total_fen / 100:.2f}元"


class StartupGrant(models.Model):
    """整治扶持核定: the start-up total of one estate, fixed the first time a tranche of it was
    computed (policy-defaults.md §5) and kept for the later tranches whatever the area becomes.
    A computed record of the run that fixed it, never edited by hand: a later run of the same
    year re-derives it (docs/subsidies.md), so a superseded run leaves no stale total behind."""

    estate = models.OneToOneField("communities.Estate", verbose_name="小区", on_delete=models.PROTECT, related_name="+")
    policy = models.ForeignKey(Policy, verbose_name="扶持政策", on_delete=models.PROTECT, related_name="grants")
    renovation_year = models.PositiveSmallIntegerField("整治完成年份")
    area = models.DecimalField("核定面积(㎡)", max_digits=12, decimal_places=2)
    total_fen = models.BigIntegerField("扶持总额（分）")
    fixed_year = models.PositiveSmallIntegerField("核定年度")
    run = models.ForeignKey(
        "assessments.CycleRun",
        verbose_name="核定所依据的计分",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("核定时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "整治扶持核定"

    def __str__(self):
        return f"{self.estate} {self.total_fen / 100:.2f}元"
