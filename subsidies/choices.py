from django.db import models


class PolicyKind(models.TextChoices):
    """扶持类型: the per-m² management subsidy (十一.1) or the start-up subsidy (十一.2)."""

    MANAGEMENT = "management", "管理扶持资金"
    STARTUP = "startup", "整治后长效管理扶持"


class SheetStatus(models.TextChoices):
    """分配表状态 (excel-templates.md 汇总 状态)."""

    DRAFT = "draft", "草稿"
    CONFIRMED = "confirmed", "区级已确认"
    APPROVED = "approved", "市级已审核"

    @property
    def colour(self) -> str:
        return {"draft": "secondary", "confirmed": "primary", "approved": "success"}[self.value]


class SheetKind(models.TextChoices):
    ORIGINAL = "original", "分配表"
    ADJUSTMENT = "adjustment", "调整表"


class Share(models.TextChoices):
    CITY = "city", "市级承担"
    DISTRICT = "district", "区级承担"


class MoneyDirection(models.TextChoices):
    PAYMENT = "payment", "拨付"
    RECOVERY = "recovery", "追回"


# Grades from the highest down (policy-defaults.md §3), for a policy's minimum grade.
GRADE_ORDER = ("三星", "二星", "一星", "不达标")
