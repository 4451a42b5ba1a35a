"""Units: 区, 街道/镇, 社区."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel
from core.scoping import ScopedManager

from ..choices import DistrictKind, StreetKind


class District(TimeStampedModel):
    """区: the 11 districts of Nanjing and 江北新区 (code JBXQ)."""

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=20, unique=True)
    short_name = models.CharField("简称", max_length=20, blank=True)
    kind = models.CharField("类型", max_length=16, choices=DistrictKind.choices)
    is_main_urban = models.BooleanField("主城六区", default=False)
    history = HistoricalRecords()

    objects = ScopedManager()
    scope_paths = {"district": "id"}
    scope_ancestors_visible = True

    class Meta:
        verbose_name = verbose_name_plural = "区"
        ordering = ["code"]

    def __str__(self):
        return self.name


class Street(TimeStampedModel):
    """街道 / 镇: the township-level unit, under the district that manages it."""

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=30)
    short_name = models.CharField("简称", max_length=30, blank=True)
    kind = models.CharField("类型", max_length=8, choices=StreetKind.choices, default=StreetKind.STREET)
    district = models.ForeignKey(District, verbose_name="管理区", on_delete=models.PROTECT, related_name="streets")
    # The statistical district, which differs from the managing one for the streets that
    # 江北新区 manages directly; imports accept it as an alias.
    official_district = models.ForeignKey(
        District, verbose_name="行政区划所属区", on_delete=models.PROTECT, related_name="official_streets"
    )
    residential_estate_count = models.PositiveIntegerField(
        "辖区住宅小区总数",
        null=True,
        blank=True,
        help_text="辖区全部住宅小区数（不限于老旧小区），用于人员配备标准。",
    )
    history = HistoricalRecords()

    objects = ScopedManager()
    scope_paths = {"district": "district_id", "street": "id"}
    scope_ancestors_visible = True

    class Meta:
        verbose_name = verbose_name_plural = "街道"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"],
                name="uniq_street_name_in_district",
                violation_error_message="该区已有同名街道。",
            )
        ]

    def __str__(self):
        return self.name


class Community(TimeStampedModel):
    """社区: a residents' committee area under a street."""

    name = models.CharField("名称", max_length=50)
    code = models.CharField("社区编码", max_length=20, blank=True)
    street = models.ForeignKey(Street, verbose_name="街道", on_delete=models.PROTECT, related_name="communities")
    district = models.ForeignKey(
        District, verbose_name="区", on_delete=models.PROTECT, related_name="+", editable=False
    )
    history = HistoricalRecords()

    objects = ScopedManager()
    scope_paths = {"district": "district_id", "street": "street_id", "community": "id"}
    scope_ancestors_visible = True

    class Meta:
        verbose_name = verbose_name_plural = "社区"
        ordering = ["street__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "name"],
                name="uniq_community_name_in_street",
                violation_error_message="该街道已有同名社区。",
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.district_id = self.street.district_id
        super().save(*args, **kwargs)
