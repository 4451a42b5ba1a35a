"""The yearly cycle: its runs (考核计分任务), estate results and unit roll-ups."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from communities.choices import EstateCategory
from communities.models import EstateScopedModel
from core.models import ACTIVE_JOB_STATUSES, JobBase
from core.scoping import ScopedManager
from core.validation import happened

from ..choices import Grade, RunKind, UnitLevel
from .fields import SCORE, ZERO


# --- the cycle -------------------------------------------------------------------------------
class CycleRun(JobBase):
    """考核计分任务: one run of a year's cycle (a job row; the Celery task gets only its id).

    When it succeeds its results become the current ones of the year; the earlier run is kept,
    superseded. A run of kind `appeal` re-scores one estate (an upheld appeal) and carries
    every other estate's result over from the run it supersedes."""

    year = models.PositiveSmallIntegerField("年度", db_index=True)
    scheme = models.ForeignKey(
        "assessments.Scheme", verbose_name="考核方案", on_delete=models.PROTECT, related_name="runs"
    )
    kind = models.CharField("类型", max_length=8, choices=RunKind.choices, default=RunKind.FULL)
    rescore_estate = models.ForeignKey(
        "communities.Estate", verbose_name="复核小区", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appeal = models.ForeignKey(
        "Appeal", verbose_name="申诉", null=True, blank=True, on_delete=models.PROTECT, related_name="runs"
    )
    based_on = models.ForeignKey(
        "self", verbose_name="复核所依据的计分", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_current = models.BooleanField("当前有效", default=False)
    superseded_at = models.DateTimeField("被替代时间", null=True, blank=True, validators=[happened])
    estates_total = models.PositiveIntegerField("小区数", default=0)
    estates_assessed = models.PositiveIntegerField("参加考核小区数", default=0)
    grade_counts = models.JSONField("各等级小区数", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核计分任务"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "lease_expires_at"], name="cyclerun_status_lease_idx")]
        constraints = [
            # Ten simultaneous starts give exactly one run: the database refuses the others.
            models.UniqueConstraint(
                fields=["year"],
                condition=Q(status__in=[s.value for s in ACTIVE_JOB_STATUSES]),
                name="one_active_cycle_run_per_year",
                violation_error_message="该年度已有计分任务正在进行。",
            ),
            models.UniqueConstraint(
                fields=["year"],
                condition=Q(is_current=True),
                name="one_current_cycle_run_per_year",
                violation_error_message="每个年度只能有一次当前有效的计分。",
            ),
        ]

    def __str__(self):
        return f"{self.year}年度考核计分 #{self.pk}"

    @property
    def title(self) -> str:
        if self.kind == RunKind.APPEAL and self.rescore_estate_id:
            return f"{self.year}年度申诉复核计分（{self.rescore_estate}）"
        return f"{self.year}年度考核计分"


class EstateResult(EstateScopedModel):
    """小区考核结果 of one run: the four indicators, the total and the grade — or 未参加考核 —
    with the inputs used (policy-defaults.md §2). Computed rows: never edited."""

    # A run writes a result for every estate of the city, so each index and each foreign-key
    # check counts hundreds of thousands of times: the scope ids (derived from the estate) and
    # the run carry no constraint and no index of their own; the partial indexes on current
    # rows below serve the scoped reads, (run, estate) the reads of one run.
    run = models.ForeignKey(
        CycleRun,
        verbose_name="计分任务",
        on_delete=models.CASCADE,
        related_name="results",
        db_index=False,
        db_constraint=False,
    )
    district = models.ForeignKey(
        "communities.District",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,
        db_constraint=False,
    )
    street = models.ForeignKey(
        "communities.Street",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,
        db_constraint=False,
    )
    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,
        db_constraint=False,
    )
    # The estate keeps its constraint; its index is the partial unique one on current rows and
    # the (run, estate) one.
    estate = models.ForeignKey(
        "communities.Estate", verbose_name="小区", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    year = models.PositiveSmallIntegerField("年度")
    is_current = models.BooleanField("当前有效", default=False)
    assessed = models.BooleanField("参加考核", default=False)
    management = models.DecimalField("管理水平", null=True, **SCORE)
    effectiveness = models.DecimalField("效能效果", null=True, **SCORE)
    fee = models.DecimalField("物业费收缴", null=True, **SCORE)
    size = models.DecimalField("小区规模", null=True, **SCORE)
    total = models.DecimalField("考核得分", null=True, **SCORE)
    grade = models.CharField("考核等级", max_length=8, choices=Grade.choices)
    # inputs used
    scheme_version = models.PositiveIntegerField("方案版本")
    category = models.CharField("类别", max_length=16, choices=EstateCategory.choices)
    building_area = models.DecimalField("建筑面积(㎡)", max_digits=12, decimal_places=2)
    renovation_year = models.PositiveSmallIntegerField("整治完成年份", null=True)
    inspections_counted = models.PositiveIntegerField("计入检查次数", default=0)
    inspections_total_tenths = models.PositiveBigIntegerField("计入检查合计（0.1分）", default=0)
    fee_rate = models.DecimalField("物业费收缴率(%)", max_digits=5, decimal_places=2, null=True)
    disputes_received = models.PositiveIntegerField("受理纠纷数", default=0)
    disputes_resolved = models.PositiveIntegerField("调解成功数", default=0)
    repairs_reported = models.PositiveIntegerField("报修数", default=0)
    repairs_on_time = models.PositiveIntegerField("按时完成数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "小区考核结果"
        ordering = ["estate_id"]
        indexes = [
            models.Index(fields=["year", "district"], name="result_current_district_idx", condition=Q(is_current=True)),
            models.Index(fields=["year", "street"], name="result_current_street_idx", condition=Q(is_current=True)),
            models.Index(
                fields=["year", "community"], name="result_current_community_idx", condition=Q(is_current=True)
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "year"],
                condition=Q(is_current=True),
                name="one_current_result_per_estate_year",
                violation_error_message="每个小区每个年度只能有一条当前有效的考核结果。",
            ),
            models.UniqueConstraint(
                fields=["run", "estate"],
                name="one_result_per_run_estate",
                violation_error_message="同一计分任务中每个小区只有一条结果。",
            ),
            models.CheckConstraint(
                condition=Q(total__isnull=True) | (Q(total__gte=0) & Q(total__lte=100)),
                name="result_total_0_100",
                violation_error_message="考核得分须在0到100之间。",
            ),
        ]

    def __str__(self):
        return f"{self.estate} {self.year}：{self.grade}"

    @property
    def grade_colour(self):
        return Grade(self.grade).colour


class UnitResult(models.Model):
    """社区/街道/区 roll-up of a run (policy-defaults.md §3b): counts per grade, the
    area-weighted mean score over assessed estates and the rank among siblings."""

    run = models.ForeignKey(CycleRun, verbose_name="计分任务", on_delete=models.CASCADE, related_name="unit_results")
    year = models.PositiveSmallIntegerField("年度")
    is_current = models.BooleanField("当前有效", default=False)
    level = models.CharField("层级", max_length=12, choices=UnitLevel.choices)
    unit_key = models.CharField("单位标识", max_length=24)
    district = models.ForeignKey("communities.District", verbose_name="区", on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey(
        "communities.Street", verbose_name="街道", null=True, on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        "communities.Community", verbose_name="社区", null=True, on_delete=models.PROTECT, related_name="+"
    )
    estates = models.PositiveIntegerField("小区数", default=0)
    assessed = models.PositiveIntegerField("参加考核数", default=0)
    three_star = models.PositiveIntegerField("三星", default=0)
    two_star = models.PositiveIntegerField("二星", default=0)
    one_star = models.PositiveIntegerField("一星", default=0)
    fail = models.PositiveIntegerField("不达标", default=0)
    not_assessed = models.PositiveIntegerField("未参加考核", default=0)
    assessed_area = models.DecimalField("参加考核建筑面积(㎡)", max_digits=16, decimal_places=2, default=ZERO)
    mean_score = models.DecimalField("面积加权平均分", null=True, **SCORE)
    rank = models.PositiveIntegerField("排名", null=True)

    objects = ScopedManager()
    scope_paths = {"district": "district_id", "street": "street_id", "community": "community_id"}

    class Meta:
        verbose_name = verbose_name_plural = "单位考核汇总"
        ordering = ["level", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["run", "unit_key"], name="one_unit_result_per_run"),
            models.UniqueConstraint(
                fields=["year", "unit_key"],
                condition=Q(is_current=True),
                name="one_current_unit_result_per_year",
                violation_error_message="每个单位每个年度只能有一条当前有效的汇总。",
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.unit}"

    @property
    def unit(self):
        return {"community": self.community, "street": self.street, "district": self.district}[self.level]
