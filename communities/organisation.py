"""The rules of entrustment contracts, committee vettings, supervision records and term warnings
(clause 四, 六, 八). Like services.py: every write takes the acting user, checks accounts.rules and
the writable scope, validates (ValidationError({field: [Chinese messages]}), nothing written) and
records who acted in the change history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.choices import Role
from accounts.rules import can, require
from core.history import acting_as
from core.validation import FieldErrors, date_error, text_errors

from .choices import EntrustingParty, VettingUnit
from .models import (
    CommitteeMember,
    Estate,
    MemberVetting,
    OrganisationNorm,
    PropertyCommittee,
    ServiceContract,
    ServiceFirm,
    SupervisionRecord,
)
from .models.contracts import SERVICE_FIELDS

FEE_MAX = Decimal("9999.99")


class Msg:
    REQUIRED = "此项为必填项。"
    INVALID_DATE = "请输入有效日期，例如 2019-03-05。"
    ESTATE_INVALID = "小区不存在或不在您的管辖范围内。"
    FIRM_MISSING = "物业服务企业不存在。"
    ENTRUSTING = "委托方须为区政府委托、街道办事处委托或业主组织选聘。"
    ENTRUSTED_NOT_PUBLIC_WELFARE = "区或街道委托的须为公益性物业服务企业。"
    END_BEFORE_START = "合同结束日期不能早于开始日期。"
    TERMINATED_OUTSIDE = "提前终止日期须在合同期内。"
    FEE = "收费标准须为不小于0的金额（元/㎡·月），最多两位小数。"
    SERVICES = "请至少选择一项服务内容。"
    OTHER_TEXT = "选择“其他”服务时请说明服务内容。"
    OVERLAP = "该小区{start}至{end}已有合同（{firm}），合同期不能重叠。"
    TOO_LONG = "不能超过{max}个字符。"
    NOT_IN_SCOPE = "该记录不在您的管辖范围内。"
    VETTING_UNIT = "审核单位须为街道或社区。"
    VETTING_NOT_YOURS = "只有街道（或其上级）可确认街道审核，只有本社区或街道可确认社区审核。"


def _pk(value):
    value = getattr(value, "pk", value)
    return int(value) if value not in (None, "") and str(value).isdigit() else None


def _date(values, key, errors, required=True, fact=False):
    """A date within core.validation's plausibility rule (`fact`: one that has happened)."""
    value = values.get(key)
    if value in (None, ""):
        if required:
            errors.add(key, Msg.REQUIRED)
        return None
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            errors.add(key, Msg.INVALID_DATE)
            return None
    if message := date_error(value, fact=fact):
        errors.add(key, message)
        return None
    return value


def _bool(value) -> bool:
    return value in (True, "1", "true", "on", "True", "yes")


# --- contracts ---------------------------------------------------------------------------------
CONTRACT_FIELDS = (
    "firm",
    "entrusted_by",
    "number",
    "start_date",
    "end_date",
    "terminated_on",
    "fee_per_m2_month",
    "security",
    "cleaning",
    "greening",
    "repair",
    "other",
    "other_text",
)


def parse_fee(value) -> Decimal:
    """元/㎡·月 as an exact decimal: never through a float."""
    if isinstance(value, float):
        value = repr(value)
    try:
        fee = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValueError(Msg.FEE) from None
    if not fee.is_finite() or fee < 0 or fee > FEE_MAX or fee != fee.quantize(Decimal("0.01")):
        raise ValueError(Msg.FEE)
    return fee.quantize(Decimal("0.01"))


