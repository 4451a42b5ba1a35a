"""Who is paid for an estate (spec/domain.md): the rule by management mode, contracts in force."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F

from communities.choices import EntrustingParty
from communities.models import Estate, PropertyCommittee, ServiceContract

from ..models import PayeeOverride


# --- payees (spec/domain.md) -----------------------------------------------------------------------
def street_office(street_name: str) -> str:
    return f"{street_name}办事处" if street_name.endswith("街道") else f"{street_name}人民政府"


@dataclass(frozen=True)
class Payee:
    """收款单位 of an estate in a year, with the contract it comes from (if any) and the rule."""

    payee: str
    basis: str
    contract_id: int | None = None
    contract: str = ""


MODE_LABELS = {
    "public_welfare": "公益性物业托管",
    "market": "市场化物业",
    "self_managed": "居民自治",
    "basic_service": "基本服务保障",
    "none": "暂无",
}


def _rule_payee(mode: str, firm: str | None, contract: dict | None, committee: str | None, street_name: str) -> Payee:
    """收款单位 by rule (spec/domain.md): the contracted firm under 公益性物业托管 or 市场化物业 (the
    firm of the contract in force in the year, else the service firm on record); the property
    committee under 居民自治; the street office under 基本服务保障 and 暂无, and wherever the
    firm or committee is missing."""
    label = MODE_LABELS.get(mode, mode)
    if mode in ("public_welfare", "market"):
        if contract is not None:
            return Payee(
                contract["firm_name"],
                f"{label}：本年度有效的物业服务合同（在年度内有效天数最多者）",
                contract["id"],
                contract["text"],
            )
        if firm:
            return Payee(firm, f"{label}：本年度无有效合同，按小区登记的物业服务企业")
        return Payee(street_office(street_name), f"{label}：本年度无有效合同且未登记物业服务企业，由街道收款")
    if mode == "self_managed":
        if committee:
            return Payee(committee, f"{label}：在任物管会")
        return Payee(street_office(street_name), f"{label}：无在任物管会，由街道收款")
    return Payee(street_office(street_name), f"{label}：由街道收款")


def contract_in_force(contracts: list[dict], year: int) -> dict | None:
    """Of an estate's contracts, the one in force in `year` (issue 13.6): the one in force on
    the most days of the year (an early termination ends it); on a tie the later one (the later
    effective end — so the one in force on 31 December wins — then the later start, then the
    newer record). None when no contract is in force on any day of the year."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    best, best_key = None, None
    for c in contracts:
        end = min(c["end_date"], c["terminated_on"]) if c["terminated_on"] else c["end_date"]
        days = (min(end, last) - max(c["start_date"], first)).days + 1
        if days <= 0:
            continue
        key = (days, end, c["start_date"], c["id"])
        if best_key is None or key > best_key:
            best, best_key = {**c, "effective_end": end}, key
    return best


def _contract_text(c: dict) -> str:
    entrusted = dict(EntrustingParty.choices).get(c["entrusted_by"], c["entrusted_by"])
    return (
        f"{c['number'] or '（无编号）'}（{c['firm_name']}，{entrusted}，"
        f"{c['start_date']:%Y-%m-%d}至{c['effective_end']:%Y-%m-%d}）"
    )[:200]


def payees_for(estate_ids, year: int) -> dict[int, Payee]:
    """收款单位 of each estate for `year`: a PayeeOverride if one is set, else the rule of
    spec/domain.md with the firm of the contract in force in the year (`contract_in_force`)
    before the estate's service firm on record."""
    estate_ids = list(estate_ids)
    out: dict[int, Payee] = {}
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    for i in range(0, len(estate_ids), 5000):
        chunk = estate_ids[i : i + 5000]
        committees = dict(
            PropertyCommittee.objects.filter(estate_id__in=chunk, is_active=True)
            .order_by("term_start")
            .values_list("estate_id", "name")
        )
        overrides = dict(PayeeOverride.objects.filter(estate_id__in=chunk).values_list("estate_id", "payee"))
        contracts: dict[int, list[dict]] = defaultdict(list)
        for c in (
            ServiceContract.objects.filter(estate_id__in=chunk, start_date__lte=last, end_date__gte=first)
            .order_by()
            .values(
                "id",
                "estate_id",
                "number",
                "entrusted_by",
                "start_date",
                "end_date",
                "terminated_on",
                firm_name=F("firm__name"),
            )
        ):
            contracts[c["estate_id"]].append(c)
        for eid, mode, firm, street in Estate.objects.filter(id__in=chunk).values_list(
            "id", "management_mode", "service_firm__name", "street__name"
        ):
            if overrides.get(eid):
                out[eid] = Payee(overrides[eid], "单独指定的收款单位")
                continue
            contract = contract_in_force(contracts.get(eid, []), year)
            if contract is not None:
                contract["text"] = _contract_text(contract)
            out[eid] = _rule_payee(mode, firm, contract, committees.get(eid), street)
    return out
