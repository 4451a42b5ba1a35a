"""物业管理委员会 and 业主组织 (clause 四, 八.2)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel
from core.scoping import ScopedManager

from ..choices import CommitteeMemberRole, OwnersOrganisationKind
from .estates import Estate, EstateScopedModel


class PropertyCommittee(TimeStampedModel, EstateScopedModel):
    """物业管理委员会（物管会）: sets the estate's service standard and supervises the firm (clause 四)."""

    estate = models.ForeignKey(Estate, verbose_name="小区", on_delete=models.PROTECT, related_name="committees")
    name = models.CharField("名称", max_length=100)
    formed_on = models.DateField("成立日期")
    term_start = models.DateField("任期开始")
    term_end = models.DateField("任期结束")
    is_active = models.BooleanField("在任", default=True)
    service_standard = models.TextField("服务标准", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "物业管理委员会"
        ordering = ["-term_start"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.term_start and self.term_end and self.term_end < self.term_start:
            raise ValidationError({"term_end": "任期结束不能早于任期开始。"})


class CommitteeMember(TimeStampedModel):
    """物管会成员."""

    committee = models.ForeignKey(PropertyCommittee, verbose_name="物管会", on_delete=models.CASCADE, related_name="members")
    name = models.CharField("姓名", max_length=50)
    role = models.CharField("职务", max_length=16, choices=CommitteeMemberRole.choices, default=CommitteeMemberRole.MEMBER)
    is_owner = models.BooleanField("业主", default=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    history = HistoricalRecords()

    objects = ScopedManager()
    scope_paths = {
        "district": "committee__district_id", "street": "committee__street_id",
        "community": "committee__community_id", "estate": "committee__estate_id",
    }

    class Meta:
        verbose_name = verbose_name_plural = "物管会成员"
        ordering = ["committee", "role", "name"]

    def __str__(self):
        return self.name


class OwnersOrganisation(TimeStampedModel, EstateScopedModel):
    """业主组织: the owners' assembly (业主大会) and its committee (业委会); may hire a market firm."""

    estate = models.ForeignKey(Estate, verbose_name="小区", on_delete=models.PROTECT, related_name="owners_organisations")
    kind = models.CharField("类型", max_length=16, choices=OwnersOrganisationKind.choices)
    established_on = models.DateField("成立日期")
    term_end = models.DateField("任期结束", null=True, blank=True)
    chair = models.CharField("主任/召集人", max_length=50, blank=True)
    is_active = models.BooleanField("有效", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "业主组织"
        ordering = ["-established_on"]

    def __str__(self):
        return f"{self.estate.name}{self.get_kind_display()}"
