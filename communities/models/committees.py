"""物业管理委员会 and 业主组织 (clause 四, 八.2)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel
from core.scoping import ScopedManager
from core.validation import happened, plausible_date

from ..choices import CommitteeMemberRole, OwnersOrganisationKind, VettingUnit
from .estates import Estate, EstateScopedModel


class PropertyCommittee(TimeStampedModel, EstateScopedModel):
    """物业管理委员会（物管会）: sets the estate's service standard and supervises the firm (clause 四)."""

    estate = models.ForeignKey(Estate, verbose_name="小区", on_delete=models.PROTECT, related_name="committees")
    name = models.CharField("名称", max_length=100)
    formed_on = models.DateField("成立日期", validators=[happened])
    term_start = models.DateField("任期开始", validators=[plausible_date])
    term_end = models.DateField("任期结束", validators=[plausible_date])
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

    committee = models.ForeignKey(
        PropertyCommittee, verbose_name="物管会", on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField("姓名", max_length=50)
    role = models.CharField(
        "职务", max_length=16, choices=CommitteeMemberRole.choices, default=CommitteeMemberRole.MEMBER
    )
    is_owner = models.BooleanField("业主", default=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    history = HistoricalRecords()

    objects = ScopedManager()
    scope_paths = {
        "district": "committee__district_id",
        "street": "committee__street_id",
        "community": "committee__community_id",
        "estate": "committee__estate_id",
    }

    class Meta:
        verbose_name = verbose_name_plural = "物管会成员"
        ordering = ["committee", "role", "name"]

    def __str__(self):
        return self.name


class OwnersOrganisation(TimeStampedModel, EstateScopedModel):
    """业主组织: the owners' assembly (业主大会) and its committee (业委会); may hire a market firm."""

    estate = models.ForeignKey(
        Estate, verbose_name="小区", on_delete=models.PROTECT, related_name="owners_organisations"
    )
    kind = models.CharField("类型", max_length=16, choices=OwnersOrganisationKind.choices)
    established_on = models.DateField("成立日期", validators=[happened])
    term_end = models.DateField("任期结束", null=True, blank=True, validators=[plausible_date])
    chair = models.CharField("主任/召集人", max_length=50, blank=True)
    is_active = models.BooleanField("有效", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "业主组织"
        ordering = ["-established_on"]

    def __str__(self):
        return f"{self.estate.name}{self.get_kind_display()}"


class OrganisationNorm(models.Model):
    """Defaults for the organisation rules, as data (one row, editable in the admin): a committee's
    size, its share of owners, its longest term, how early a term's end is announced, and how
    early the coverage report lists a contract about to end."""

    committee_min_members = models.PositiveSmallIntegerField("物管会最少成员数", default=5)
    committee_max_members = models.PositiveSmallIntegerField("物管会最多成员数", default=11)
    committee_min_owner_share = models.DecimalField("业主成员最低占比", max_digits=3, decimal_places=2, default="0.50")
    committee_max_term_months = models.PositiveSmallIntegerField("物管会任期上限（月）", default=24)
    committee_term_warning_days = models.PositiveSmallIntegerField("任期届满提前提醒（天）", default=60)
    contract_warning_days = models.PositiveSmallIntegerField("合同到期提前提示（天）", default=90)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "组织管理默认规则"

    def __str__(self):
        return "组织管理默认规则"

    @classmethod
    def current(cls) -> OrganisationNorm:
        return cls.objects.order_by("pk").first() or cls()


class MemberVetting(TimeStampedModel):
    """资格审核: the street's or the community's check of a committee member for 公益心, 工作能力
    and 工作时间 (clause 四), with who confirmed it and when."""

    member = models.ForeignKey(CommitteeMember, verbose_name="成员", on_delete=models.CASCADE, related_name="vettings")
    unit = models.CharField("审核单位", max_length=12, choices=VettingUnit.choices)
    public_spirit = models.BooleanField("公益心", default=False)
    ability = models.BooleanField("工作能力", default=False)
    availability = models.BooleanField("工作时间", default=False)
    note = models.CharField("审核意见", max_length=200, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="确认人", on_delete=models.PROTECT, related_name="+"
    )
    confirmed_on = models.DateField("确认日期", validators=[happened])
    history = HistoricalRecords()

    objects = ScopedManager()
    scope_paths = {
        "district": "member__committee__district_id",
        "street": "member__committee__street_id",
        "community": "member__committee__community_id",
        "estate": "member__committee__estate_id",
    }

    class Meta:
        verbose_name = verbose_name_plural = "物管会成员资格审核"
        ordering = ["member", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "unit"],
                name="one_vetting_per_member_unit",
                violation_error_message="该成员已由该单位审核。",
            )
        ]

    @property
    def passed(self) -> bool:
        return self.public_spirit and self.ability and self.availability


class SupervisionRecord(TimeStampedModel, EstateScopedModel):
    """监督记录: the committee's supervision of the firm managing its estate (clause 四)."""

    committee = models.ForeignKey(
        PropertyCommittee, verbose_name="物管会", on_delete=models.CASCADE, related_name="supervisions"
    )
    estate = models.ForeignKey(Estate, verbose_name="小区", on_delete=models.PROTECT, related_name="+")
    date = models.DateField("检查日期", validators=[happened])
    firm = models.ForeignKey(
        "communities.ServiceFirm",
        verbose_name="被监督企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    findings = models.TextField("发现问题")
    rectification = models.TextField("整改要求与结果", blank=True)
    satisfied = models.BooleanField("服务达标", default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "物管会监督记录"
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.committee} {self.date:%Y-%m-%d}"
