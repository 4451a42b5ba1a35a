"""两站一中心: the three stations of each street, and the repair teams of its repair station."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from communities.models import District, ServiceFirm, Street
from core.models import TimeStampedModel
from core.scoping import ScopedManager

from ..choices import RepairTeamKind, StationKind

# A street's stations and teams are seen by the street, its district, the city, and the
# community advisors of the street (scope_ancestors_visible: an advisor dispatches repairs to
# the street's teams).
STREET_SCOPE_PATHS = {"district": "district_id", "street": "street_id"}


class Station(TimeStampedModel):
    """站/中心: the mediation station, the emergency repair station or the service centre of a street."""

    street = models.ForeignKey(Street, verbose_name="街道", on_delete=models.PROTECT, related_name="stations")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+", editable=False)
    kind = models.CharField("类型", max_length=16, choices=StationKind.choices)
    name = models.CharField("名称", max_length=100)
    address = models.CharField("地址", max_length=200)
    phone = models.CharField("电话", max_length=30)
    hours = models.CharField("办公时间", max_length=100, help_text="如：周一至周五 8:30-17:30，节假日值班")
    staff_on_duty = models.TextField("值班人员", blank=True, help_text="每行一人，如：张三 调解员")
    note = models.TextField("备注", blank=True)
    history = HistoricalRecords()

    objects = ScopedManager()
    scope_paths = STREET_SCOPE_PATHS
    scope_ancestors_visible = True

    class Meta:
        verbose_name = verbose_name_plural = "两站一中心"
        ordering = ["street__code", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "kind"],
                name="uniq_station_kind_per_street",
                violation_error_message="该街道已登记此类站点。",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.district_id = self.street.district_id
        super().save(*args, **kwargs)

    @property
    def staff_lines(self) -> list[str]:
        return [line.strip() for line in self.staff_on_duty.splitlines() if line.strip()]


class RepairTeam(TimeStampedModel):
    """维修队伍 of a street's emergency repair station: its own team, an entrusted
    public-welfare firm, or a contracted company."""

    street = models.ForeignKey(Street, verbose_name="街道", on_delete=models.PROTECT, related_name="repair_teams")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+", editable=False)
    name = models.CharField("队伍名称", max_length=100)
    kind = models.CharField("队伍类型", max_length=16, choices=RepairTeamKind.choices)
    firm = models.ForeignKey(
        ServiceFirm,
        verbose_name="所属企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repair_teams",
        help_text="委托公益性物业服务企业或签约单位时填写。",
    )
    leader = models.CharField("负责人", max_length=50, blank=True)
    phone = models.CharField("值班电话", max_length=30)
    members = models.PositiveSmallIntegerField("人数", null=True, blank=True)
    is_active = models.BooleanField("在用", default=True)
    history = HistoricalRecords()

    objects = ScopedManager()
    scope_paths = STREET_SCOPE_PATHS
    scope_ancestors_visible = True

    class Meta:
        verbose_name = verbose_name_plural = "维修队伍"
        ordering = ["street__code", "-is_active", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "name"],
                name="uniq_repair_team_name_per_street",
                violation_error_message="该街道已有同名维修队伍。",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.district_id = self.street.district_id
        super().save(*args, **kwargs)
