"""联合执法 (referrals to the enforcement departments): refer, accepted, answered or returned."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.rules import require
from core.validation import text_errors

from .. import validation as v
from ..choices import (
    ReferralStatus,
)
from ..models import (
    Department,
    DisputeCase,
    EnforcementReferral,
)
from .common import _estate_or_error, _writable


# --- joint enforcement ------------------------------------------------------------------------
@transaction.atomic
def create_referral(
    *,
    by,
    estate,
    department: Department | None,
    problem: str,
    referred_on: dt.date | None,
    due_on: dt.date | None,
    dispute: DisputeCase | None = None,
) -> EnforcementReferral:
    """移交联合执法: an estate problem sent to a department (a dispute is referred through its
    own workflow step, transition_dispute(..., 'refer'))."""
    require(by, "referral")
    errors = v.referral_errors(department=department, referred_on=referred_on, due_on=due_on)
    estate = _estate_or_error(by, estate, errors)
    if not (problem or "").strip():
        errors["problem"] = "请填写移交事项。"
    text_errors(errors, problem=(problem, "description"))
    v.raise_if(errors)
    return EnforcementReferral.objects.create(
        estate=estate,
        dispute=dispute,
        department=department,
        problem=problem.strip(),
        referred_on=referred_on,
        due_on=due_on,
        created_by=by,
    )


@transaction.atomic
def accept_referral(referral: EnforcementReferral, *, by, accepted_on: dt.date | None) -> EnforcementReferral:
    require(by, "referral")
    referral = _writable(EnforcementReferral, referral, by)
    if referral.status != ReferralStatus.REFERRED:
        raise ValidationError({"action": f"当前状态为“{referral.get_status_display()}”，不能登记部门受理。"})
    if accepted_on is None or accepted_on < referral.referred_on or accepted_on > timezone.localdate():
        raise ValidationError({"accepted_on": "受理日期应在移交日期与今天之间。"})
    if msg := v.closed_year(accepted_on):
        raise ValidationError({"accepted_on": msg})
    referral.status, referral.accepted_on = ReferralStatus.ACCEPTED, accepted_on
    referral.save()
    return referral


@transaction.atomic
def answer_referral(
    referral: EnforcementReferral, *, by, answered_on: dt.date | None, feedback: str, returned: bool = False
) -> EnforcementReferral:
    """The department's feedback: done (已反馈办结) or sent back (退回)."""
    require(by, "referral")
    referral = _writable(EnforcementReferral, referral, by)
    if not referral.is_open:
        raise ValidationError({"action": f"当前状态为“{referral.get_status_display()}”，不能再登记反馈。"})
    v.raise_if(
        text_errors(
            v.answer_errors(referred_on=referral.referred_on, answered_on=answered_on, feedback=feedback),
            feedback=(feedback, "description"),
        )
    )
    referral.status = ReferralStatus.RETURNED if returned else ReferralStatus.ANSWERED
    referral.answered_on, referral.feedback = answered_on, feedback.strip()
    referral.save()
    return referral
