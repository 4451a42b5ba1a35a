"""Validation of the two stations' records, once: forms, the API, the importers and the
services call these. Each returns (or raises) Chinese messages keyed by field; nothing here
writes. Messages never repeat a resident's name or number (they may reach logs)."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.validation import date_error
from core.years import YearGate

from .choices import DISPUTE_OUTCOMES, DisputeCategory, DisputeStatus, RepairCategory, Urgency

# A minute of grace for clocks that disagree between the phone, the server and the database.
CLOCK_GRACE = dt.timedelta(minutes=1)

ESTATE_NOT_FOUND = "小区不存在或不在您的辖区内。"
PHONE_MESSAGE = "联系电话应为11位手机号码或固定电话号码（如 13812345678、025-84123456）。"

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?[2-9]\d{6,7}$")
_LOCAL = re.compile(r"^[2-9]\d{6,7}$")
_SEPARATORS = re.compile(r"[\s\u3000()（）]")


def normalise_phone(value: str | None) -> str:
    """'' for no number; a mobile as 11 digits; a landline as 025-84123456 (or the local
    number alone). Anything else is refused."""
    text = _SEPARATORS.sub("", str(value or "")).replace("－", "-").replace("—", "-")
    if not text:
        return ""
    if text.startswith("+86"):
        text = text[3:].lstrip("-")
    elif text.startswith("0086"):
        text = text[4:].lstrip("-")
    digits = text.replace("-", "")
    if _MOBILE.match(digits):
        return digits
    if _LANDLINE.match(text) or _LANDLINE.match(digits):
        area_len = 3 if digits[:3] in ("010",) or digits[1] == "2" else 4
        return f"{digits[:area_len]}-{digits[area_len:]}"
    if _LOCAL.match(digits):
        return digits
    raise ValidationError(PHONE_MESSAGE, code="phone")


def closed_year(value, gate: YearGate | None = None) -> str | None:
    """The refusal when `value` (a date, or a datetime read in Asia/Shanghai) falls in a closed
    assessment year (core.years): the year's cases are read-only until the city reopens it.
    Importers pass one gate for all their rows (one lookup per year)."""
    return (gate or YearGate()).refusal(value) if value is not None else None


def not_future(value: dt.datetime | None, label: str, now: dt.datetime | None = None) -> str | None:
    """A fact's time: the one plausibility rule and message of core.validation (1949-10-01 up
    to now)."""
    return date_error(value, fact=True, now=now)


def _today_as_now(today: dt.date | None) -> dt.datetime | None:
    """The end of `today` as a moment, so a date check against a given day keeps that day."""
    if today is None:
        return None
    return timezone.make_aware(dt.datetime.combine(today, dt.time(12)))


def dispute_errors(
    *,
    requested: dt.datetime | None,
    closed: dt.datetime | None,
    status: str | None,
    service_code: str | None = None,
    channel: str | None = None,
    now=None,
    gate: YearGate | None = None,
) -> dict[str, str]:
    """A dispute's dates and outcome: received not in the future nor in a closed year; closed not
    before received, nor in the future, nor in a closed year; an outcome needs a close date and a
    close date an outcome."""
    from .choices import Channel

    errors: dict[str, str] = {}
    if service_code is not None and service_code not in DisputeCategory.values:
        errors["service_code"] = "类别不存在，应为：" + "、".join(DisputeCategory.labels) + "。"
    if channel is not None and channel not in Channel.values:
        errors["channel"] = "受理方式不存在，应为：" + "、".join(Channel.labels) + "。"
    if requested is None:
        errors["requested_datetime"] = "请填写受理时间。"
    elif msg := not_future(requested, "受理时间", now) or closed_year(requested, gate):
        errors["requested_datetime"] = msg
    is_outcome = status in DISPUTE_OUTCOMES
    if status is not None and status not in DisputeStatus.values:
        errors["status"] = "办理结果不存在，应为：调解成功、转联合执法或终止调解。"
    elif is_outcome and closed is None:
        errors["closed_datetime"] = "填写办理结果时须同时填写办结日期。"
    elif closed is not None and status is not None and not is_outcome:
        errors["status"] = "填写办结日期时须同时填写办理结果（调解成功、转联合执法或终止调解）。"
    if closed is not None:
        if requested is not None and closed < requested:
            errors["closed_datetime"] = "办结时间不能早于受理时间。"
        elif msg := not_future(closed, "办结时间", now) or closed_year(closed, gate):
            errors["closed_datetime"] = msg
    return errors


def repair_errors(
    *,
    requested: dt.datetime | None,
    completed: dt.datetime | None = None,
    service_code: str | None = None,
    urgency: str | None = None,
    channel: str | None = None,
    now=None,
    gate: YearGate | None = None,
) -> dict[str, str]:
    """A repair's dates: reported and completed not in the future nor in a closed year."""
    from .choices import Channel

    errors: dict[str, str] = {}
    if service_code is not None and service_code not in RepairCategory.values:
        errors["service_code"] = "类别不存在，应为：" + "、".join(RepairCategory.labels) + "。"
    if urgency is not None and urgency not in Urgency.values:
        errors["urgency"] = "紧急程度应为“紧急”或“一般”。"
    if channel is not None and channel not in Channel.values:
        errors["channel"] = "受理方式不存在，应为：" + "、".join(Channel.labels) + "。"
    if requested is None:
        errors["requested_datetime"] = "请填写报修时间。"
    elif msg := not_future(requested, "报修时间", now) or closed_year(requested, gate):
        errors["requested_datetime"] = msg
    if completed is not None:
        if requested is not None and completed < requested:
            errors["completed_datetime"] = "完成时间不能早于报修时间。"
        elif msg := not_future(completed, "完成时间", now) or closed_year(completed, gate):
            errors["completed_datetime"] = msg
    return errors


