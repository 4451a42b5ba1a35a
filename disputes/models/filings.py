"""备案 at the street property service centre (clause 七.3: 开展各类行政备案)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from communities.models import EstateScopedModel, OwnersOrganisation, PropertyCommittee, ServiceFirm
from core.validation import happened, plausible_date

from ..choices import FilingKind, FilingStatus


class Filing(EstateScopedModel):
    """备案: a property committee formed or changed, an owners' organisation, a service contract."""

    kind = models.CharField("备案类型", max_length=24, choices=FilingKind.choices)
    summary = models.CharField("备案事项", max_length=200)
    committee = models.ForeignKey(
        PropertyCommittee,
        verbose_name="物管会",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="filings",
    )
    owners_organisation = models.ForeignKey(
        OwnersOrganisation,
        verbose_name="业主组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="filings",
    )
    firm = models.ForeignKey(
        ServiceFirm,
        verbose_name="物业服务企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="filings",
    )
    contract_start = models.DateField("合同起始日期", null=True, blank=True, validators=[plausible_date])
    contract_end = models.DateField("合同终止日期", null=True, blank=True, validators=[plausible_date])
    applicant = models.CharField("报送单位", max_length=100, help_text="如：某某小区物管会、某某物业服务有限公司")
    submitted_on = models.DateField("报送日期", validators=[happened])
    status = models.CharField("状态", max_length=16, choices=FilingStatus.choices, default=FilingStatus.SUBMITTED)
    decided_on = models.DateField("办结日期", null=True, blank=True, validators=[happened])
    decision_note = models.TextField("审查意见", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = verbose_name_plural = "备案"
        indexes = [
            models.Index(fields=["district", "submitted_on"], name="filing_district_date"),
            models.Index(fields=["street", "submitted_on"], name="filing_street_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=F("submitted_on")),
                name="filing_decided_after_submitted",
                violation_error_message="办结日期不能早于报送日期。",
            ),
            models.CheckConstraint(
                condition=(Q(status__in=[FilingStatus.REFUSED, FilingStatus.ACCEPTED]) & Q(decided_on__isnull=False))
                | (~Q(status__in=[FilingStatus.REFUSED, FilingStatus.ACCEPTED]) & Q(decided_on__isnull=True)),
                name="filing_decision_has_date",
                violation_error_message="已备案或不予备案须填写办结日期。",
            ),
            models.CheckConstraint(
                condition=Q(contract_start__isnull=True)
                | Q(contract_end__isnull=True)
                | Q(contract_end__gte=F("contract_start")),
                name="filing_contract_period",
                violation_error_message="合同终止日期不能早于起始日期。",
            ),
        ]

    def __str__(self):
        return f"备案 {self.number}"

    @property
    def number(self) -> str:
        return f"BA{self.pk:06d}" if self.pk else "BA（新）"

    @property
    def status_colour(self) -> str:
        return FilingStatus(self.status).colour
