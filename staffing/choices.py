from django.db import models


class UnitLevel(models.TextChoices):
    """The level of a unit that holds staff or a meeting."""

    CITY = "city", "市"
    DISTRICT = "district", "区"
    STREET = "street", "街道"
    COMMUNITY = "community", "社区"


class Post(models.TextChoices):
    """岗位 (clause 五)."""

    STAFF = "staff", "物业管理工作人员"
    DEPUTY_DIRECTOR = "deputy_director", "分管副主任"
    ADVISOR = "advisor", "专职物业管理辅导员"


class TaskStatus(models.TextChoices):
    """督办 status of a meeting's follow-up task."""

    OPEN = "open", "督办中"
    DONE = "done", "已办结"
    CANCELLED = "cancelled", "已撤销"


class TargetIndicator(models.TextChoices):
    """What a district target measures; progress is computed from the data."""

    COVERAGE = "coverage", "管理覆盖率(%)"
    FEE_COLLECTION = "fee_collection", "物业费收缴率(%)"
    STAR_SHARE = "star_share", "星级小区占比(%)"
    STAFFING = "staffing", "人员配备达标单位占比(%)"