def step_time_errors(at: dt.datetime, *, after: dt.datetime, after_label: str, label: str, now=None) -> dict[str, str]:
    """A workflow step's time: not before the step it follows, not in the future, not in a closed year."""
    if at < after:
        return {"at": f"{label}不能早于{after_label}。"}
    if msg := not_future(at, label, now) or closed_year(at):
        return {"at": msg}
    return {}


def referral_errors(*, department, referred_on: dt.date | None, due_on: dt.date | None, today=None) -> dict[str, str]:
    errors: dict[str, str] = {}
    today = today or timezone.localdate()
    if referred_on is None:
        errors["referred_on"] = "请填写移交日期。"
    elif msg := date_error(referred_on, fact=True, now=_today_as_now(today)):
        errors["referred_on"] = msg
    elif msg := closed_year(referred_on):
        errors["referred_on"] = msg
    if due_on is None:
        errors["due_on"] = "请填写办理期限。"
    elif msg := date_error(due_on, fact=False):
        errors["due_on"] = msg
    elif referred_on is not None and due_on < referred_on:
        errors["due_on"] = "办理期限不能早于移交日期。"
    if department is None:
        errors["department"] = "请选择执法部门。"
    elif referred_on is not None and not department.in_force_on(referred_on):
        successor = f"，请改选“{department.successor.name}”" if department.successor_id else ""
        errors["department"] = f"“{department.name}”在移交日期已不再是联合执法部门{successor}。"
    return errors


def answer_errors(*, referred_on: dt.date, answered_on: dt.date | None, feedback: str, today=None) -> dict[str, str]:
    errors: dict[str, str] = {}
    today = today or timezone.localdate()
    if answered_on is None:
        errors["answered_on"] = "请填写反馈日期。"
    elif answered_on < referred_on:
        errors["answered_on"] = "反馈日期不能早于移交日期。"
    elif msg := date_error(answered_on, fact=True, now=_today_as_now(today)):
        errors["answered_on"] = msg
    elif msg := closed_year(answered_on):
        errors["answered_on"] = msg
    if not (feedback or "").strip():
        errors["feedback"] = "请填写部门反馈的办理情况。"
    return errors


def filing_errors(
    *,
    kind: str,
    submitted_on: dt.date | None,
    committee=None,
    owners_organisation=None,
    firm=None,
    contract_start=None,
    contract_end=None,
    estate=None,
    today=None,
) -> dict[str, str]:
    from .choices import FilingKind

    errors: dict[str, str] = {}
    today = today or timezone.localdate()
    if kind not in FilingKind.values:
        errors["kind"] = "备案类型不存在。"
    if submitted_on is None:
        errors["submitted_on"] = "请填写报送日期。"
    elif msg := date_error(submitted_on, fact=True, now=_today_as_now(today)):
        errors["submitted_on"] = msg
    elif msg := closed_year(submitted_on):
        errors["submitted_on"] = msg
    if kind in (FilingKind.COMMITTEE_FORMED, FilingKind.COMMITTEE_CHANGED) and committee is None:
        errors["committee"] = "物管会备案须选择物管会。"
    if kind == FilingKind.OWNERS_ORGANISATION and owners_organisation is None:
        errors["owners_organisation"] = "业主组织备案须选择业主组织。"
    if kind == FilingKind.SERVICE_CONTRACT:
        if firm is None:
            errors["firm"] = "物业服务合同备案须选择物业服务企业。"
        if contract_start is None or contract_end is None:
            errors["contract_end"] = "物业服务合同备案须填写合同期限。"
    for key, value in (("contract_start", contract_start), ("contract_end", contract_end)):
        if msg := date_error(value, fact=False):
            errors[key] = msg
    if contract_start and contract_end and contract_end < contract_start:
        errors["contract_end"] = "合同终止日期不能早于起始日期。"
    if estate is not None:
        if committee is not None and committee.estate_id != estate.pk:
            errors["committee"] = "所选物管会不属于该小区。"
        if owners_organisation is not None and owners_organisation.estate_id != estate.pk:
            errors["owners_organisation"] = "所选业主组织不属于该小区。"
    return errors


def raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)
