"""矛盾纠纷 (dispute cases) and 应急维修 (repair requests), their events and attachments.

Field names follow Open311 GeoReport v2 where one fits: service_code (the category),
description, status, status_notes, requested_datetime (received / reported),
expected_datetime (the deadline fixed at creation from the time limit in force),
updated_datetime, lat/long.

Indexes: the overdue lists read open cases past their deadline per district, street,
community or the whole city, oldest deadline first. Partial indexes over the open rows only
(closed/completed is NULL) make that an index range scan whatever the size of the table; the
lists ordered by date and the yearly counts (effectiveness) have their own.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from communities.models import EstateScopedModel
from core.locking import VersionedModel
from core.validation import happened, plausible_date

from ..choices import (
    DISPUTE_CLOSED,
    REPAIR_CLOSED,
    CallbackStatus,
    Channel,
    DisputeCategory,
    DisputeStatus,
    InvalidReason,
    RepairCategory,
    RepairStatus,
    Satisfaction,
    SatisfactionSource,
    Urgency,
)

OPEN_DISPUTE = Q(closed_datetime__isnull=True)
OPEN_REPAIR = Q(completed_datetime__isnull=True)


def _scope_indexes(prefix: str, open_q: Q, closed: str, extra: tuple = ()) -> list[models.Index]:
    """The indexes of a case table. INCLUDE columns (PostgreSQL; ignored elsewhere) let the
    grouped counts of the pages and of case_counts read the index alone (index-only scans)."""
    judged = ["expected_datetime", closed, *extra]
    return [
        # the overdue lists: open rows, by unit, oldest deadline first; the unit below for the
        # per-unit counts beside them
        models.Index(
            fields=["expected_datetime"], condition=open_q, include=["district_id"], name=f"{prefix}_open_due"
        ),
        models.Index(
            fields=["district", "expected_datetime"],
            condition=open_q,
            include=["street_id"],
            name=f"{prefix}_open_district_due",
        ),
        models.Index(
            fields=["street", "expected_datetime"],
            condition=open_q,
            include=["community_id"],
            name=f"{prefix}_open_street_due",
        ),
        models.Index(
            fields=["community", "expected_datetime"],
            condition=open_q,
            include=["estate_id"],
            name=f"{prefix}_open_comm_due",
        ),
        # the lists, newest first, by unit; the live rates per unit below; the yearly counts per estate
        models.Index(
            fields=["district", "requested_datetime"], include=["street_id", *judged], name=f"{prefix}_district_date"
        ),
        models.Index(
            fields=["street", "requested_datetime"], include=["community_id", *judged], name=f"{prefix}_street_date"
        ),
        models.Index(
            fields=["community", "requested_datetime"], include=["estate_id", *judged], name=f"{prefix}_comm_date"
        ),
        models.Index(
            fields=["requested_datetime"], include=["district_id", "estate_id", *judged], name=f"{prefix}_date"
        ),
        models.Index(fields=["estate", "requested_datetime"], include=judged, name=f"{prefix}_estate_date"),
    ]


class ResidentFields(models.Model):
    """What the residents' channel (居民自报) adds to a case: where in the estate, the tracking
    token the resident follows it with, the note staff mark 对居民公开, 无效 with its reason, the
    suspected duplicate, who rated it, and the call-back (回访) after a 不满意."""

    building = models.CharField("楼栋", max_length=20, blank=True)
    unit = models.CharField("单元", max_length=20, blank=True)
    room = models.CharField("室", max_length=20, blank=True)
    # secrets.token_urlsafe(24): the tracking link; NULL for cases a clerk recorded.
    tracking_token = models.CharField("查询码", max_length=64, unique=True, null=True, blank=True, editable=False)
    public_note = models.CharField("对居民公开的说明", max_length=500, blank=True)
    invalid_reason = models.CharField("无效原因", max_length=16, choices=InvalidReason.choices, blank=True)
    invalid_note = models.CharField("无效说明", max_length=200, blank=True)
    duplicate_of = models.ForeignKey(
        "self", verbose_name="疑似重复于", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    satisfaction_source = models.CharField("满意度来源", max_length=16, choices=SatisfactionSource.choices, blank=True)
    rated_datetime = models.DateTimeField("评价时间", null=True, blank=True, validators=[happened])
    callback_status = models.CharField("回访", max_length=16, choices=CallbackStatus.choices, blank=True)
    callback_note = models.CharField("回访记录", max_length=200, blank=True)
    callback_datetime = models.DateTimeField("回访时间", null=True, blank=True, validators=[happened])
    reopened_count = models.PositiveSmallIntegerField("重新办理次数", default=0)

    class Meta:
        abstract = True

    @property
    def is_resident_report(self) -> bool:
        return self.channel == Channel.RESIDENT

    @property
    def place(self) -> str:
        """楼栋/单元/室 as one text (3栋2单元301室)."""
        parts = (
            self.building and f"{self.building}栋",
            self.unit and f"{self.unit}单元",
            self.room and f"{self.room}室",
        )
        return "".join(p for p in parts if p)


class DisputeCase(ResidentFields, EstateScopedModel, VersionedModel):
    """矛盾纠纷: a property-management dispute taken by the street's mediation station."""

    service_code = models.CharField("类别", max_length=32, choices=DisputeCategory.choices)
    channel = models.CharField("受理方式", max_length=16, choices=Channel.choices, default=Channel.OTHER)
    party_name = models.CharField("当事人", max_length=50, blank=True)
    party_phone = models.CharField("联系电话", max_length=20, blank=True)
    respondent = models.CharField("被反映方", max_length=100, blank=True, help_text="如物业服务企业、相邻住户等")
    description = models.TextField("情况描述", blank=True)
    status = models.CharField("状态", max_length=16, choices=DisputeStatus.choices, default=DisputeStatus.RECEIVED)
    status_notes = models.CharField("最新进展", max_length=500, blank=True)
    requested_datetime = models.DateTimeField("受理时间", validators=[happened])
    limit_hours = models.PositiveIntegerField("处理时限(小时)")
    expected_datetime = models.DateTimeField("办理期限", validators=[plausible_date])
    closed_datetime = models.DateTimeField("办结时间", null=True, blank=True, validators=[happened])
    referred_department = models.ForeignKey(
        "disputes.Department",
        verbose_name="移交部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="转联合执法的纠纷移交的部门（办理中的移交见联合执法台账）。",
    )
    satisfaction = models.CharField("满意度", max_length=16, choices=Satisfaction.choices, blank=True)
    satisfaction_note = models.CharField("回访意见", max_length=200, blank=True)
    imported = models.BooleanField("台账导入", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_datetime = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_datetime", "version"])

    class Meta:
        verbose_name = verbose_name_plural = "矛盾纠纷"
        indexes = _scope_indexes("dispute", OPEN_DISPUTE, "closed_datetime", ("status",))
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_datetime__isnull=True) | Q(closed_datetime__gte=F("requested_datetime")),
                name="dispute_closed_after_received",
                violation_error_message="办结时间不能早于受理时间。",
            ),
            models.CheckConstraint(
                # An ordered list, not the frozenset: a set's order changes between runs and makemigrations
                # would see a new constraint every time.
                condition=(
                    Q(status__in=[DisputeStatus.RECEIVED, DisputeStatus.MEDIATING]) & Q(closed_datetime__isnull=True)
                )
                | (Q(status__in=list(DISPUTE_CLOSED)) & Q(closed_datetime__isnull=False)),
                name="dispute_outcome_has_close",
                violation_error_message="办理结果与办结时间须同时填写。",
            ),
            models.CheckConstraint(
                condition=Q(satisfaction="") | Q(closed_datetime__isnull=False),
                name="dispute_satisfaction_when_closed",
                violation_error_message="办结后才能登记满意度。",
            ),
            models.CheckConstraint(
                condition=Q(expected_datetime__gte=F("requested_datetime")),
                name="dispute_deadline_after_received",
                violation_error_message="办理期限不能早于受理时间。",
            ),
        ]

    def __str__(self):
        # Never the party's name: strings end up in logs and admin titles.
        return f"矛盾纠纷 {self.number}"

    @property
    def number(self) -> str:
        return f"JF{self.pk:06d}" if self.pk else "JF（新）"

    @property
    def is_open(self) -> bool:
        return self.closed_datetime is None

    def is_overdue(self, now) -> bool:
        return self.is_open and self.expected_datetime < now

    @property
    def closed_on_time(self) -> bool | None:
        return None if self.closed_datetime is None else self.closed_datetime <= self.expected_datetime

    @property
    def status_colour(self) -> str:
        return DisputeStatus(self.status).colour


