"""考核: schemes (as data), inspections, fee collection rates, the yearly cycle and its results.

Policy numbers live in rows (policy-defaults.md §1–3): a Scheme with its checklist items per
estate category, its indicator points, its fee and size bands and its grade bands. The cycle
reads them, never constants.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from communities.choices import EstateCategory
from communities.models import EstateScopedModel
from core.locking import VersionedModel
from core.models import ACTIVE_JOB_STATUSES, JobBase, TimeStampedModel
from core.scoping import ScopedManager
from core.validation import happened, plausible_date

from .choices import (
    AppealStatus,
    BandKind,
    Grade,
    InspectionSource,
    InspectionStatus,
    RunKind,
    ThirdPartyRule,
    UnitLevel,
    YearStatus,
)

SCORE = {"max_digits": 5, "decimal_places": 2}
ZERO = Decimal("0")


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


# --- the year --------------------------------------------------------------------------------
class AssessmentYear(TimeStampedModel):
    """考核年度: open → published (公示, appeals until the deadline) → closed (frozen).
    A closed year is reopened by city_admin with a reason; every step is a YearEvent."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    status = models.CharField("状态", max_length=12, choices=YearStatus.choices, default=YearStatus.OPEN)
    published_at = models.DateTimeField("公示时间", null=True, blank=True, validators=[happened])
    appeal_deadline = models.DateField(
        "申诉截止日", null=True, blank=True, help_text="当日24时（北京时间）截止。", validators=[plausible_date]
    )
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True, validators=[happened])
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "考核年度"
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}年度"

    @property
    def status_colour(self):
        return YearStatus(self.status).colour

    @property
    def appeal_deadline_moment(self) -> dt.datetime | None:
        """The first instant after the window: midnight after the deadline day, Asia/Shanghai."""
        if self.appeal_deadline is None:
            return None
        from zoneinfo import ZoneInfo

        nxt = self.appeal_deadline + dt.timedelta(days=1)
        return dt.datetime(nxt.year, nxt.month, nxt.day, tzinfo=ZoneInfo("Asia/Shanghai"))

    def appeal_window_open(self, now=None) -> bool:
        if self.status != YearStatus.PUBLISHED or self.appeal_deadline is None:
            return False
        return (now or timezone.now()) < self.appeal_deadline_moment

    @property
    def is_closed(self) -> bool:
        return self.status == YearStatus.CLOSED


class YearEvent(models.Model):
    """A recorded step of a year: publication, closing, reopening (with its reason), re-scoring."""

    year = models.ForeignKey(AssessmentYear, verbose_name="年度", on_delete=models.CASCADE, related_name="events")
    action = models.CharField(
        "操作",
        max_length=20,
        choices=[
            ("publish", "公示"),
            ("close", "关闭"),
            ("reopen", "重新开放"),
            ("rescore", "申诉复核重新计分"),
        ],
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", default=timezone.now, validators=[happened])
    reason = models.TextField("原因", blank=True)
    # The object an event names (a re-scoring names its appeal, hence an estate) is a link, not
    # text in `reason`, so that the year page names it only to users whose scope holds it.
    appeal = models.ForeignKey(
        "Appeal", verbose_name="申诉", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "年度操作记录"
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.year} {self.get_action_display()}"


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


# --- the cycle -------------------------------------------------------------------------------
class CycleRun(JobBase):
    """考核计分任务: one run of a year's cycle (a job row; the Celery task gets only its id).

    When it succeeds its results become the current ones of the year; the earlier run is kept,
    superseded. A run of kind `appeal` re-scores one estate (an upheld appeal) and carries
    every other estate's result over from the run it supersedes."""

    year = models.PositiveSmallIntegerField("年度", db_index=True)
    scheme = models.ForeignKey(Scheme, verbose_name="考核方案", on_delete=models.PROTECT, related_name="runs")
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


# --- reminders -------------------------------------------------------------------------------
class Notice(models.Model):
    """站内提醒 for city_admin (the 15 January reminder with its readiness report)."""

    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("标题", max_length=200)
    report = models.JSONField("准备情况", default=dict)
    created_at = models.DateTimeField("时间", default=timezone.now, validators=[happened])
    dismissed_at = models.DateTimeField("已读时间", null=True, blank=True, validators=[happened])

    class Meta:
        verbose_name = verbose_name_plural = "考核提醒"
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


# 三级考核 (policy-defaults.md §3c), 第三方评估 and 细化分解 (clause 十): their own modules,
# imported here so Django registers them.
from .refinement_models import Refinement, SubItem  # noqa: E402,F401
from .third_party_models import DeviationReview, Engagement, EngagementEstate  # noqa: E402,F401
from .unit_models import UnitScheme, UnitScore, UnitSheet  # noqa: E402,F401
