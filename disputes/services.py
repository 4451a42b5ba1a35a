"""Domain operations of the two stations and the service centre. Each takes the acting user
(`by=`), checks the rule (accounts.rules) and the scope, validates (disputes.validation), runs
in one transaction and records the step in the case's timeline. Views, the API, the importers
and the commands call these; none reimplements them.

Refusals: PermissionDenied (403) when the role may not do this at all or the object is outside
the user's writing scope; ValidationError (Chinese, by field) when the input is wrong.
Nothing is written in either case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.choices import Role
from accounts.rules import require
from communities.models import Estate
from core.locking import check_version, seen_version
from core.money import yuan_to_fen
from core.scoping import Level
from core.validation import text_errors

from . import validation as v
from .choices import (
    DISPUTE_OPEN,
    CaseType,
    DisputeStatus,
    FilingStatus,
    ReferralStatus,
    RepairStatus,
    Satisfaction,
    SatisfactionSource,
)
from .limits import LimitTable, as_shanghai, deadline, local_date
from .models import (
    Attachment,
    Department,
    DisputeCase,
    DisputeEvent,
    EnforcementReferral,
    Filing,
    RepairEvent,
    RepairRequest,
    RepairTeam,
    Station,
)

NO_LIMIT = "没有适用的处理时限，请联系市房产局在“处理时限”中维护。"


def _writable(model, obj, user):
    """The object, locked, if the user may write it (scope); PermissionDenied otherwise.

    For a versioned case (core.locking) marked with the version the user saw (the page's
    hidden field, the API's If-Match): EditConflict if the case changed since."""
    locked = model.objects.writable_by(user).select_for_update().filter(pk=obj.pk).first()
    if locked is None:
        raise PermissionDenied("该记录不在您的辖区内，不能修改。")
    if hasattr(locked, "version"):
        check_version(locked, seen_version(obj))
    return locked


def writable_estate(user, estate) -> Estate:
    """The estate, if the user may record cases for it; a ValidationError otherwise (the same
    words for an unknown estate and one outside the user's scope)."""
    if estate is None:
        raise ValidationError({"estate": v.ESTATE_NOT_FOUND})
    pk = estate.pk if isinstance(estate, Estate) else estate
    found = Estate.objects.writable_by(user).filter(pk=pk).first()
    if found is None:
        raise ValidationError({"estate": v.ESTATE_NOT_FOUND})
    return found


def _estate_or_error(user, estate, errors: dict):
    """writable_estate, its refusal collected into `errors` with the other rules' (every
    message in one round) rather than raised alone."""
    try:
        return writable_estate(user, estate)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        return None


def _now():
    return timezone.now()


def _public(case, public_note: str) -> str:
    """A note staff mark 对居民公开: kept on the step and, as the latest, on the case."""
    public_note = (public_note or "").strip()[:500]
    if public_note:
        case.public_note = public_note
    return public_note


def _satisfaction(value: str) -> str:
    if value not in Satisfaction.values:
        raise ValidationError({"satisfaction": "请选择满意度：满意、基本满意或不满意。"})
    return value


# --- disputes ---------------------------------------------------------------------------------
@transaction.atomic
def create_dispute(*, by, estate, service_code: str, channel: str = "other", party_name: str = "",
                   party_phone: str = "", respondent: str = "", description: str = "",
                   requested_datetime: dt.datetime | None = None, building: str = "", unit: str = "",
                   room: str = "") -> DisputeCase:
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
        estate=estate, service_code=service_code, channel=channel, party_name=party_name.strip(),
        party_phone=phone, respondent=respondent.strip(), description=description.strip(),
        requested_datetime=requested, limit_hours=hours, expected_datetime=deadline(requested, hours),
        created_by=by, building=building.strip(), unit=unit.strip(), room=room.strip(),
    )
    dispute.save()
    DisputeEvent.objects.create(dispute=dispute, action=DisputeEvent.Action.RECEIVED, to_status=dispute.status,
                                at=requested, actor=by, note="")
    return dispute


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str
    rule: str
    event: str
    label: str


