from django.db import models


class DistrictKind(models.TextChoices):
    MAIN_URBAN = "main_urban", "主城区"
    SUBURBAN = "suburban", "郊区"
    NEW_AREA = "new_area", "国家级新区"


class StreetKind(models.TextChoices):
    STREET = "street", "街道"
    TOWN = "town", "镇"


class EstateCategory(models.TextChoices):
    """Estate categories of clause 十 (分类); codes as in policy-defaults.md §1."""

    RENOVATED = "renovated", "已整治老旧小区"
    UNRENOVATED = "unrenovated", "未整治老旧小区"
    AFFORDABLE = "affordable", "保障性住房小区"


class ManagementMode(models.TextChoices):
    """How an estate is managed (管理模式, clause 八)."""

    PUBLIC_WELFARE = "public_welfare", "公益性物业托管"
    MARKET = "market", "市场化物业"
    SELF_MANAGED = "self_managed", "居民自治"
    BASIC_SERVICE = "basic_service", "基本服务保障"
    NONE = "none", "暂无"


class FirmFounding(models.TextChoices):
    """How a public-welfare firm was set up (clause 六: 新建、重组、引进)."""

    NEW = "new", "新建"
    RESTRUCTURED = "restructured", "重组"
    INTRODUCED = "introduced", "引进"


class CommitteeMemberRole(models.TextChoices):
    DIRECTOR = "director", "主任"
    DEPUTY = "deputy", "副主任"
    MEMBER = "member", "委员"


class OwnersOrganisationKind(models.TextChoices):
    ASSEMBLY = "assembly", "业主大会"
    COMMITTEE = "committee", "业主委员会"


class EntrustingParty(models.TextChoices):
    """Who entrusts or hires the firm of a contract (clause 六, 八.2)."""

    DISTRICT = "district", "区政府委托"
    STREET = "street", "街道办事处委托"
    OWNERS = "owners", "业主组织选聘"


class VettingUnit(models.TextChoices):
    """Who vets a committee member (clause 四: 街道和社区审核)."""

    STREET = "street", "街道"
    COMMUNITY = "community", "社区"
