from django.db import models


class Grade(models.TextChoices):
    """考核等级, written exactly as policy-defaults.md §3 names them (the value is the text)."""

    THREE_STAR = "三星", "三星"
    TWO_STAR = "二星", "二星"
    ONE_STAR = "一星", "一星"
    FAIL = "不达标", "不达标"
    NOT_ASSESSED = "未参加考核", "未参加考核"

    @property
    def colour(self) -> str:
        return {"三星": "success", "二星": "primary", "一星": "info", "不达标": "warning"}.get(self.value, "secondary")

    @property
    def beside(self) -> str:
        """Labels that may appear beside the stars on pages, never instead of them."""
        return {"三星": "优秀", "二星": "良好", "一星": "合格"}.get(self.value, "")


# Grades in the order of the columns of every roll-up.
GRADE_COLUMNS = [Grade.THREE_STAR, Grade.TWO_STAR, Grade.ONE_STAR, Grade.FAIL, Grade.NOT_ASSESSED]


class InspectionStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    APPROVED = "approved", "已审核"
    REJECTED = "rejected", "已退回"

    @property
    def colour(self) -> str:
        return {"draft": "secondary", "submitted": "primary", "approved": "success", "rejected": "danger"}[self.value]


# Statuses that count for the management indicator (policy-defaults.md §2).
COUNTED_STATUSES = (InspectionStatus.SUBMITTED, InspectionStatus.APPROVED)


class InspectionSource(models.TextChoices):
    STREET = "street", "街道日常检查"
    DISTRICT = "district", "区级抽查"
    THIRD_PARTY = "third_party", "第三方评估"


class IndicatorCode(models.TextChoices):
    MANAGEMENT = "management", "管理水平"
    EFFECTIVENESS = "effectiveness", "效能效果"
    FEE = "fee", "物业费收缴"
    SIZE = "size", "小区规模"


class BandKind(models.TextChoices):
    FEE = "fee", "物业费收缴率分档"
    SIZE = "size", "小区规模分档"


class YearStatus(models.TextChoices):
    OPEN = "open", "进行中"
    PUBLISHED = "published", "公示中"
    CLOSED = "closed", "已关闭"

    @property
    def colour(self) -> str:
        return {"open": "primary", "published": "warning", "closed": "secondary"}[self.value]


class AppealStatus(models.TextChoices):
    PENDING = "pending", "待处理"
    UPHELD = "upheld", "已支持"
    REJECTED = "rejected", "已驳回"

    @property
    def colour(self) -> str:
        return {"pending": "warning", "upheld": "success", "rejected": "secondary"}[self.value]


class RunKind(models.TextChoices):
    FULL = "full", "全年计分"
    APPEAL = "appeal", "申诉复核"


class UnitLevel(models.TextChoices):
    COMMUNITY = "community", "社区"
    STREET = "street", "街道"
    DISTRICT = "district", "区"


class ThirdPartyRule(models.TextChoices):
    """第三方评估计分规则 (clause 十): how a scheme counts third-party evaluations."""

    AVERAGE = "average", "与其他检查一并平均"
    REPLACE = "replace", "抽样小区以第三方评估替代街道日常检查"


class EngagementStatus(models.TextChoices):
    ACTIVE = "active", "执行中"
    CANCELLED = "cancelled", "已撤销"

    @property
    def colour(self) -> str:
        return {"active": "primary", "cancelled": "secondary"}[self.value]


class DeviationConclusion(models.TextChoices):
    """区对偏高街道的复核结论."""

    CONFIRMED = "confirmed", "偏高属实，已约谈街道并责令整改"
    EXPLAINED = "explained", "偏差有合理原因，不作处理"


class RefinementStatus(models.TextChoices):
    """细化分解方案的状态: prepared by one district officer, approved by another (four eyes)."""

    DRAFT = "draft", "待审批"
    APPROVED = "approved", "已批准"

    @property
    def colour(self) -> str:
        return {"draft": "warning", "approved": "success"}[self.value]