DISPUTE_TRANSITIONS = {
    "start": Transition(frozenset({DisputeStatus.RECEIVED}), DisputeStatus.MEDIATING, "case",
                        DisputeEvent.Action.START, "开始调解"),
    "resolve": Transition(frozenset({DisputeStatus.MEDIATING}), DisputeStatus.RESOLVED, "case",
                          DisputeEvent.Action.RESOLVE, "调解成功"),
    "refer": Transition(frozenset(DISPUTE_OPEN), DisputeStatus.REFERRED, "referral",
                        DisputeEvent.Action.REFER, "转联合执法"),
    "terminate": Transition(frozenset(DISPUTE_OPEN), DisputeStatus.TERMINATED, "case",
                            DisputeEvent.Action.TERMINATE, "终止调解"),
}


def dispute_actions_for(user, dispute) -> list[str]:
    """The workflow steps this user may take on this dispute now (for the page's buttons)."""
    from accounts.rules import can

    if not DisputeCase.objects.writable_by(user).filter(pk=dispute.pk).exists():
        return []
    return [name for name, t in DISPUTE_TRANSITIONS.items() if dispute.status in t.sources and can(user, t.rule)]


@transaction.atomic
def transition_dispute(dispute: DisputeCase, action: str, *, by, at: dt.datetime | None = None, note: str = "",
                       department: Department | None = None, due_on: dt.date | None = None,
                       problem: str = "", public_note: str = "") -> DisputeCase:
    """A workflow step: 开始调解, 调解成功, 转联合执法 (with the referral), 终止调解."""
    transition = DISPUTE_TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError({"action": "未知的办理步骤。"})
    require(by, transition.rule)
    dispute = _writable(DisputeCase, dispute, by)
    if dispute.status not in transition.sources:
        raise ValidationError(
            {"action": f"当前状态为“{dispute.get_status_display()}”，不能执行“{transition.label}”。"}
        )
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
    if note:
        dispute.status_notes = note[:500]
    public_note = _public(dispute, public_note)
    dispute.save()
    DisputeEvent.objects.create(dispute=dispute, action=transition.event, from_status=previous,
                                to_status=dispute.status, at=at, actor=by, note=note, public_note=public_note)
    if transition.target == DisputeStatus.REFERRED:
        EnforcementReferral.objects.create(
            estate=dispute.estate, dispute=dispute, department=department,
            problem=(problem or dispute.description or note or dispute.get_service_code_display()).strip(),
            referred_on=local_date(at), due_on=due_on, created_by=by,
        )
    return dispute


@transaction.atomic
def add_dispute_note(dispute: DisputeCase, *, by, note: str, at: dt.datetime | None = None,
                     public_note: str = "") -> DisputeCase:
    require(by, "case")
    dispute = _writable(DisputeCase, dispute, by)
    if not note.strip() and not public_note.strip():
        raise ValidationError({"note": "请填写进展情况。"})
    v.raise_if(text_errors({}, note=(note, "note")))
    at = as_shanghai(at) if at else _now()
    v.raise_if(v.step_time_errors(at, after=dispute.requested_datetime, after_label="受理时间", label="记录时间"))
    if note.strip():
        dispute.status_notes = note.strip()[:500]
    public_note = _public(dispute, public_note)
    dispute.save(update_fields=["status_notes", "public_note", "updated_datetime"])
    DisputeEvent.objects.create(dispute=dispute, action=DisputeEvent.Action.NOTE, at=at, actor=by, note=note.strip(),
                                public_note=public_note)
    return dispute