def validate_contract(values: dict, *, by, instance: ServiceContract | None = None) -> dict:
    errors = FieldErrors()
    cleaned: dict = {}
    if instance is not None:
        estate = instance.estate
    else:
        pk = _pk(values.get("estate"))
        estate = Estate.objects.writable_by(by).filter(pk=pk).first() if pk else None
        if estate is None:
            errors.add("estate", Msg.ESTATE_INVALID if values.get("estate") not in (None, "") else Msg.REQUIRED)
    cleaned["estate"] = estate
    firm_pk = _pk(values.get("firm"))
    firm = ServiceFirm.objects.filter(pk=firm_pk).first() if firm_pk else None
    if firm is None:
        errors.add("firm", Msg.FIRM_MISSING if values.get("firm") not in (None, "") else Msg.REQUIRED)
    cleaned["firm"] = firm
    party = str(values.get("entrusted_by") or "")
    if party not in EntrustingParty.values:
        errors.add("entrusted_by", Msg.ENTRUSTING if party else Msg.REQUIRED)
    elif party != EntrustingParty.OWNERS and firm is not None and not firm.is_public_welfare:
        errors.add("firm", Msg.ENTRUSTED_NOT_PUBLIC_WELFARE)
    cleaned["entrusted_by"] = party
    number = str(values.get("number") or "").strip()
    if len(number) > 50:
        errors.add("number", Msg.TOO_LONG.format(max=50))
    cleaned["number"] = number
    start = cleaned["start_date"] = _date(values, "start_date", errors)
    end = cleaned["end_date"] = _date(values, "end_date", errors)
    terminated = cleaned["terminated_on"] = _date(values, "terminated_on", errors, required=False)
    if start and end and end < start:
        errors.add("end_date", Msg.END_BEFORE_START)
    if terminated and start and end and not start <= terminated <= end:
        errors.add("terminated_on", Msg.TERMINATED_OUTSIDE)
    raw_fee = values.get("fee_per_m2_month")
    if raw_fee in (None, ""):
        errors.add("fee_per_m2_month", Msg.REQUIRED)
        cleaned["fee_per_m2_month"] = None
    else:
        try:
            cleaned["fee_per_m2_month"] = parse_fee(raw_fee)
        except ValueError as exc:
            errors.add("fee_per_m2_month", str(exc))
    for field, _label in SERVICE_FIELDS:
        cleaned[field] = _bool(values.get(field))
    if not any(cleaned[field] for field, _label in SERVICE_FIELDS):
        errors.add("services", Msg.SERVICES)
    cleaned["other_text"] = str(values.get("other_text") or "").strip()
    if cleaned["other"] and not cleaned["other_text"]:
        errors.add("other_text", Msg.OTHER_TEXT)
    if len(cleaned["other_text"]) > 100:
        errors.add("other_text", Msg.TOO_LONG.format(max=100))
    if estate is not None and start and end and not errors.get("end_date"):
        period_end = min(end, terminated) if terminated else end
        overlapping = (
            ServiceContract.objects.filter(estate=estate, start_date__lte=period_end, end_date__gte=start)
            .filter(Q(terminated_on__isnull=True) | Q(terminated_on__gte=start))
            .select_related("firm")
        )
        if instance is not None:
            overlapping = overlapping.exclude(pk=instance.pk)
        other = overlapping.order_by("start_date").first()
        if other is not None:
            errors.add(
                "start_date",
                Msg.OVERLAP.format(
                    start=f"{other.start_date:%Y-%m-%d}", end=f"{other.effective_end:%Y-%m-%d}", firm=other.firm.name
                ),
            )
    errors.raise_if_any()
    return cleaned


def contract_writable(user, contract: ServiceContract) -> bool:
    return can(user, "contract") and Estate.objects.writable_by(user).filter(pk=contract.estate_id).exists()


def create_contract(values: dict, *, by) -> ServiceContract:
    require(by, "contract")
    with transaction.atomic(), acting_as(by):
        cleaned = validate_contract(values, by=by)
        # Lock the estate so two concurrent contracts cannot both pass the overlap check.
        Estate.objects.select_for_update().filter(pk=cleaned["estate"].pk).first()
        cleaned = validate_contract(values, by=by)
        return ServiceContract.objects.create(**cleaned, created_by=by)


def update_contract(contract: ServiceContract, values: dict, *, by) -> ServiceContract:
    require(by, "contract")
    if not contract_writable(by, contract):
        raise PermissionDenied(Msg.NOT_IN_SCOPE)
    with transaction.atomic(), acting_as(by):
        Estate.objects.select_for_update().filter(pk=contract.estate_id).first()
        contract = ServiceContract.objects.select_for_update().select_related("estate").get(pk=contract.pk)
        cleaned = validate_contract(values, by=by, instance=contract)
        for key in CONTRACT_FIELDS:
            setattr(contract, key, cleaned[key])
        contract.save()
    return contract


def contracts_ending(queryset, day: dt.date | None = None):
    """Active contracts of `queryset` ending within OrganisationNorm.contract_warning_days."""
    day = day or timezone.localdate()
    limit = day + dt.timedelta(days=OrganisationNorm.current().contract_warning_days)
    return queryset.filter(ServiceContract.active_q(day)).filter(Q(end_date__lte=limit) | Q(terminated_on__lte=limit))


