"""联合执法: referrals of a dispute or an estate problem to a department of clause 一(三)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from communities.models import EstateScopedModel
from core.validation import happened, plausible_date

from ..choices import REFERRAL_OPEN, ReferralStatus
from .cases import DisputeCase
from .reference import Department

OPEN_REFERRAL = Q(status__in=list(REFERRAL_OPEN))


class EnforcementReferral(EstateScopedModel):
    """联合执法移交: the problem, the department, the due date, and the department's feedback."""

    dispute = models.ForeignKey(
        DisputeCase, verbose_name="来源纠纷", null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    department = models.ForeignKey(
        Department, verbose_name="执法部门", on_delete=models.PROTECT, related_name="referrals"
    )
    problem = models.TextField("移交事项")
    referred_on = models.DateField("移交日期", validators=[happened])
    due_on = models.DateField("办理期限", validators=[plausible_date])
    status = models.CharField("状态", max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.REFERRED)
    accepted_on = models.DateField("部门受理日期", null=True, blank=True, validators=[happened])
    answered_on = models.DateField("反馈日期", null=True, blank=True, validators=[happened])
    feedback = models.TextField("部门反馈", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="移交人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = verbose_name_plural = "联合执法移交"
        indexes = [
            models.Index(fields=["department", "due_on"], condition=OPEN_REFERRAL, name="referral_open_dept_due"),
            models.Index(fields=["district", "due_on"], condition=OPEN_REFERRAL, name="referral_open_district_due"),
            models.Index(fields=["street", "due_on"], condition=OPEN_REFERRAL, name="referral_open_street_due"),
            models.Index(fields=["district", "referred_on"], name="referral_district_date"),
            models.Index(fields=["street", "referred_on"], name="referral_street_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=F("referred_on")),
                name="referral_due_after_referred",
                violation_error_message="办理期限不能早于移交日期。",
            ),
            models.CheckConstraint(
                condition=Q(answered_on__isnull=True) | Q(answered_on__gte=F("referred_on")),
                name="referral_answer_after_referred",
                violation_error_message="反馈日期不能早于移交日期。",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status__in=[ReferralStatus.ANSWERED, ReferralStatus.RETURNED]) & Q(answered_on__isnull=False)
                )
                | (Q(status__in=[ReferralStatus.REFERRED, ReferralStatus.ACCEPTED]) & Q(answered_on__isnull=True)),
                name="referral_answer_has_date",
                violation_error_message="部门反馈须填写反馈日期。",
            ),
        ]

    def __str__(self):
        return f"联合执法 {self.number}"

    @property
    def number(self) -> str:
        return f"ZF{self.pk:06d}" if self.pk else "ZF（新）"

    @property
    def is_open(self) -> bool:
        return self.status in REFERRAL_OPEN

    def is_overdue(self, today) -> bool:
        return self.is_open and self.due_on < today

    @property
    def status_colour(self) -> str:
        return ReferralStatus(self.status).colour
