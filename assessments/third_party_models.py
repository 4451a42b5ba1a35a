"""第三方评估 (clause 十): the city or a district commissions an evaluator for a year; the
platform draws the estates it evaluates; a district reviews the streets whose own scores run
higher than the evaluator's. The logic is in assessments/third_party.py."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from communities.choices import EstateCategory
from communities.models import EstateScopedModel
from core.models import TimeStampedModel
from core.scoping import ScopedManager
from core.validation import happened, plausible_date

from .choices import DeviationConclusion, EngagementStatus


class Engagement(TimeStampedModel):
    """第三方评估委托: an evaluator organisation engaged by the city (district empty) or by a
    district for one year, over the estates of `districts` — all of them, a stratified sample
    (`sample_percent`, drawn from `seed`), or the estates named — for a period and a contract
    amount. Its evaluator users see exactly the sampled estates (EngagementEstate)."""

    year = models.PositiveSmallIntegerField("评估年度")
    organisation = models.CharField("评估机构", max_length=100)
    contract_no = models.CharField("合同编号", max_length=50, blank=True)
    commissioned_by_district = models.ForeignKey(
        "communities.District",
        verbose_name="委托单位（区）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="留空表示市房产局委托。",
    )
    districts = models.ManyToManyField("communities.District", verbose_name="评估范围（区）", related_name="+")
    evaluators = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="评估人员账户", related_name="+")
    start_date = models.DateField("评估期起", validators=[plausible_date])
    end_date = models.DateField("评估期止", validators=[plausible_date])
    contract_amount_fen = models.BigIntegerField("合同金额（分）", validators=[MinValueValidator(0)])
    # Empty: the estates were named one by one (EngagementEstate rows as entered).
    sample_percent = models.DecimalField(
        "抽样比例(%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    seed = models.BigIntegerField("抽样种子", null=True, blank=True, validators=[MinValueValidator(0)])
    status = models.CharField("状态", max_length=12, choices=EngagementStatus.choices, default=EngagementStatus.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="撤销人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancelled_at = models.DateTimeField("撤销时间", null=True, blank=True, validators=[happened])
    cancel_reason = models.CharField("撤销原因", max_length=200, blank=True)
    history = HistoricalRecords()

    objects = ScopedManager()
    # A district sees the engagements that cover it; streets, communities and the evaluators do
    # not see the engagement at all: the sample is not announced to those it assesses.
    scope_paths = {"district": "districts__id"}

    class Meta:
        verbose_name = verbose_name_plural = "第三方评估委托"
        ordering = ["-year", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="engagement_period_order",
                violation_error_message="评估期止不能早于评估期起。",
            ),
            models.CheckConstraint(
                condition=Q(contract_amount_fen__gte=0),
                name="engagement_amount_not_negative",
                violation_error_message="合同金额不能为负数。",
            ),
        ]

    def __str__(self):
        return f"{self.year}年度第三方评估（{self.organisation}）"

    @property
    def commissioner_label(self) -> str:
        return f"{self.commissioned_by_district.name}房产局" if self.commissioned_by_district_id else "市房产局"

    @property
    def status_colour(self):
        return EngagementStatus(self.status).colour

    @property
    def is_sampled(self) -> bool:
        return self.sample_percent is not None


class EngagementEstate(EstateScopedModel):
    """抽样小区: one estate an engagement evaluates, with its category and street when drawn
    (the strata of the sample)."""

    engagement = models.ForeignKey(Engagement, verbose_name="委托", on_delete=models.CASCADE, related_name="sample")
    category = models.CharField("小区类别", max_length=16, choices=EstateCategory.choices)

    class Meta:
        verbose_name = verbose_name_plural = "第三方评估小区"
        ordering = ["engagement", "street_id", "estate_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "estate"],
                name="uniq_engagement_estate",
                violation_error_message="该小区已在此委托的评估范围内。",
            ),
        ]

    def __str__(self):
        return f"{self.engagement} · {self.estate}"


class DeviationReview(TimeStampedModel):
    """偏差复核: a district's conclusion on a street the deviation report flags as grading its
    own estates significantly higher than the third party (one per street and year)."""

    year = models.PositiveSmallIntegerField("年度")
    district = models.ForeignKey("communities.District", verbose_name="区", on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey("communities.Street", verbose_name="街道", on_delete=models.PROTECT, related_name="+")
    conclusion = models.CharField("复核结论", max_length=12, choices=DeviationConclusion.choices)
    note = models.TextField("复核意见")
    # The figures the district saw when it concluded (the report moves as inspections are reviewed).
    compared_estates = models.PositiveIntegerField("对比小区数", default=0)
    mean_difference = models.DecimalField("平均差", max_digits=6, decimal_places=2, default=Decimal("0"))
    p_value = models.DecimalField("p值", max_digits=7, decimal_places=5, null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="复核人", on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    objects = ScopedManager()
    scope_paths = {"district": "district_id"}

    class Meta:
        verbose_name = verbose_name_plural = "偏差复核"
        ordering = ["-year", "street_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "street"],
                name="uniq_deviation_review_year_street",
                violation_error_message="该街道该年度已复核。",
            ),
        ]

    def __str__(self):
        return f"{self.year}年度 {self.street} 偏差复核"