# --- committee vetting, supervision, terms -----------------------------------------------------
def can_vet(user, committee: PropertyCommittee, unit: str) -> bool:
    if unit == VettingUnit.STREET:
        return (
            can(user, "committee")
            and getattr(user, "role", None) != Role.COMMUNITY_ADVISOR
            and Estate.objects.writable_by(user).filter(pk=committee.estate_id).exists()
        )
    if unit == VettingUnit.COMMUNITY:
        if getattr(user, "role", None) == Role.COMMUNITY_ADVISOR:
            return user.community_id == committee.community_id
        return can(user, "committee") and Estate.objects.writable_by(user).filter(pk=committee.estate_id).exists()
    return False


def record_vetting(member: CommitteeMember, values: dict, *, by) -> MemberVetting:
    """资格审核 of one member by the street or the community: 公益心, 工作能力, 工作时间, confirmed by `by` today."""
    unit = str(values.get("unit") or "")
    if unit not in VettingUnit.values:
        raise ValidationError({"unit": [Msg.VETTING_UNIT]})
    committee = member.committee
    if not can_vet(by, committee, unit):
        raise PermissionDenied(Msg.VETTING_NOT_YOURS)
    note = str(values.get("note") or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": [Msg.TOO_LONG.format(max=200)]})
    with transaction.atomic(), acting_as(by):
        vetting, _ = MemberVetting.objects.update_or_create(
            member=member,
            unit=unit,
            defaults={
                "public_spirit": _bool(values.get("public_spirit")),
                "ability": _bool(values.get("ability")),
                "availability": _bool(values.get("availability")),
                "note": note,
                "confirmed_by": by,
                "confirmed_on": timezone.localdate(),
            },
        )
    return vetting


def add_supervision(committee: PropertyCommittee, values: dict, *, by) -> SupervisionRecord:
    """监督记录 of the committee on the firm managing its estate."""
    require(by, "committee")
    if not Estate.objects.writable_by(by).filter(pk=committee.estate_id).exists():
        raise PermissionDenied(Msg.NOT_IN_SCOPE)
    errors = FieldErrors()
    day = _date(values, "date", errors, fact=True)
    findings = str(values.get("findings") or "").strip()
    if not findings:
        errors.add("findings", Msg.REQUIRED)
    rectification = str(values.get("rectification") or "").strip()
    text_errors(errors, findings=(findings, "description"), rectification=(rectification, "description"))
    firm_pk = _pk(values.get("firm"))
    firm = ServiceFirm.objects.filter(pk=firm_pk).first() if firm_pk else committee.estate.service_firm
    if values.get("firm") not in (None, "") and firm is None:
        errors.add("firm", Msg.FIRM_MISSING)
    errors.raise_if_any()
    with transaction.atomic(), acting_as(by):
        return SupervisionRecord.objects.create(
            committee=committee,
            estate=committee.estate,
            date=day,
            firm=firm,
            findings=findings,
            rectification=rectification,
            satisfied=_bool(values.get("satisfied")),
            recorded_by=by,
        )


def term_warning(committee: PropertyCommittee, day: dt.date | None = None) -> str | None:
    """A warning before an active committee's term ends (OrganisationNorm.committee_term_warning_days)."""
    if not committee.is_active:
        return None
    day = day or timezone.localdate()
    left = (committee.term_end - day).days
    if left < 0:
        return f"任期已于{committee.term_end:%Y年%m月%d日}届满，请及时组织换届。"
    if left <= OrganisationNorm.current().committee_term_warning_days:
        return f"任期将于{committee.term_end:%Y年%m月%d日}届满（还有{left}天），请提前组织换届。"
    return None


def committees_ending(queryset, day: dt.date | None = None):
    day = day or timezone.localdate()
    limit = day + dt.timedelta(days=OrganisationNorm.current().committee_term_warning_days)
    return queryset.filter(is_active=True, term_end__lte=limit).order_by("term_end")


def vetting_status(member: CommitteeMember) -> dict:
    by_unit = {v.unit: v for v in member.vettings.all()}
    return {"street": by_unit.get(VettingUnit.STREET), "community": by_unit.get(VettingUnit.COMMUNITY)}
