"""提醒 (reminders) and the per-user choice of home page.

A reminder is addressed to one user, with a stable `key` naming what it is about (the item and
the state: `repairs_open:123:overdue`, `inspection_returned:45:2026-03-01T08:00`). The pair
(user, key) is unique, so the morning job and the event receivers create each reminder once,
however often they run. Reminders are kept WORKBENCH_REMINDER_RETENTION_DAYS (184) days.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Reminder(models.Model):
    """提醒: what a user is told once (a deadline near or passed, an event addressed to them)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField("类型", max_length=40)
    key = models.CharField("提醒标识", max_length=120)
    title = models.CharField("标题", max_length=200)
    body = models.CharField("内容", max_length=500, blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    due_at = models.DateTimeField("期限", null=True, blank=True)
    created_at = models.DateTimeField("提醒时间", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "提醒"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], name="reminder_once_per_user_and_item", violation_error_message="该提醒已发送。"
            ),
        ]
        indexes = [
            # the bell: a user's unread reminders
            models.Index(
                fields=["user", "created_at"], condition=models.Q(read_at__isnull=True), name="reminder_unread_idx"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class HomeChoice(models.TextChoices):
    WORKBENCH = "workbench", "工作台"
    DASHBOARD = "dashboard", "数据看板"


class WorkbenchSetting(models.Model):
    """A user's home page: the 工作台 (default) or the analytics dashboard (a city leader's
    preference)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="workbench_setting"
    )
    home = models.CharField("首页", max_length=12, choices=HomeChoice.choices, default=HomeChoice.WORKBENCH)

    class Meta:
        verbose_name = verbose_name_plural = "工作台设置"

    def __str__(self):
        return f"{self.user} · {self.get_home_display()}"
