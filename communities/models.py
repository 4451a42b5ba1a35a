"""The registry (小区登记): districts, streets, communities, estates, service firms,
property committees and owners' organisations (clause 八 of the notice: 全面调查摸底)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel
from core.scoping import ScopedManager

from .choices import (
    CommitteeMemberRole,
    DistrictKind,
    EstateCategory,
    FirmFounding,
    ManagementMode,
    OwnersOrganisationKind,
    StreetKind,
)
from .validators import validate_code, validate_credit_code

ESTATE_SCOPE_PATHS = {"district": "district_id", "street": "street_id", "community": "community_id", "estate": "estate_id"}


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
        "辖区住宅小区总数", null=True, blank=True,
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
            models.UniqueConstraint(fields=["district", "name"], name="uniq_street_name_in_district",
                                    violation_error_message="该区已有同名街道。")
        ]

    def __str__(self):
        return self.name


class Community(TimeStampedModel):
    """社区: a residents' committee area under a street."""

    name = models.CharField("名称", max_length=50)
    code = models.CharField("社区编码", max_length=20, blank=True)
    street = models.ForeignKey(Street, verbose_name="街道", on_delete=models.PROTECT, related_name="communities")
    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT, related_name="+", editable=False)
    history = HistoricalRecords()

    objects = ScopedManager()
    scope_paths = {"district": "district_id", "street": "street_id", "community": "id"}
    scope_ancestors_visible = True

    class Meta:
        verbose_name = verbose_name_plural = "社区"
        ordering = ["street__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["street", "name"], name="uniq_community_name_in_street",
                                    violation_error_message="该街道已有同名社区。")
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.district_id = self.street.district_id
        super().save(*args, **kwargs)


class ServiceFirm(TimeStampedModel):
    """物业服务企业, including the public-welfare firms of clause 六 (公益性物业服务企业).

    A public register: every signed-in user can read it (business registrations are public);
    the registering district, or the entrusting street, edits it."""

    name = models.CharField("企业名称", max_length=100, unique=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True, validators=[validate_credit_code])
    is_public_welfare = models.BooleanField("公益性物业服务企业", default=False)
    founding = models.CharField("组建方式", max_length=16, choices=FirmFounding.choices, blank=True)
    district = models.ForeignKey(District, verbose_name="登记区", on_delete=models.PROTECT, related_name="firms")
    street = models.ForeignKey(
        Street, verbose_name="委托街道", null=True, blank=True, on_delete=models.PROTECT, related_name="firms",
        help_text="由街道办事处委托的公益性企业填写；由区政府委托的留空。",
    )
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    history = HistoricalRecords()

    objects = ScopedManager()
    scope_paths = {"district": "district_id", "street": "street_id"}
    scope_public_read = True

    class Meta:
        verbose_name = verbose_name_plural = "物业服务企业"
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def entrusted_by(self) -> str:
        if not self.is_public_welfare:
            return ""
        return self.street.name if self.street_id else self.district.name

    def clean(self):
        if self.credit_code:
            self.credit_code = self.credit_code.strip().upper()
        if self.street_id and self.district_id and self.street.district_id != self.district_id:
            raise ValidationError({"street": "委托街道不属于登记区。"})
        if self.is_public_welfare and not self.founding:
            raise ValidationError({"founding": "公益性物业服务企业须填写组建方式（新建、重组或引进）。"})


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
        ServiceFirm, verbose_name="物业服务企业", null=True, blank=True, on_delete=models.PROTECT, related_name="estates"
    )
    latitude = models.DecimalField(
        "纬度", max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))],
    )
    longitude = models.DecimalField(
        "经度", max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))],
    )
    version = models.PositiveIntegerField("版本", default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["version"])

    objects = ScopedManager()
    scope_paths = {"district": "district_id", "street": "street_id", "community": "community_id", "estate": "id"}

    class Meta:
        verbose_name = verbose_name_plural = "小区"
        ordering = ["code"]
        indexes = [
            models.Index(fields=["district", "code"], name="estate_district_code_idx"),
            models.Index(fields=["street", "code"], name="estate_street_code_idx"),
            models.Index(fields=["community", "code"], name="estate_community_code_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(building_area__gt=0), name="estate_area_positive",
                                   violation_error_message="建筑面积必须大于0。"),
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
