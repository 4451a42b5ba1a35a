"""应急维修 (repairs): receive, dispatch, arrival, completion (with the cost), notes, satisfaction."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.rules import require
from core.money import yuan_to_fen

from .. import validation as v
from ..choices import (
    CaseType,
    RepairStatus,
)
from ..limits import LimitTable, as_shanghai, deadline
from ..models import (
    RepairEvent,
    RepairRequest,
    RepairTeam,
)
from .common import NO_LIMIT, _estate_or_error, _now, _writable, add_note, record_satisfaction, save_step


# --- repairs ----------------------------------------------------------------------------------
def _estate_point(estate):
    return estate.latitude, estate.longitude


@transaction.atomic
def create_repair(
    *,
    by,
    estate,
    service_code: str,
    urgency: str,
    description: str = "",
    building: str = "",
    unit: str = "",
    channel: str = "phone",
    reporter_name: str = "",
    reporter_phone: str = "",
    requested_datetime: dt.datetime | None = None,
    lat=None,
    long=None,
    room: str = "",
) -> RepairRequest:
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
        estate=estate,
        service_code=service_code,
        urgency=urgency,
        description=description.strip(),
        building=building.strip(),
        unit=unit.strip(),
        channel=channel,
        reporter_name=reporter_name.strip(),
        reporter_phone=phone,
        requested_datetime=requested,
        limit_hours=hours,
        expected_datetime=deadline(requested, hours),
        lat=lat,
        long=long,
        created_by=by,
        room=room.strip(),
    )
    repair.save()
    RepairEvent.objects.create(
        repair=repair, action=RepairEvent.Action.RECEIVED, to_status=repair.status, at=requested, actor=by
    )
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
def dispatch_repair(
    repair: RepairRequest, *, by, team: RepairTeam, at: dt.datetime | None = None, note: str = "", public_note: str = ""
) -> RepairRequest:
    """派单 to a repair team of the street (re-dispatching before arrival is allowed)."""
    repair, at = _repair_step(
        repair, by, at, {RepairStatus.OPEN, RepairStatus.DISPATCHED}, "派单", "requested_datetime", "报修时间"
    )
    if team is None or not RepairTeam.objects.filter(pk=team.pk, street_id=repair.street_id, is_active=True).exists():
        raise ValidationError({"team": "请选择本街道在用的维修队伍。"})
    previous = repair.status
    repair.team, repair.dispatched_datetime, repair.status = team, at, RepairStatus.DISPATCHED
    return save_step(
        repair,
        previous=previous,
        action=RepairEvent.Action.DISPATCH,
        at=at,
        by=by,
        note=note,
        public_note=public_note,
        event_note=f"{team.name}{('：' + note) if note else ''}",
    )


@transaction.atomic
def record_arrival(
    repair: RepairRequest, *, by, at: dt.datetime | None = None, note: str = "", public_note: str = ""
) -> RepairRequest:
    repair, at = _repair_step(repair, by, at, {RepairStatus.DISPATCHED}, "登记到场", "dispatched_datetime", "派单时间")
    previous = repair.status
    repair.arrived_datetime, repair.status = at, RepairStatus.ARRIVED
    return save_step(
        repair, previous=previous, action=RepairEvent.Action.ARRIVE, at=at, by=by, note=note, public_note=public_note
    )


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
def complete_repair(
    repair: RepairRequest, *, by, at: dt.datetime | None = None, cost=None, note: str = "", public_note: str = ""
) -> RepairRequest:
    """完成: the completion time (not before the report, nor the arrival) and the cost."""
    repair, at = _repair_step(
        repair, by, at, {RepairStatus.DISPATCHED, RepairStatus.ARRIVED}, "登记完成", "arrived_datetime", "到场时间"
    )
    if at < repair.requested_datetime:
        raise ValidationError({"at": "完成时间不能早于报修时间。"})
    cost_fen = parse_cost(cost)
    previous = repair.status
    repair.completed_datetime, repair.status, repair.cost_fen = at, RepairStatus.COMPLETED, cost_fen
    return save_step(
        repair, previous=previous, action=RepairEvent.Action.COMPLETE, at=at, by=by, note=note, public_note=public_note
    )


@transaction.atomic
def add_repair_note(repair: RepairRequest, *, by, note: str, public_note: str = "") -> RepairRequest:
    """进展情况 of a repair (common.add_note), now."""
    return add_note(RepairRequest, repair, by=by, note=note, public_note=public_note, received_label="报修时间")


@transaction.atomic
def record_repair_satisfaction(repair: RepairRequest, *, by, satisfaction: str, note: str = "") -> RepairRequest:
    """回访: the resident's satisfaction, once the repair is completed (common.record_satisfaction)."""
    return record_satisfaction(
        RepairRequest,
        repair,
        by=by,
        satisfaction=satisfaction,
        note=note,
        done_field="completed_datetime",
        not_done="维修完成后才能登记满意度。",
    )
