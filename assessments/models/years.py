"""The assessment year (考核年度), its events, and the reminders (考核提醒) sent for it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel
from core.validation import happened, plausible_date

from ..choices import YearStatus


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
