"""人员配备: the staff registry per unit and the staffing norms of clause 五 (as data)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel
from core.scoping import ScopedQuerySet
from core.validation import happened, plausible_date

from ..choices import Post, UnitLevel


class StaffingNormQuerySet(models.QuerySet):
    def in_force(self, year: int):
        """The norms in force in `year`."""
        return self.filter(valid_from_year__lte=year).filter(Q(valid_to_year__isnull=True) | Q(valid_to_year__gte=year))


class StaffingNorm(models.Model):
    """配备标准: one row per level (and, for streets, per band of residential estates).

    A unit's norm is the row of its level, in force in the year judged (`valid_from_year` …
    `valid_to_year`, empty = still in force), with the largest `estates_from` not above its count
    of residential estates (only streets have bands). Counted are the unit's full-time staff in
    `counted_post`; `requires_deputy` adds the separate check of a 分管副主任. A past year is
    judged by the norms in force then, so a later change of the norms does not rewrite it."""

    level = models.CharField("层级", max_length=12, choices=[c for c in UnitLevel.choices if c[0] != "city"])
    estates_from = models.PositiveIntegerField("住宅小区数下限（含）", default=0)
    min_staff = models.PositiveSmallIntegerField("最少人数")
    max_staff = models.PositiveSmallIntegerField("最多人数", null=True, blank=True, help_text="留空表示不设上限。")
    counted_post = models.CharField("计入岗位", max_length=20, choices=Post.choices)
    requires_deputy = models.BooleanField("须配备分管副主任", default=False)
    source = models.CharField("依据", max_length=100, default="宁政办发〔2017〕215号 五")
    # 2017: the year of the notice the default norms come from (宁政办发〔2017〕215号)
    valid_from_year = models.PositiveSmallIntegerField("适用起始年度", default=2017)
    valid_to_year = models.PositiveSmallIntegerField(
        "适用截止年度", null=True, blank=True, help_text="留空表示长期有效。"
    )
    history = HistoricalRecords()

    objects = StaffingNormQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "人员配备标准"
        ordering = ["level", "estates_from", "valid_from_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "estates_from", "valid_from_year"], name="one_staffing_norm_per_band"
            ),
            models.CheckConstraint(
                condition=Q(valid_to_year__isnull=True) | Q(valid_to_year__gte=models.F("valid_from_year")),
                name="staffing_norm_years",
                violation_error_message="截止年度不能早于起始年度。",
            ),
            models.CheckConstraint(
                condition=Q(max_staff__isnull=True) | Q(max_staff__gte=models.F("min_staff")),
                name="staffing_norm_range",
                violation_error_message="最多人数不能少于最少人数。",
            ),
        ]

    def __str__(self):
        end = f"{self.valid_to_year}年" if self.valid_to_year else "长期"
        return f"{self.get_level_display()} {self.range_label}（{self.valid_from_year}年—{end}）"

    def clean(self):
        """Two norms of the same level and band may not both be in force in a year (the admin's
        form calls this; the norms are edited nowhere else)."""
        if self.valid_to_year is not None and self.valid_to_year < self.valid_from_year:
            raise ValidationError({"valid_to_year": "截止年度不能早于起始年度。"})
        clash = (
            StaffingNorm.objects.filter(level=self.level, estates_from=self.estates_from)
            .exclude(pk=self.pk)
            .filter(Q(valid_to_year__isnull=True) | Q(valid_to_year__gte=self.valid_from_year))
        )
        if self.valid_to_year is not None:
            clash = clash.filter(valid_from_year__lte=self.valid_to_year)
        other = clash.first()
        if other is not None:
            raise ValidationError({"valid_from_year": f"与已有标准“{other}”的适用年度重叠，请先为其设置截止年度。"})

    @property
    def range_label(self) -> str:
        if self.max_staff is None:
            return f"至少{self.min_staff}人"
        if self.max_staff == self.min_staff:
            return f"{self.min_staff}人"
        return f"{self.min_staff}–{self.max_staff}人"


class StaffMemberQuerySet(ScopedQuerySet):
    def active_on(self, day: dt.date):
        return self.filter(Q(since__lte=day), Q(until__isnull=True) | Q(until__gte=day))


class StaffMember(TimeStampedModel):
    """物业管理人员: one person in one post of one unit (a district authority, a street office or a
    community), from `since` to `until`. Personal data (name, phone) is shown only within scope."""

    level = models.CharField("单位层级", max_length=12, choices=[c for c in UnitLevel.choices if c[0] != "city"])
    district = models.ForeignKey("communities.District", verbose_name="区", on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey(
        "communities.Street", verbose_name="街道", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        "communities.Community", verbose_name="社区", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("姓名", max_length=50)
    post = models.CharField("岗位", max_length=20, choices=Post.choices)
    full_time = models.BooleanField("专职", default=True)
    since = models.DateField("到岗日期", validators=[happened])
    until = models.DateField("离岗日期", null=True, blank=True, validators=[plausible_date])
    phone = models.CharField("联系电话", max_length=20, blank=True)
    history = HistoricalRecords()

    objects = models.Manager.from_queryset(StaffMemberQuerySet)()
    scope_paths = {"district": "district_id", "street": "street_id", "community": "community_id"}

    class Meta:
        verbose_name = verbose_name_plural = "物业管理人员"
        ordering = ["district__code", "street__code", "community__name", "post", "name"]
        indexes = [models.Index(fields=["level", "district", "street", "community"], name="staff_unit_idx")]

    def __str__(self):
        return f"{self.name}（{self.get_post_display()}）"

    @property
    def unit(self):
        return {"district": self.district, "street": self.street, "community": self.community}[self.level]

    def clean(self):
        if self.since and self.until and self.until < self.since:
            raise ValidationError({"until": "离岗日期不能早于到岗日期。"})