@transaction.atomic
def record_dispute_satisfaction(dispute: DisputeCase, *, by, satisfaction: str, note: str = "") -> DisputeCase:
    """回访: the resident's satisfaction, once the dispute is closed."""
    require(by, "case")
    dispute = _writable(DisputeCase, dispute, by)
    if dispute.closed_datetime is None:
        raise ValidationError({"satisfaction": "纠纷办结后才能登记满意度。"})
    dispute.satisfaction = _satisfaction(satisfaction)
    dispute.satisfaction_note = note.strip()[:200]
    dispute.satisfaction_source, dispute.rated_datetime = SatisfactionSource.CALLBACK, _now()
    dispute.save()
    DisputeEvent.objects.create(dispute=dispute, action=DisputeEvent.Action.SATISFACTION, at=_now(), actor=by,
                                note=f"{dispute.get_satisfaction_display()}{('：' + dispute.satisfaction_note) if dispute.satisfaction_note else ''}")
    return dispute


# --- repairs ----------------------------------------------------------------------------------
def _estate_point(estate):
    return estate.latitude, estate.longitude


@transaction.atomic
def create_repair(*, by, estate, service_code: str, urgency: str, description: str = "", building: str = "",
                  unit: str = "", channel: str = "phone", reporter_name: str = "", reporter_phone: str = "",
                  requested_datetime: dt.datetime | None = None, lat=None, long=None, room: str = "") -> RepairRequest:
    """报修登记: a new repair request at the emergency repair station."""
    require(by, "case")
    requested = as_shanghai(requested_datetime) if requested_datetime else _now()
    errors = v.repair_errors(requested=requested, service_code=service_code, urgency=urgency, channel=channel)
    estate = _estate_or_error(by, estate, errors)
    try:
        phone = v.normalise_phone(reporter_phone)
    except ValidationError as exc:
        errors["reporter_phone"] = exc.messages[0]
    v.raise_if(errors)
    hours = LimitTable.load().hours_for(CaseType.REPAIR, service_code, urgency, requested)
    if hours is None:
        raise ValidationError({"urgency": NO_LIMIT})
    if lat is None and long is None:
        lat, long = _estate_point(estate)
    repair = RepairRequest(
        estate=estate, service_code=service_code, urgency=urgency, description=description.strip(),
        building=building.strip(), unit=unit.strip(), channel=channel, reporter_name=reporter_name.strip(),
        reporter_phone=phone, requested_datetime=requested, limit_hours=hours,
        expected_datetime=deadline(requested, hours), lat=lat, long=long, created_by=by, room=room.strip(),
    )
    repair.save()
    RepairEvent.objects.create(repair=repair, action=RepairEvent.Action.RECEIVED, to_status=repair.status,
                               at=requested, actor=by)
    return repair


def _repair_step(repair, by, at, sources, label, after_field, after_label):
    require(by, "case")
    repair = _writable(RepairRequest, repair, by)
    if repair.status not in sources:
        raise ValidationError({"action": f"当前状态为“{repair.get_status_display()}”，不能{label}。"})
    at = as_shanghai(at) if at else _now()
    after = getattr(repair, after_field) or repair.requested_datetime
    v.raise_if(v.step_time_errors(at, after=after, after_label=after_label, label=f"{label}时间"))
    return repair, at


@transaction.atomic
def dispatch_repair(repair: RepairRequest, *, by, team: RepairTeam, at: dt.datetime | None = None,
                    note: str = "", public_note: str = "") -> RepairRequest:
    """派单 to a repair team of the street (re-dispatching before arrival is allowed)."""
    repair, at = _repair_step(repair, by, at, {RepairStatus.OPEN, RepairStatus.DISPATCHED}, "派单",
                              "requested_datetime", "报修时间")
    if team is None or not RepairTeam.objects.filter(pk=team.pk, street_id=repair.street_id, is_active=True).exists():
        raise ValidationError({"team": "请选择本街道在用的维修队伍。"})
    previous = repair.status
    repair.team, repair.dispatched_datetime, repair.status = team, at, RepairStatus.DISPATCHED
    if note:
        repair.status_notes = note[:500]
    public_note = _public(repair, public_note)
    repair.save()
    RepairEvent.objects.create(repair=repair, action=RepairEvent.Action.DISPATCH, from_status=previous,
                               to_status=repair.status, at=at, actor=by, note=f"{team.name}{('：' + note) if note else ''}",
                               public_note=public_note)
    return repair


