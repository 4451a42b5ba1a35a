"""小区 and the base of every row that belongs to one."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel
from core.scoping import ScopedManager

from ..choices import EstateCategory, ManagementMode
from ..validators import validate_code
from .firms import ServiceFirm
from .units import Community, District, Street

ESTATE_SCOPE_PATHS = {
    "district": "district_id",
    "street": "street_id",
    "community": "community_id",
    "estate": "estate_id",
}


class Estate(TimeStampedModel):
    """小区 / 老旧小区: the unit that is managed, inspected, scored and subsidised.

    district, street and community are all stored (the community implies the others) so that
    scoping is one indexed filter at each level; `save` and the importer keep them in step."""

    code = models.CharField("小区编码", max_length=32, unique=True, validators=[validate_code])
    name = models.CharField("小区名称", max_length=100)
    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT, related_name="estates")
    street = models.ForeignKey(Street, verbose_name="街道", on_delete=models.PROTECT, related_name="estates")
    community = models.ForeignKey(Community, verbose_name="社区", on_delete=models.PROTECT, related_name="estates")
    address = models.CharField("地址", max_length=200, blank=True)
    grid_code = models.CharField("网格编码", max_length=40, blank=True)
    year_built = models.PositiveSmallIntegerField("建成年份", null=True, blank=True)
    building_area = models.DecimalField(
        "建筑面积(㎡)", max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    households = models.PositiveIntegerField("户数", null=True, blank=True)
    buildings = models.PositiveIntegerField("楼栋数", null=True, blank=True)
    category = models.CharField("类别", max_length=16, choices=EstateCategory.choices, db_index=True)
    renovation_year = models.PositiveSmallIntegerField("整治完成年份", null=True, blank=True)
    management_mode = models.CharField(
        "管理模式", max_length=16, choices=ManagementMode.choices, default=ManagementMode.NONE, db_index=True
    )
    service_firm = models.ForeignKey(
        ServiceFirm,
        verbose_name="物业服务企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="estates",
    )
    latitude = models.DecimalField(
        "纬度",
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))],
    )
    longitude = models.DecimalField(
        "经度",
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))],
    )
    version = models.PositiveIntegerField("版本", default=1, editable=False)
    # The estate's active contracts as of ContractFactsDay.day (communities.contract_facts): who
    # entrusted them (CONTRACT_ENTRUSTED | CONTRACT_OWNERS) and the earliest day one ends. Kept by
    # the contracts' own writes and refreshed each day, so that 管理覆盖 counts a national registry
    # from this one table instead of joining 90,000 contracts to 220,000 estates on every visit.
    contract_parties = models.PositiveSmallIntegerField("有效合同委托方", default=0, db_default=0, editable=False)
    contract_ends_on = models.DateField("有效合同最早到期日", null=True, editable=False)
    history = HistoricalRecords(excluded_fields=["version", "contract_parties", "contract_ends_on"])

    objects = ScopedManager()
    scope_paths = {"district": "district_id", "street": "street_id", "community": "community_id", "estate": "id"}

    class Meta:
        verbose_name = verbose_name_plural = "小区"
        ordering = ["code"]
        indexes = [
            models.Index(fields=["district", "code"], name="estate_district_code_idx"),
            # 管理覆盖 counts estates per district, category, mode and contract facts from this index alone
            models.Index(
                fields=["district", "category", "management_mode", "contract_parties"],
                include=["contract_ends_on"],
                name="estate_district_mode_idx",
            ),
            models.Index(fields=["street", "code"], name="estate_street_code_idx"),
            models.Index(fields=["community", "code"], name="estate_community_code_idx"),
            # The estate list sorts by these columns at national scale (docs/registry.md).
            models.Index(fields=["name"], name="estate_name_idx"),
            models.Index(fields=["building_area"], name="estate_area_idx"),
            models.Index(fields=["households"], name="estate_households_idx"),
            models.Index(fields=["year_built"], name="estate_year_built_idx"),
            models.Index(fields=["renovation_year"], name="estate_renovation_year_idx"),
            # Counting a city-wide filter by category and mode from the index alone.
            models.Index(fields=["category", "management_mode"], name="estate_category_mode_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(building_area__gt=0),
                name="estate_area_positive",
                violation_error_message="建筑面积必须大于0。",
            ),
            models.CheckConstraint(
                condition=~models.Q(category="renovated") | models.Q(renovation_year__isnull=False),
                name="estate_renovated_has_year",
                violation_error_message="已整治老旧小区须填写整治完成年份。",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.community_id:
            community = self.community
            self.street_id, self.district_id = community.street_id, community.district_id
        if not self._state.adding and kwargs.get("update_fields") is None:
            # an edit never writes the contract facts it read: they belong to the contracts'
            # writes (communities.contract_facts), which may have changed them meanwhile
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in ("contract_parties", "contract_ends_on")
            ]
        super().save(*args, **kwargs)


class EstateScopedModel(models.Model):
    """Base for rows that belong to an estate: they carry its district, street and community
    ids (indexed) so that `visible_to` needs no join."""

    estate = models.ForeignKey(Estate, verbose_name="小区", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+", editable=False)
    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="+", editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+", editable=False)

    objects = ScopedManager()
    scope_paths = ESTATE_SCOPE_PATHS

    class Meta:
        abstract = True

    def fill_scope(self):
        estate = self.estate
        self.district_id, self.street_id, self.community_id = estate.district_id, estate.street_id, estate.community_id

    def save(self, *args, **kwargs):
        self.fill_scope()
        super().save(*args, **kwargs)
