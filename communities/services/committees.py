"""Property committees (物管会) with their members, and owners' organisations (业主组织)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from accounts.rules import require
from core.history import acting_as
from core.validation import FieldErrors, date_error, text_errors

from ..choices import OwnersOrganisationKind
from ..models import (
    CommitteeMember,
    Estate,
    OrganisationNorm,
    OwnersOrganisation,
    PropertyCommittee,
)
from ..validators import clean_name
from .common import Msg, _date, _pk, _require_in_scope, _text, phone_error

# --- property committees and their members -------------------------------------------------
COMMITTEE_FIELDS = ("name", "formed_on", "term_start", "term_end", "is_active", "service_standard")
MEMBER_FIELDS = ("name", "role", "is_owner", "phone")


def _estate_for_write(by, estate_value) -> Estate | None:
    pk = _pk(estate_value)
    if pk in (None, "") or not str(pk).isdigit():
        return None
    return Estate.objects.writable_by(by).filter(pk=pk).first()


def validate_member(values: dict) -> tuple[dict, dict]:
    from ..choices import CommitteeMemberRole

    errors = FieldErrors()
    name = clean_name(_text(values, "name"))
    if not name:
        errors.add("name", Msg.REQUIRED)
    elif len(name) > 50:
        errors.add("name", Msg.TOO_LONG.format(max=50))
    role = _text(values, "role") or CommitteeMemberRole.MEMBER
    if role not in CommitteeMemberRole.values:
        errors.add("role", Msg.MEMBER_ROLE)
    phone = _text(values, "phone").strip()
    if phone_error(phone):
        errors.add("phone", Msg.PHONE)
    cleaned = {"name": name, "role": role, "is_owner": bool(values.get("is_owner", True)), "phone": phone}
    return cleaned, errors


def validate_committee(
    values: dict, *, by, instance: PropertyCommittee | None = None, members: list[dict] | None = None
) -> dict:
    """物业管理委员会: its estate in the user's writable scope, a term that ends after it starts,
    and at most one director (主任) among its members."""
    errors = FieldErrors()
    cleaned: dict = {}
    estate = instance.estate if instance is not None else _estate_for_write(by, values.get("estate"))
    if estate is None:
        errors.add("estate", Msg.ESTATE_INVALID if values.get("estate") not in (None, "") else Msg.REQUIRED)
    cleaned["estate"] = estate
    name = clean_name(_text(values, "name"))
    if not name:
        errors.add("name", Msg.REQUIRED)
    elif len(name) > 100:
        errors.add("name", Msg.TOO_LONG.format(max=100))
    cleaned["name"] = name
    dates = {}
    for key in ("formed_on", "term_start", "term_end"):
        try:
            dates[key] = _date(values.get(key))
        except ValueError as exc:
            errors.add(key, str(exc))
            continue
        if dates[key] is None:
            errors.add(key, Msg.REQUIRED)
        cleaned[key] = dates[key]
    for key in ("formed_on", "term_start", "term_end"):
        if message := date_error(dates.get(key), fact=key == "formed_on"):
            errors.add(key, message)
    if dates.get("term_start") and dates.get("term_end") and dates["term_end"] < dates["term_start"]:
        errors.add("term_end", Msg.TERM_END_BEFORE_START)
    if dates.get("formed_on") and dates.get("term_start") and dates["term_start"] < dates["formed_on"]:
        errors.add("term_start", Msg.FORMED_AFTER_TERM_START)
    cleaned["is_active"] = bool(values.get("is_active", True))
    cleaned["service_standard"] = (_text(values, "service_standard")).strip()
    text_errors(errors, service_standard=(cleaned["service_standard"], "description"))

    norm = OrganisationNorm.current()
    if (
        dates.get("term_start")
        and dates.get("term_end")
        and dates["term_end"] > add_months(dates["term_start"], norm.committee_max_term_months)
    ):
        errors.add("term_end", Msg.TERM_TOO_LONG.format(months=norm.committee_max_term_months))

    member_errors: list[dict] = []
    if members is not None:
        cleaned_members = []
        for member in members:
            data, errs = validate_member(member)
            cleaned_members.append(data)
            member_errors.append(dict(errs))
        if sum(1 for m in cleaned_members if m["role"] == "director") > 1:
            errors.add(NON_FIELD_ERRORS, Msg.ONE_DIRECTOR)
        for index, errs in enumerate(member_errors):
            for key, messages in errs.items():
                for message in messages:
                    errors.add("members", f"第{index + 1}位成员的{MEMBER_LABELS[key]}：{message}")
        cleaned["members"] = cleaned_members
    if cleaned["is_active"]:
        # 5–11 members, owners at least half (OrganisationNorm): the list given, or the kept one.
        if members is not None:
            count, owners = len(cleaned["members"]), sum(1 for m in cleaned["members"] if m["is_owner"])
        elif instance is not None:
            count, owners = instance.members.count(), instance.members.filter(is_owner=True).count()
        else:
            count = owners = 0
        for message in committee_size_errors(norm, count, owners):
            errors.add(NON_FIELD_ERRORS, message)
    if errors:
        exc = ValidationError({k: list(v) for k, v in errors.items()})
        # Per member, in the order given: {field: [messages]} ({} for a good member), so a
        # form or the API can put each message on its row.
        exc.member_errors = member_errors if any(member_errors) else []
        raise exc
    return cleaned


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it has no such day)."""
    import calendar

    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def committee_size_errors(norm, count: int, owners: int) -> list[str]:
    errors = []
    if count < norm.committee_min_members:
        errors.append(Msg.COMMITTEE_TOO_FEW.format(min=norm.committee_min_members, n=count))
    elif count > norm.committee_max_members:
        errors.append(Msg.COMMITTEE_TOO_MANY.format(max=norm.committee_max_members, n=count))
    if count and Decimal(owners) < norm.committee_min_owner_share * count:
        share = "一半" if norm.committee_min_owner_share == Decimal("0.5") else f"{norm.committee_min_owner_share:.0%}"
        errors.append(Msg.COMMITTEE_OWNERS.format(share=share, owners=owners, n=count))
    return errors