@transaction.atomic
def record_arrival(repair: RepairRequest, *, by, at: dt.datetime | None = None, note: str = "",
                   public_note: str = "") -> RepairRequest:
    repair, at = _repair_step(repair, by, at, {RepairStatus.DISPATCHED}, "登记到场", "dispatched_datetime", "派单时间")
    previous = repair.status
    repair.arrived_datetime, repair.status = at, RepairStatus.ARRIVED
    if note:
        repair.status_notes = note[:500]
    public_note = _public(repair, public_note)
    repair.save()
    RepairEvent.objects.create(repair=repair, action=RepairEvent.Action.ARRIVE, from_status=previous,
                               to_status=repair.status, at=at, actor=by, note=note, public_note=public_note)
    return repair


def parse_cost(value) -> int | None:
    """Yuan as typed (at most two decimals, not negative) → fen; '' → None."""
    from decimal import Decimal, InvalidOperation

    if value is None or str(value).strip() == "":
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ValidationError({"cost": "维修费用应为金额（元），如 350.00。"}) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError({"cost": "维修费用不能为负数。"})
    if amount.as_tuple().exponent < -2:
        raise ValidationError({"cost": "维修费用最多保留两位小数。"})
    if amount > Decimal("100000000"):
        raise ValidationError({"cost": "维修费用过大，请核对。"})
    return yuan_to_fen(amount)


@transaction.atomic
def complete_repair(repair: RepairRequest, *, by, at: dt.datetime | None = None, cost=None,
                    note: str = "", public_note: str = "") -> RepairRequest:
    """完成: the completion time (not before the report, nor the arrival) and the cost."""
    repair, at = _repair_step(repair, by, at, {RepairStatus.DISPATCHED, RepairStatus.ARRIVED}, "登记完成",
                              "arrived_datetime", "到场时间")
    if at < repair.requested_datetime:
        raise ValidationError({"at": "完成时间不能早于报修时间。"})
    cost_fen = parse_cost(cost)
    previous = repair.status
    repair.completed_datetime, repair.status, repair.cost_fen = at, RepairStatus.COMPLETED, cost_fen
    if note:
        repair.status_notes = note[:500]
    public_note = _public(repair, public_note)
    repair.save()
    RepairEvent.objects.create(repair=repair, action=RepairEvent.Action.COMPLETE, from_status=previous,
                               to_status=repair.status, at=at, actor=by, note=note, public_note=public_note)
    return repair


@transaction.atomic
def add_repair_note(repair: RepairRequest, *, by, note: str, public_note: str = "") -> RepairRequest:
    require(by, "case")
    repair = _writable(RepairRequest, repair, by)
    if not note.strip() and not public_note.strip():
        raise ValidationError({"note": "请填写进展情况。"})
    v.raise_if(text_errors({}, note=(note, "note"), public_note=(public_note, "note")))
    if note.strip():
        repair.status_notes = note.strip()[:500]
    public_note = _public(repair, public_note)
    repair.save(update_fields=["status_notes", "public_note", "updated_datetime"])
    RepairEvent.objects.create(repair=repair, action=RepairEvent.Action.NOTE, at=_now(), actor=by, note=note.strip(),
                               public_note=public_note)
    return repair


@transaction.atomic
def record_repair_satisfaction(repair: RepairRequest, *, by, satisfaction: str, note: str = "") -> RepairRequest:
    require(by, "case")
    repair = _writable(RepairRequest, repair, by)
    if repair.completed_datetime is None:
        raise ValidationError({"satisfaction": "维修完成后才能登记满意度。"})
    repair.satisfaction = _satisfaction(satisfaction)
    repair.satisfaction_note = note.strip()[:200]
    repair.satisfaction_source, repair.rated_datetime = SatisfactionSource.CALLBACK, _now()
    repair.save()
    RepairEvent.objects.create(repair=repair, action=RepairEvent.Action.SATISFACTION, at=_now(), actor=by,
                               note=f"{repair.get_satisfaction_display()}{('：' + repair.satisfaction_note) if repair.satisfaction_note else ''}")
    return repair


