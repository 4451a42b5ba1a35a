"""矛盾纠纷 (disputes): receive, the workflow's transitions, notes and the satisfaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.rules import require
from core.validation import text_errors

from .. import validation as v
from ..choices import (
    DISPUTE_OPEN,
    CaseType,
    DisputeStatus,
)
from ..limits import LimitTable, as_shanghai, deadline, local_date
from ..models import (
    Department,
    DisputeCase,
    DisputeEvent,
    EnforcementReferral,
)
from .common import NO_LIMIT, _estate_or_error, _now, _writable, add_note, record_satisfaction, save_step


# --- disputes ---------------------------------------------------------------------------------
@transaction.atomic
def create_dispute(
    *,
    by,
    estate,
    service_code: str,
    channel: str = "other",
    party_name: str = "",
    party_phone: str = "",
    respondent: str = "",
    description: str = "",
    requested_datetime: dt.datetime | None = None,
    building: str = "",
    unit: str = "",
    room: str = "",
) -> DisputeCase:
    """受理: a new dispute at the mediation station."""
    require(by, "case")
    requested = as_shanghai(requested_datetime) if requested_datetime else _now()
    errors = v.dispute_errors(requested=requested, closed=None, status=None, service_code=service_code, channel=channel)
    estate = _estate_or_error(by, estate, errors)
    text_errors(errors, description=(description, "description"))
    try:
        phone = v.normalise_phone(party_phone)
    except ValidationError as exc:
        errors["party_phone"] = exc.messages[0]
    v.raise_if(errors)
    hours = LimitTable.load().hours_for(CaseType.DISPUTE, service_code, "", requested)
    if hours is None:
        raise ValidationError({"service_code": NO_LIMIT})
    dispute = DisputeCase(
        estate=estate,
        service_code=service_code,
        channel=channel,
        party_name=party_name.strip(),
        party_phone=phone,
        respondent=respondent.strip(),
        description=description.strip(),
        requested_datetime=requested,
        limit_hours=hours,
        expected_datetime=deadline(requested, hours),
        created_by=by,
        building=building.strip(),
        unit=unit.strip(),
        room=room.strip(),
    )
    dispute.save()
    DisputeEvent.objects.create(
        dispute=dispute, action=DisputeEvent.Action.RECEIVED, to_status=dispute.status, at=requested, actor=by, note=""
    )
    return dispute


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str
    rule: str
    event: str
    label: str


DISPUTE_TRANSITIONS = {
    "start": Transition(
        frozenset({DisputeStatus.RECEIVED}), DisputeStatus.MEDIATING, "case", DisputeEvent.Action.START, "开始调解"
    ),
    "resolve": Transition(
        frozenset({DisputeStatus.MEDIATING}), DisputeStatus.RESOLVED, "case", DisputeEvent.Action.RESOLVE, "调解成功"
    ),
    "refer": Transition(
        frozenset(DISPUTE_OPEN), DisputeStatus.REFERRED, "referral", DisputeEvent.Action.REFER, "转联合执法"
    ),
    "terminate": Transition(
        frozenset(DISPUTE_OPEN), DisputeStatus.TERMINATED, "case", DisputeEvent.Action.TERMINATE, "终止调解"
    ),
}


def dispute_actions_for(user, dispute) -> list[str]:
    """The workflow steps this user may take on this dispute now (for the page's buttons)."""
    from accounts.rules import can

    if not DisputeCase.objects.writable_by(user).filter(pk=dispute.pk).exists():
        return []
    return [name for name, t in DISPUTE_TRANSITIONS.items() if dispute.status in t.sources and can(user, t.rule)]


@transaction.atomic
def transition_dispute(
    dispute: DisputeCase,
    action: str,
    *,
    by,
    at: dt.datetime | None = None,
    note: str = "",
    department: Department | None = None,
    due_on: dt.date | None = None,
    problem: str = "",
    public_note: str = "",
) -> DisputeCase:
    """A workflow step: 开始调解, 调解成功, 转联合执法 (with the referral), 终止调解."""
    transition = DISPUTE_TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError({"action": "未知的办理步骤。"})
    require(by, transition.rule)
    dispute = _writable(DisputeCase, dispute, by)
    if dispute.status not in transition.sources:
        raise ValidationError({"action": f"当前状态为“{dispute.get_status_display()}”，不能执行“{transition.label}”。"})
    at = as_shanghai(at) if at else _now()
    label = f"{transition.label}时间"
    last = dispute.events.order_by("-at").values_list("at", flat=True).first() or dispute.requested_datetime
    if at < dispute.requested_datetime:
        errors = {"at": f"{label}不能早于受理时间。"}
    else:
        errors = v.step_time_errors(at, after=last, after_label="上一办理步骤", label=label)
    if transition.target == DisputeStatus.REFERRED:
        referred_on = local_date(at)
        errors.update(v.referral_errors(department=department, referred_on=referred_on, due_on=due_on))
    text_errors(errors, note=(note, "note"), problem=(problem, "description"))
    v.raise_if(errors)
    previous = dispute.status
    dispute.status = transition.target
    if transition.target != DisputeStatus.MEDIATING:
        dispute.closed_datetime = at
    if transition.target == DisputeStatus.REFERRED:
        dispute.referred_department = department
    save_step(dispute, previous=previous, action=transition.event, at=at, by=by, note=note, public_note=public_note)
    if transition.target == DisputeStatus.REFERRED:
        EnforcementReferral.objects.create(
            estate=dispute.estate,
            dispute=dispute,
            department=department,
            problem=(problem or dispute.description or note or dispute.get_service_code_display()).strip(),
            referred_on=local_date(at),
            due_on=due_on,
            created_by=by,
        )
    return dispute


@transaction.atomic
def add_dispute_note(
    dispute: DisputeCase, *, by, note: str, at: dt.datetime | None = None, public_note: str = ""
) -> DisputeCase:
    """进展情况 of a dispute (common.add_note)."""
    return add_note(DisputeCase, dispute, by=by, note=note, public_note=public_note, at=at, received_label="受理时间")


@transaction.atomic
def record_dispute_satisfaction(dispute: DisputeCase, *, by, satisfaction: str, note: str = "") -> DisputeCase:
    """回访: the resident's satisfaction, once the dispute is closed (common.record_satisfaction)."""
    return record_satisfaction(
        DisputeCase,
        dispute,
        by=by,
        satisfaction=satisfaction,
        note=note,
        done_field="closed_datetime",
        not_done="纠纷办结后才能登记满意度。",
    )
