"""备案 at the street service centre: record a filing and decide it."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.rules import require
from core.validation import text_errors

from .. import validation as v
from ..choices import (
    FilingStatus,
)
from ..models import (
    Filing,
)
from .common import _estate_or_error, _writable


# --- filings ----------------------------------------------------------------------------------
@transaction.atomic
def create_filing(
    *,
    by,
    estate,
    kind: str,
    summary: str,
    applicant: str,
    submitted_on: dt.date | None,
    committee=None,
    owners_organisation=None,
    firm=None,
    contract_start=None,
    contract_end=None,
) -> Filing:
    require(by, "filing")
    errors = {}
    estate = _estate_or_error(by, estate, errors)
    errors |= v.filing_errors(
        kind=kind,
        submitted_on=submitted_on,
        committee=committee,
        owners_organisation=owners_organisation,
        firm=firm,
        contract_start=contract_start,
        contract_end=contract_end,
        estate=estate,
    )
    if not (summary or "").strip():
        errors["summary"] = "请填写备案事项。"
    if not (applicant or "").strip():
        errors["applicant"] = "请填写报送单位。"
    v.raise_if(errors)
    return Filing.objects.create(
        estate=estate,
        kind=kind,
        summary=summary.strip(),
        applicant=applicant.strip(),
        submitted_on=submitted_on,
        committee=committee,
        owners_organisation=owners_organisation,
        firm=firm,
        contract_start=contract_start,
        contract_end=contract_end,
        created_by=by,
    )


FILING_NEXT = {
    FilingStatus.SUBMITTED: {FilingStatus.CORRECTION, FilingStatus.ACCEPTED, FilingStatus.REFUSED},
    FilingStatus.CORRECTION: {FilingStatus.SUBMITTED, FilingStatus.ACCEPTED, FilingStatus.REFUSED},
    FilingStatus.ACCEPTED: set(),
    FilingStatus.REFUSED: set(),
}


@transaction.atomic
def decide_filing(filing: Filing, *, by, status: str, decided_on: dt.date | None = None, note: str = "") -> Filing:
    """审查: ask for corrections, record the resubmission, accept (已备案) or refuse."""
    require(by, "filing")
    filing = _writable(Filing, filing, by)
    if status not in FilingStatus.values or status not in FILING_NEXT[filing.status]:
        raise ValidationError({"status": f"当前状态为“{filing.get_status_display()}”，不能改为该状态。"})
    if status in (FilingStatus.ACCEPTED, FilingStatus.REFUSED):
        if decided_on is None:
            raise ValidationError({"decided_on": "请填写办结日期。"})
        if decided_on < filing.submitted_on or decided_on > timezone.localdate():
            raise ValidationError({"decided_on": "办结日期应在报送日期与今天之间。"})
        if msg := v.closed_year(decided_on):
            raise ValidationError({"decided_on": msg})
        filing.decided_on = decided_on
    v.raise_if(text_errors({}, note=(note, "note")))
    if status in (FilingStatus.CORRECTION, FilingStatus.REFUSED) and not note.strip():
        raise ValidationError({"note": "需补正或不予备案时请写明理由。"})
    filing.status = status
    if note.strip():
        filing.decision_note = note.strip()
    filing.save()
    return filing