# --- joint enforcement ------------------------------------------------------------------------
@transaction.atomic
def create_referral(*, by, estate, department: Department | None, problem: str, referred_on: dt.date | None,
                    due_on: dt.date | None, dispute: DisputeCase | None = None) -> EnforcementReferral:
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
        estate=estate, dispute=dispute, department=department, problem=problem.strip(),
        referred_on=referred_on, due_on=due_on, created_by=by,
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
def answer_referral(referral: EnforcementReferral, *, by, answered_on: dt.date | None, feedback: str,
                    returned: bool = False) -> EnforcementReferral:
    """The department's feedback: done (已反馈办结) or sent back (退回)."""
    require(by, "referral")
    referral = _writable(EnforcementReferral, referral, by)
    if not referral.is_open:
        raise ValidationError({"action": f"当前状态为“{referral.get_status_display()}”，不能再登记反馈。"})
    v.raise_if(text_errors(v.answer_errors(referred_on=referral.referred_on, answered_on=answered_on, feedback=feedback),
                           feedback=(feedback, "description")))
    referral.status = ReferralStatus.RETURNED if returned else ReferralStatus.ANSWERED
    referral.answered_on, referral.feedback = answered_on, feedback.strip()
    referral.save()
    return referral


# --- filings ----------------------------------------------------------------------------------
@transaction.atomic
def create_filing(*, by, estate, kind: str, summary: str, applicant: str, submitted_on: dt.date | None,
                  committee=None, owners_organisation=None, firm=None, contract_start=None,
                  contract_end=None) -> Filing:
    require(by, "filing")
    errors = {}
    estate = _estate_or_error(by, estate, errors)
    errors |= v.filing_errors(kind=kind, submitted_on=submitted_on, committee=committee,
                             owners_organisation=owners_organisation, firm=firm, contract_start=contract_start,
                             contract_end=contract_end, estate=estate)
    if not (summary or "").strip():
        errors["summary"] = "请填写备案事项。"
    if not (applicant or "").strip():
        errors["applicant"] = "请填写报送单位。"
    v.raise_if(errors)
    return Filing.objects.create(
        estate=estate, kind=kind, summary=summary.strip(), applicant=applicant.strip(), submitted_on=submitted_on,
        committee=committee, owners_organisation=owners_organisation, firm=firm,
        contract_start=contract_start, contract_end=contract_end, created_by=by,
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


# --- stations and teams -----------------------------------------------------------------------
def _street_for(by, street):
    from communities.models import Street

    found = Street.objects.filter(pk=getattr(street, "pk", street)).first() if street else None
    if found is None:
        raise ValidationError({"street": "街道不存在。"})
    level_ok = by.scope_level == Level.CITY or (by.street_id == found.pk and by.role == Role.STREET_CLERK)
    if not level_ok:
        raise PermissionDenied("只能维护本街道的站点和队伍。")
    return found


STATION_FIELDS = ("name", "address", "phone", "hours", "staff_on_duty", "note")
TEAM_FIELDS = ("name", "kind", "firm", "leader", "phone", "members", "is_active")


@transaction.atomic
def save_station(*, by, street, kind: str, **fields) -> Station:
    """Create or update the station of this kind for the street (one per street and kind)."""
    require(by, "station")
    street = _street_for(by, street)
    station = Station.objects.select_for_update().filter(street=street, kind=kind).first() or Station(street=street, kind=kind)
    for name in STATION_FIELDS:
        if name in fields:
            setattr(station, name, (fields[name] or "").strip())
    errors = {f: "必填。" for f in ("name", "address", "phone", "hours") if not getattr(station, f)}
    text_errors(errors, staff_on_duty=(station.staff_on_duty, "list"), note=(station.note, "note"))
    v.raise_if(errors)
    station.save()
    return station


@transaction.atomic
def save_team(*, by, street, team: RepairTeam | None = None, **fields) -> RepairTeam:
    require(by, "station")
    street = _street_for(by, street)
    if team is not None:
        team = RepairTeam.objects.select_for_update().filter(pk=team.pk, street=street).first()
        if team is None:
            raise PermissionDenied("只能维护本街道的维修队伍。")
    else:
        team = RepairTeam(street=street)
    for name in TEAM_FIELDS:
        if name in fields:
            setattr(team, name, fields[name])
    errors = {}
    if not (team.name or "").strip():
        errors["name"] = "请填写队伍名称。"
    if team.kind in ("public_welfare", "contracted") and team.firm is None:
        errors["firm"] = "委托企业或签约单位须选择所属企业。"
    if team.kind == "public_welfare" and team.firm is not None and not team.firm.is_public_welfare:
        errors["firm"] = "所选企业不是公益性物业服务企业。"
    if (team.name or "").strip() and RepairTeam.objects.filter(street=street, name=team.name.strip()).exclude(pk=team.pk).exists():
        errors["name"] = "该街道已有同名维修队伍。"
    v.raise_if(errors)
    team.name = team.name.strip()
    team.save()
    return team


# --- attachments ------------------------------------------------------------------------------
ALLOWED_SUFFIXES = {"pdf", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx", "txt"}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_RULE = {DisputeCase: "case", RepairRequest: "case", EnforcementReferral: "referral", Filing: "filing"}
ATTACHMENT_FIELD = {DisputeCase: "dispute", RepairRequest: "repair", EnforcementReferral: "referral", Filing: "filing"}


@transaction.atomic
def add_attachment(parent, *, by, upload) -> Attachment:
    model = type(parent)
    require(by, ATTACHMENT_RULE[model])
    parent = _writable(model, parent, by)
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in ALLOWED_SUFFIXES:
        raise ValidationError({"file": "只能上传 PDF、图片（JPG/PNG）、Word、Excel 或文本文件。"})
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": "单个附件不能超过10MB。"})
    if upload.size == 0:
        raise ValidationError({"file": "文件是空的。"})
    attachment = Attachment(estate_id=parent.estate_id, name=name, size=upload.size, uploaded_by=by,
                            **{ATTACHMENT_FIELD[model]: parent})
    attachment.file.save(name, upload, save=False)
    attachment.save()
    return attachment


# --- the residents' channel (居民自报) ----------------------------------------------------------
# The residents' public pages (residents/) call these; the acting user of a resident's own
# report is the built-in system account (系统), never a person.
def _system_user():
    from accounts.models import SYSTEM_USERNAME, User

    return User.objects.get(username=SYSTEM_USERNAME, is_system=True)


def _duplicate_window() -> dt.timedelta:
    from django.conf import settings

    return dt.timedelta(hours=settings.RESIDENTS_DUPLICATE_HOURS)


def find_duplicate(case):
    """An earlier valid case of the same estate, category and room within the duplicate window
    (RESIDENTS_DUPLICATE_HOURS, 2 h): flagged for the clerk and linked, never merged."""
    if not (case.building or case.unit or case.room):
        return None  # no room given: nothing to say it is the same place
    model = type(case)
    return (
        model.objects.filter(estate_id=case.estate_id, service_code=case.service_code, building=case.building,
                             unit=case.unit, room=case.room,
                             requested_datetime__gte=case.requested_datetime - _duplicate_window(),
                             requested_datetime__lte=case.requested_datetime)
        .exclude(pk=case.pk).exclude(status="invalid").order_by("requested_datetime", "id").first()
    )


@transaction.atomic
def receive_resident_report(*, kind: str, estate, service_code: str, urgency: str = "", description: str,
                            building: str = "", unit: str = "", room: str = "", name: str = "",
                            phone: str) -> DisputeCase | RepairRequest:
    """A resident's own report from the estate's public page: a repair (报修) or a dispute
    (矛盾纠纷求助) of the estate's street, channel 居民自报, received now by the server's clock
    (the time limit runs from it; no one types it), with its own tracking token."""
    import secrets

    by = _system_user()
    errors = {}
    if kind not in (CaseType.REPAIR, CaseType.DISPUTE):
        errors["kind"] = "请选择报修或矛盾纠纷求助。"
    if not (description or "").strip():
        errors["description"] = "请简要描述情况。"
    elif len(description.strip()) > 500:
        errors["description"] = "情况描述不能超过500字。"
    if not v._MOBILE.fullmatch((phone or "").strip()):
        errors["phone"] = "请填写11位手机号码。"
    v.raise_if(errors)
    common = {"by": by, "estate": estate, "service_code": service_code, "description": description,
              "building": building, "unit": unit, "room": room, "channel": "resident"}
    if kind == CaseType.REPAIR:
        case = create_repair(urgency=urgency, reporter_name=name, reporter_phone=phone, **common)
    else:
        case = create_dispute(party_name=name, party_phone=phone, **common)
    case.tracking_token = secrets.token_urlsafe(24)
    case.duplicate_of = find_duplicate(case)
    case.save(update_fields=["tracking_token", "duplicate_of"])
    return case


def _case_models():
    return ((DisputeCase, DisputeStatus.RECEIVED, "closed_datetime"), (RepairRequest, RepairStatus.OPEN, "completed_datetime"))


def new_resident_cases_count(user) -> int:
    """New resident reports (居民自报, not yet acted on) the user sees: the street clerk's count."""
    return sum(model.objects.visible_to(user).filter(channel="resident", status=first).count()
               for model, first, _closed in _case_models())


def _event_model(case):
    return DisputeEvent if isinstance(case, DisputeCase) else RepairEvent


def _log(case, action: str, *, by, note: str = "", public_note: str = "", previous: str | None = None, at=None):
    """A step of the timeline; `previous` is the status before a step that changed it."""
    model = _event_model(case)
    parent = "dispute" if isinstance(case, DisputeCase) else "repair"
    changed = previous is not None and previous != case.status
    return model.objects.create(**{parent: case}, action=action, from_status=previous if changed else "",
                                to_status=case.status if changed else "", at=at or _now(), actor=by,
                                note=note, public_note=public_note)


@transaction.atomic
def mark_invalid(case, *, by, reason: str, note: str = "", duplicate_number: str = ""):
    """标记无效: spam, a duplicate of case N (of the same street), or outside the remit. The case
    is closed with the reason the resident sees; nothing is deleted; it counts in no rate."""
    from .choices import InvalidReason

    model = type(case)
    require(by, "case")
    case = _writable(model, case, by)
    closed_field = "closed_datetime" if model is DisputeCase else "completed_datetime"
    if getattr(case, closed_field) is not None:
        raise ValidationError({"reason": "已办结的案件不能标记无效。"})
    if reason not in InvalidReason.values:
        raise ValidationError({"reason": "请选择无效原因。"})
    original = None
    if reason == InvalidReason.DUPLICATE:
        number = (duplicate_number or "").strip().upper()
        prefix = "JF" if model is DisputeCase else "WX"
        pk = int(number[2:]) if number.startswith(prefix) and number[2:].isdigit() and len(number) <= 20 else None
        original = model.objects.filter(pk=pk, street_id=case.street_id).exclude(pk=case.pk).first() if pk else None
        if original is None:
            raise ValidationError({"duplicate_number": f"请填写本街道的另一件案件编号，如 {prefix}000123。"})
    previous = case.status
    now = _now()
    case.status = "invalid"
    setattr(case, closed_field, max(now, case.requested_datetime))
    case.invalid_reason, case.invalid_note = reason, (note or "").strip()[:200]
    if original is not None:
        case.duplicate_of = original
    case.save()
    label = InvalidReason(reason).label + (f"（与 {original.number} 重复）" if original else "")
    _log(case, "invalid", by=by, previous=previous, note=label,
         public_note=label + (f"：{case.invalid_note}" if case.invalid_note else ""))
    return case


def rating_deadline(case):
    """The last moment the resident may rate: RATING_DAYS after the case was closed."""
    from django.conf import settings

    closed = case.closed_datetime if isinstance(case, DisputeCase) else case.completed_datetime
    return None if closed is None else closed + dt.timedelta(days=settings.RATING_DAYS)


def may_rate(case, now=None) -> bool:
    """Once, by the resident, after the case was closed with an outcome (not 无效), within RATING_DAYS."""
    end = rating_deadline(case)
    return (case.status != "invalid" and end is not None and not case.satisfaction
            and not case.rated_datetime and (now or _now()) <= end)


@transaction.atomic
def rate_by_resident(case, *, satisfaction: str, comment: str = ""):
    """The resident's rating from the tracking page: once, within RATING_DAYS of the close.
    不满意 puts the case on its street's call-back list (回访)."""
    model = type(case)
    case = model.objects.select_for_update().get(pk=case.pk)
    if not may_rate(case):
        raise ValidationError({"satisfaction": "该案件现在不能评价（尚未办结、已评价或已超过评价期限）。"})
    case.satisfaction = _satisfaction(satisfaction)
    case.satisfaction_note = (comment or "").strip()[:200]
    case.satisfaction_source, case.rated_datetime = SatisfactionSource.RESIDENT, _now()
    if satisfaction == Satisfaction.DISSATISFIED:
        case.callback_status = "pending"
    case.save()
    _log(case, "rating", by=_system_user(), note=case.get_satisfaction_display()
         + (f"：{case.satisfaction_note}" if case.satisfaction_note else ""),
         public_note=f"您的评价：{case.get_satisfaction_display()}")
    return case


@transaction.atomic
def record_callback(case, *, by, note: str, satisfaction: str = "", reopen: bool = False):
    """回访: a clerk's call to the resident after a 不满意; may record a satisfaction from the
    call, and may reopen the case (a reopened repair keeps its receipt time and deadline)."""
    model = type(case)
    require(by, "case")
    case = _writable(model, case, by)
    if not (note or "").strip():
        raise ValidationError({"note": "请填写回访记录。"})
    if case.callback_status != "pending":
        raise ValidationError({"note": "该案件不在待回访名单上。"})
    if satisfaction and reopen:
        raise ValidationError({"satisfaction": "重新办理的案件办结后再登记满意度。"})
    previous = case.status
    case.callback_status, case.callback_note, case.callback_datetime = "done", note.strip()[:200], _now()
    if satisfaction:
        case.satisfaction = _satisfaction(satisfaction)
        case.satisfaction_note = note.strip()[:200]
        case.satisfaction_source, case.rated_datetime = SatisfactionSource.CALLBACK, case.callback_datetime
    if reopen:
        # The rating stays in the timeline; the case is open again and may be rated again once closed.
        case.satisfaction = case.satisfaction_note = case.satisfaction_source = ""
        case.rated_datetime = None
        case.reopened_count += 1
        if model is DisputeCase:
            case.status, case.closed_datetime = DisputeStatus.MEDIATING, None
        else:
            case.status = RepairStatus.DISPATCHED if case.team_id else RepairStatus.OPEN
            case.completed_datetime = case.arrived_datetime = None
    case.save()
    _log(case, "callback", by=by, note=case.callback_note)
    if reopen:
        _log(case, "reopen", by=by, previous=previous, public_note="回访后重新办理。")
    return case


def callback_cases(user):
    """The call-back list (回访) the user sees: cases rated 不满意 not yet called back."""
    return [
        model.objects.visible_to(user).filter(callback_status="pending").select_related("estate", "street")
        .order_by("rated_datetime", "id")
        for model, _first, _closed in _case_models()
    ]