class DisputeEvent(models.Model):
    """A step of a dispute's timeline: who did what, when, with a note."""

    class Action(models.TextChoices):
        RECEIVED = "received", "受理登记"
        IMPORTED = "imported", "台账导入"
        START = "start", "开始调解"
        RESOLVE = "resolve", "调解成功"
        REFER = "refer", "转联合执法"
        TERMINATE = "terminate", "终止调解"
        SATISFACTION = "satisfaction", "回访满意度"
        NOTE = "note", "进展记录"
        INVALID = "invalid", "标记无效"
        RATING = "rating", "居民评价"
        CALLBACK = "callback", "回访"
        REOPEN = "reopen", "重新办理"

    dispute = models.ForeignKey(DisputeCase, verbose_name="矛盾纠纷", on_delete=models.CASCADE, related_name="events")
    action = models.CharField("事项", max_length=16, choices=Action.choices)
    from_status = models.CharField("原状态", max_length=16, choices=DisputeStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=16, choices=DisputeStatus.choices, blank=True)
    at = models.DateTimeField("时间", validators=[happened])
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="办理人", on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField("说明", blank=True)
    # Shown on the resident's tracking page; `note` is internal and never leaves the office.
    public_note = models.TextField("对居民公开", blank=True)
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    scope_paths = {
        "district": "dispute__district_id",
        "street": "dispute__street_id",
        "community": "dispute__community_id",
        "estate": "dispute__estate_id",
    }

    class Meta:
        verbose_name = verbose_name_plural = "矛盾纠纷办理记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_action_display()} · {self.at:%Y-%m-%d %H:%M}"


