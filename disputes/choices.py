"""Choices of the two stations and the service centre (两站一中心), with Chinese labels.

Codes are stable English slugs (they appear in the API and in GeoReport's service_code);
labels are what people read and what the ledgers (excel-templates.md) contain.
"""

from django.db import models


class StationKind(models.TextChoices):
    """The three stations of a street (clause 七)."""

    MEDIATION = "mediation", "物业管理矛盾调解站"
    REPAIR = "repair", "应急维修服务站"
    SERVICE_CENTRE = "service_centre", "街道物业服务中心"


class RepairTeamKind(models.TextChoices):
    OWN = "own", "街道自有队伍"
    PUBLIC_WELFARE = "public_welfare", "委托公益性物业服务企业"
    CONTRACTED = "contracted", "签约维修单位"


class DisputeCategory(models.TextChoices):
    """矛盾纠纷类别 (the 矛盾纠纷台账 list)."""

    PROPERTY_FEE = "property_fee", "物业费"
    MAINTENANCE = "maintenance", "维修"
    PARKING = "parking", "停车"
    SANITATION = "sanitation", "环境卫生"
    COMMITTEE = "committee", "物管会/业委会"
    NEIGHBOURS = "neighbours", "相邻关系"
    OTHER = "other", "其他"


class Channel(models.TextChoices):
    """受理方式: how a case reached the station."""

    WINDOW = "window", "窗口"
    PHONE = "phone", "电话"
    HOTLINE = "hotline_12345", "12345热线"
    GRID = "grid", "网格员"
    OTHER = "other", "其他"
    RESIDENT = "resident", "居民自报"


# What a clerk may choose when recording a case: 居民自报 is set only by the residents' own
# public form (the receipt time is then the server's, not typed).
CLERK_CHANNELS = [(value, label) for value, label in Channel.choices if value != Channel.RESIDENT]


class DisputeStatus(models.TextChoices):
    """受理 → 调解中 → 调解成功 / 转联合执法 / 终止调解."""

    RECEIVED = "received", "受理"
    MEDIATING = "mediating", "调解中"
    RESOLVED = "resolved", "调解成功"
    REFERRED = "referred", "转联合执法"
    TERMINATED = "terminated", "终止调解"
    INVALID = "invalid", "无效"

    @property
    def colour(self) -> str:
        return {
            "received": "secondary",
            "mediating": "primary",
            "resolved": "success",
            "referred": "warning",
            "terminated": "dark",
            "invalid": "danger",
        }[self.value]


# Tuples, not sets: these feed database constraints, whose text must not change between runs
# (a set's order follows string hashing, and makemigrations would see a new constraint).
DISPUTE_OPEN = (DisputeStatus.RECEIVED, DisputeStatus.MEDIATING)
DISPUTE_OUTCOMES = (DisputeStatus.RESOLVED, DisputeStatus.REFERRED, DisputeStatus.TERMINATED)
# Closed: an outcome, or marked 无效 (a resident's report that was spam, a duplicate, or outside
# the platform's remit). An invalid case is kept, closed, and left out of every rate.
DISPUTE_CLOSED = (*DISPUTE_OUTCOMES, DisputeStatus.INVALID)


class RepairCategory(models.TextChoices):
    """应急维修类别 (the 维修台账 list)."""

    WATER_PIPE = "water_pipe", "水管爆裂"
    DRAIN = "drain", "下水道堵塞"
    POWER = "power", "停电"
    ROOF = "roof", "屋面渗漏"
    LIFT = "lift", "电梯故障"
    OTHER = "other", "其他"


class Urgency(models.TextChoices):
    URGENT = "urgent", "紧急"
    NORMAL = "normal", "一般"


class RepairStatus(models.TextChoices):
    OPEN = "open", "待派单"
    DISPATCHED = "dispatched", "已派单"
    ARRIVED = "arrived", "已到场"
    COMPLETED = "completed", "已完成"
    INVALID = "invalid", "无效"

    @property
    def colour(self) -> str:
        return {
            "open": "secondary",
            "dispatched": "primary",
            "arrived": "info",
            "completed": "success",
            "invalid": "danger",
        }[self.value]


# Closed repairs: completed, or marked 无效 (closed without a repair, left out of every rate).
REPAIR_CLOSED = (RepairStatus.COMPLETED, RepairStatus.INVALID)


class Satisfaction(models.TextChoices):
    """The resident's satisfaction once a case is closed (满意度)."""

    SATISFIED = "satisfied", "满意"
    FAIRLY = "fairly", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


class SatisfactionSource(models.TextChoices):
    """Who gave the satisfaction: the resident on the tracking page, or a clerk's call-back."""

    RESIDENT = "resident", "居民评价"
    CALLBACK = "callback", "回访登记"


class InvalidReason(models.TextChoices):
    """Why a report is 无效 (the resident sees this)."""

    SPAM = "spam", "无效信息（测试、骚扰或无法核实）"
    DUPLICATE = "duplicate", "重复报告"
    OUTSIDE_REMIT = "outside_remit", "不属于本平台受理范围"


class CallbackStatus(models.TextChoices):
    """回访: a case rated 不满意 waits on the street's call-back list until a clerk calls."""

    PENDING = "pending", "待回访"
    DONE = "done", "已回访"


class CaseType(models.TextChoices):
    """Which kind of case a time limit applies to."""

    DISPUTE = "dispute", "矛盾纠纷"
    REPAIR = "repair", "应急维修"


class ReferralStatus(models.TextChoices):
    """联合执法移交: referred → accepted by the department → answered (or sent back)."""

    REFERRED = "referred", "已移交"
    ACCEPTED = "accepted", "部门已受理"
    ANSWERED = "answered", "已反馈办结"
    RETURNED = "returned", "部门退回"

    @property
    def colour(self) -> str:
        return {"referred": "warning", "accepted": "primary", "answered": "success", "returned": "dark"}[self.value]


REFERRAL_OPEN = (ReferralStatus.REFERRED, ReferralStatus.ACCEPTED)


class FilingKind(models.TextChoices):
    """备案 at the street service centre (clause 七.3)."""

    COMMITTEE_FORMED = "committee_formed", "物管会成立备案"
    COMMITTEE_CHANGED = "committee_changed", "物管会变更备案"
    OWNERS_ORGANISATION = "owners_organisation", "业主组织备案"
    SERVICE_CONTRACT = "service_contract", "物业服务合同备案"


class FilingStatus(models.TextChoices):
    SUBMITTED = "submitted", "待审查"
    CORRECTION = "correction", "需补正"
    ACCEPTED = "accepted", "已备案"
    REFUSED = "refused", "不予备案"

    @property
    def colour(self) -> str:
        return {"submitted": "secondary", "correction": "warning", "accepted": "success", "refused": "danger"}[
            self.value
        ]


FILING_DECIDED = (FilingStatus.REFUSED, FilingStatus.ACCEPTED)
