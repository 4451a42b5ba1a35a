"""Reference data: time limits per case type, category and urgency, and the dated list of the
departments of joint enforcement. Both are policy as data (loaded by data migrations, edited by
city_admin, each row with its source and validity)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from core.validation import plausible_date

from ..choices import CaseType, Urgency


class TimeLimit(models.Model):
    """处理时限: how long a case of this type (and category, and urgency) may stay open.

    A row with an empty category is the default of its type and urgency; a row naming a
    category overrides it for that category. The limit in force on the day a case is received
    fixes its deadline (expected_datetime), stored on the case: a later change of the table
    applies to new cases only."""

    case_type = models.CharField("案件类型", max_length=16, choices=CaseType.choices)
    category = models.CharField(
        "类别", max_length=32, blank=True, help_text="留空表示该类型的默认时限；填写类别代码则仅适用于该类别。"
    )
    urgency = models.CharField(
        "紧急程度",
        max_length=16,
        choices=Urgency.choices,
        blank=True,
        help_text="应急维修按紧急程度区分；矛盾纠纷留空。",
    )
    hours = models.PositiveIntegerField("时限(小时)")
    valid_from = models.DateField(
        "起始日期", null=True, blank=True, help_text="留空表示不限。", validators=[plausible_date]
    )
    valid_to = models.DateField(
        "截止日期", null=True, blank=True, help_text="留空表示至今有效。", validators=[plausible_date]
    )
    source = models.CharField("依据", max_length=200)
    note = models.CharField("说明", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "处理时限"
        ordering = ["case_type", "urgency", "category", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0), name="timelimit_hours_positive", violation_error_message="时限必须大于0小时。"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="timelimit_valid_range",
                violation_error_message="截止日期不能早于起始日期。",
            ),
            models.CheckConstraint(
                condition=(Q(case_type=CaseType.REPAIR) & ~Q(urgency=""))
                | (Q(case_type=CaseType.DISPUTE) & Q(urgency="")),
                name="timelimit_urgency_by_type",
                violation_error_message="应急维修时限须指定紧急程度，矛盾纠纷时限不区分紧急程度。",
            ),
        ]

    def __str__(self):
        parts = [self.get_case_type_display()]
        if self.category:
            parts.append(self.category_label)
        if self.urgency:
            parts.append(self.get_urgency_display())
        return " · ".join(parts) + f"：{self.limit_text}"

    @property
    def category_label(self) -> str:
        from ..choices import DisputeCategory, RepairCategory

        choices = DisputeCategory if self.case_type == CaseType.DISPUTE else RepairCategory
        return dict(choices.choices).get(self.category, self.category) if self.category else "全部类别"

    @property
    def limit_text(self) -> str:
        return limit_text(self.hours)


def limit_text(hours: int | None) -> str:
    """15天, 24小时, 72小时: days when the limit is whole days beyond three."""
    if not hours:
        return ""
    if hours % 24 == 0 and hours > 72:
        return f"{hours // 24}天"
    return f"{hours}小时"


class Department(models.Model):
    """联合执法部门: one of the departments of clause 一(三), dated.

    The notice (2017) names twelve; the 2019 reorganisation merged 质监 and 物价 into 市场监管
    and renamed 安监 → 应急管理 and 环保 → 生态环境. A referral names the department in
    force on its date; older referrals keep the department they were sent to."""

    code = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("简称", max_length=20, unique=True)
    full_name = models.CharField("部门名称", max_length=50)
    valid_from = models.DateField("启用日期", validators=[plausible_date])
    valid_to = models.DateField(
        "停用日期", null=True, blank=True, help_text="留空表示现行有效。", validators=[plausible_date]
    )
    successor = models.ForeignKey(
        "self", verbose_name="承接部门", null=True, blank=True, on_delete=models.PROTECT, related_name="predecessors"
    )
    source = models.CharField("依据", max_length=200)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "联合执法部门"
        ordering = ["sort_order", "valid_from", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="department_valid_range",
                violation_error_message="停用日期不能早于启用日期。",
            ),
        ]

    def __str__(self):
        return self.name

    def in_force_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    @classmethod
    def in_force_q(cls, day) -> Q:
        return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))