class RepairRequest(ResidentFields, EstateScopedModel, VersionedModel):
    """应急维修: a repair request taken by the street's emergency repair station."""

    service_code = models.CharField("类别", max_length=32, choices=RepairCategory.choices)
    urgency = models.CharField("紧急程度", max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    description = models.CharField("情况描述", max_length=500, blank=True)
    unit = models.CharField("单元/室", max_length=20, blank=True)
    channel = models.CharField("受理方式", max_length=16, choices=Channel.choices, default=Channel.PHONE)
    reporter_name = models.CharField("报修人", max_length=50, blank=True)
    reporter_phone = models.CharField("联系电话", max_length=20, blank=True)
    lat = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    status = models.CharField("状态", max_length=16, choices=RepairStatus.choices, default=RepairStatus.OPEN)
    status_notes = models.CharField("处理说明", max_length=500, blank=True)
    requested_datetime = models.DateTimeField("报修时间", validators=[happened])
    limit_hours = models.PositiveIntegerField("处理时限(小时)")
    expected_datetime = models.DateTimeField("完成期限", validators=[plausible_date])
    team = models.ForeignKey(
        "disputes.RepairTeam",
        verbose_name="维修队伍",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repairs",
    )
    dispatched_datetime = models.DateTimeField("派单时间", null=True, blank=True, validators=[happened])
    arrived_datetime = models.DateTimeField("到场时间", null=True, blank=True, validators=[happened])
    completed_datetime = models.DateTimeField("完成时间", null=True, blank=True, validators=[happened])
    cost_fen = models.BigIntegerField("维修费用(分)", null=True, blank=True)
    satisfaction = models.CharField("满意度", max_length=16, choices=Satisfaction.choices, blank=True)
    satisfaction_note = models.CharField("回访意见", max_length=200, blank=True)
    imported = models.BooleanField("台账导入", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_datetime = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_datetime", "version"])

    class Meta:
        verbose_name = verbose_name_plural = "应急维修"
        indexes = _scope_indexes("repair", OPEN_REPAIR, "completed_datetime", ("status",))
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_datetime__isnull=True) | Q(completed_datetime__gte=F("requested_datetime")),
                name="repair_completed_after_reported",
                violation_error_message="完成时间不能早于报修时间。",
            ),
            models.CheckConstraint(
                condition=(Q(status__in=list(REPAIR_CLOSED)) & Q(completed_datetime__isnull=False))
                | (~Q(status__in=list(REPAIR_CLOSED)) & Q(completed_datetime__isnull=True)),
                name="repair_completed_has_time",
                violation_error_message="已完成的维修须填写完成时间。",
            ),
            models.CheckConstraint(
                condition=Q(cost_fen__isnull=True) | Q(cost_fen__gte=0),
                name="repair_cost_not_negative",
                violation_error_message="维修费用不能为负数。",
            ),
            models.CheckConstraint(
                condition=Q(satisfaction="") | Q(completed_datetime__isnull=False),
                name="repair_satisfaction_when_done",
                violation_error_message="维修完成后才能登记满意度。",
            ),
            models.CheckConstraint(
                condition=Q(expected_datetime__gte=F("requested_datetime")),
                name="repair_deadline_after_reported",
                violation_error_message="完成期限不能早于报修时间。",
            ),
        ]

    def __str__(self):
        return f"应急维修 {self.number}"

    @property
    def number(self) -> str:
        return f"WX{self.pk:06d}" if self.pk else "WX（新）"

    @property
    def is_open(self) -> bool:
        return self.completed_datetime is None

    def is_overdue(self, now) -> bool:
        return self.is_open and self.expected_datetime < now

    @property
    def completed_on_time(self) -> bool | None:
        return None if self.completed_datetime is None else self.completed_datetime <= self.expected_datetime

    @property
    def status_colour(self) -> str:
        return RepairStatus(self.status).colour

    @property
    def location(self) -> str:
        return "".join(
            part for part in (self.building and f"{self.building}栋", self.unit, self.room and f"{self.room}室") if part
        )