MEMBER_LABELS = {"name": "姓名", "role": "职务", "is_owner": "业主", "phone": "联系电话"}


def _replace_members(committee: PropertyCommittee, members: list[dict]):
    """Members are listed whole: those kept are updated in place (their history continues),
    the rest removed, new ones added."""
    existing = list(committee.members.order_by("pk"))
    for position, data in enumerate(members):
        member = existing[position] if position < len(existing) else CommitteeMember(committee=committee)
        if member.pk is None or any(getattr(member, k) != data[k] for k in MEMBER_FIELDS):
            for key in MEMBER_FIELDS:
                setattr(member, key, data[key])
            member.save()
    for member in existing[len(members) :]:
        member.delete()


def create_committee(values: dict, *, by, members: list[dict] | None = None) -> PropertyCommittee:
    require(by, "committee")
    with transaction.atomic(), acting_as(by):
        cleaned = validate_committee(values, by=by, members=members)
        member_data = cleaned.pop("members", None)
        committee = PropertyCommittee.objects.create(**cleaned)
        if member_data:
            _replace_members(committee, member_data)
    return committee


def update_committee(
    committee: PropertyCommittee, values: dict, *, by, members: list[dict] | None = None
) -> PropertyCommittee:
    require(by, "committee")
    with transaction.atomic(), acting_as(by):
        _require_in_scope(by, PropertyCommittee.objects, committee.pk)
        committee = PropertyCommittee.objects.select_for_update().select_related("estate").get(pk=committee.pk)
        cleaned = validate_committee(values, by=by, instance=committee, members=members)
        member_data = cleaned.pop("members", None)
        cleaned.pop("estate", None)
        for key in COMMITTEE_FIELDS:
            setattr(committee, key, cleaned[key])
        committee.save()
        if member_data is not None:
            _replace_members(committee, member_data)
    return committee


# --- owners' organisations -----------------------------------------------------------------
ORG_FIELDS = ("kind", "established_on", "term_end", "chair", "is_active")


def validate_owners_org(values: dict, *, by, instance: OwnersOrganisation | None = None) -> dict:
    errors = FieldErrors()
    cleaned: dict = {}
    estate = instance.estate if instance is not None else _estate_for_write(by, values.get("estate"))
    if estate is None:
        errors.add("estate", Msg.ESTATE_INVALID if values.get("estate") not in (None, "") else Msg.REQUIRED)
    cleaned["estate"] = estate
    kind = _text(values, "kind")
    if not kind:
        errors.add("kind", Msg.REQUIRED)
    elif kind not in OwnersOrganisationKind.values:
        errors.add("kind", Msg.ORG_KIND)
    cleaned["kind"] = kind
    dates = {}
    for key in ("established_on", "term_end"):
        try:
            dates[key] = _date(values.get(key))
        except ValueError as exc:
            errors.add(key, str(exc))
            continue
        cleaned[key] = dates[key]
    if dates.get("established_on") is None and "established_on" not in errors:
        errors.add("established_on", Msg.REQUIRED)
    elif message := date_error(dates.get("established_on"), fact=True):
        errors.add("established_on", message)
    if message := date_error(dates.get("term_end"), fact=False):
        errors.add("term_end", message)
    if dates.get("established_on") and dates.get("term_end") and dates["term_end"] < dates["established_on"]:
        errors.add("term_end", Msg.ORG_TERM_BEFORE_ESTABLISHED)
    chair = clean_name(_text(values, "chair"))
    if len(chair) > 50:
        errors.add("chair", Msg.TOO_LONG.format(max=50))
    cleaned["chair"] = chair
    cleaned["is_active"] = bool(values.get("is_active", True))
    errors.raise_if_any()
    return cleaned


def create_owners_org(values: dict, *, by) -> OwnersOrganisation:
    require(by, "owners_org")
    with transaction.atomic(), acting_as(by):
        cleaned = validate_owners_org(values, by=by)
        return OwnersOrganisation.objects.create(**cleaned)


def update_owners_org(org: OwnersOrganisation, values: dict, *, by) -> OwnersOrganisation:
    require(by, "owners_org")
    with transaction.atomic(), acting_as(by):
        _require_in_scope(by, OwnersOrganisation.objects, org.pk)
        org = OwnersOrganisation.objects.select_for_update().select_related("estate").get(pk=org.pk)
        cleaned = validate_owners_org(values, by=by, instance=org)
        for key in ORG_FIELDS:
            setattr(org, key, cleaned[key])
        org.save()
    return org
