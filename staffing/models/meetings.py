"""联席会议 (clause 一, 四): meetings at city, district, street and community level and their
follow-up tasks under supervision (督办)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel
from core.scoping import ScopedManager
from core.validation import happened, plausible_date

from ..choices import TaskStatus, UnitLevel


class JointMeeting(TimeStampedModel):
    """联席会议: held by a unit (the city, a district, a street or a community)."""

    level = models.CharField("层级", max_length=12, choices=UnitLevel.choices)
    district = models.ForeignKey(
        "communities.District", verbose_name="区", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    street = models.ForeignKey(
        "communities.Street", verbose_name="街道", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        "communities.Community", verbose_name="社区", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField("会议日期", validators=[happened])
    title = models.CharField("会议名称", max_length=100)
    chair = models.CharField("主持人", max_length=50, help_text="市级联席会议由分管副市长主持。")
    attendees = models.TextField("参会部门和单位", help_text="每行一个部门或区政府。")
    topics = models.TextField("议题")
    resolutions = models.TextField("议定事项", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    objects = ScopedManager()
    scope_paths = {"district": "district_id", "street": "street_id", "community": "community_id"}

    class Meta:
        verbose_name = verbose_name_plural = "联席会议"
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.title}"

    @property
    def unit_name(self) -> str:
        unit = {"city": None, "district": self.district, "street": self.street, "community": self.community}[self.level]
        return unit.name if unit else "南京市"

    @property
    def attendee_list(self) -> list[str]:
        return [line.strip() for line in self.attendees.splitlines() if line.strip()]


class MeetingTask(TimeStampedModel):
    """督办事项: a follow-up task of a meeting with its owner unit or department and a due date."""

    meeting = models.ForeignKey(JointMeeting, verbose_name="会议", on_delete=models.CASCADE, related_name="tasks")
    description = models.CharField("事项", max_length=300)
    owner = models.CharField("责任单位或部门", max_length=100)
    due_date = models.DateField("办结期限", validators=[plausible_date])
    status = models.CharField("状态", max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    done_on = models.DateField("办结日期", null=True, blank=True, validators=[happened])
    feedback = models.TextField("办理情况", blank=True)
    history = HistoricalRecords()

    objects = ScopedManager()
    scope_paths = {
        "district": "meeting__district_id",
        "street": "meeting__street_id",
        "community": "meeting__community_id",
    }

    class Meta:
        verbose_name = verbose_name_plural = "督办事项"
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["status", "due_date"], name="meeting_task_due_idx")]

    def __str__(self):
        return self.description

    def is_overdue(self, today) -> bool:
        return self.status == TaskStatus.OPEN and self.due_date < today