class RepairEvent(models.Model):
    """A step of a repair's timeline."""

    class Action(models.TextChoices):
        RECEIVED = "received", "报修登记"
        IMPORTED = "imported", "台账导入"
        DISPATCH = "dispatch", "派单"
        ARRIVE = "arrive", "到场"
        COMPLETE = "complete", "完成"
        SATISFACTION = "satisfaction", "回访满意度"
        NOTE = "note", "进展记录"
        INVALID = "invalid", "标记无效"
        RATING = "rating", "居民评价"
        CALLBACK = "callback", "回访"
        REOPEN = "reopen", "重新办理"

    repair = models.ForeignKey(RepairRequest, verbose_name="应急维修", on_delete=models.CASCADE, related_name="events")
    action = models.CharField("事项", max_length=16, choices=Action.choices)
    from_status = models.CharField("原状态", max_length=16, choices=RepairStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=16, choices=RepairStatus.choices, blank=True)
    at = models.DateTimeField("时间", validators=[happened])
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="办理人", on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField("说明", blank=True)
    public_note = models.TextField("对居民公开", blank=True)
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    scope_paths = {
        "district": "repair__district_id",
        "street": "repair__street_id",
        "community": "repair__community_id",
        "estate": "repair__estate_id",
    }

    class Meta:
        verbose_name = verbose_name_plural = "应急维修办理记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_action_display()} · {self.at:%Y-%m-%d %H:%M}"


def attachment_path(instance, filename):
    # An unguessable name: attachments are served only through the scoped download view.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"disputes/{instance.estate_id}/{uuid.uuid4().hex}.{suffix}"


class Attachment(EstateScopedModel):
    """附件 of a dispute, a repair, a referral or a filing (材料)."""

    dispute = models.ForeignKey(
        DisputeCase, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    repair = models.ForeignKey(
        RepairRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    referral = models.ForeignKey(
        "disputes.EnforcementReferral", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    filing = models.ForeignKey(
        "disputes.Filing", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("文件", upload_to=attachment_path, max_length=200)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小(字节)")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "附件"
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(dispute__isnull=False, repair__isnull=True, referral__isnull=True, filing__isnull=True)
                    | Q(dispute__isnull=True, repair__isnull=False, referral__isnull=True, filing__isnull=True)
                    | Q(dispute__isnull=True, repair__isnull=True, referral__isnull=False, filing__isnull=True)
                    | Q(dispute__isnull=True, repair__isnull=True, referral__isnull=True, filing__isnull=False)
                ),
                name="attachment_one_parent",
                violation_error_message="附件须属于且仅属于一个案件或备案。",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def parent(self):
        return self.dispute or self.repair or self.referral or self.filing
