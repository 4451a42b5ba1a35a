"""有效合同汇总: each estate's active service contracts, kept on the estate row.

管理覆盖 (communities.coverage) judges an estate by its category, its mode and its contracts in
force: who entrusted them and whether one ends soon. Joining some 90,000 contracts to 220,000
estates on every visit of a city-wide page cost over 100 ms of database time
(docs/performance.md), so the two facts are kept on the estate:

- `Estate.contract_parties`: CONTRACT_ENTRUSTED when an active contract was entrusted by a
  district or a street, | CONTRACT_OWNERS when one was hired by the owners;
- `Estate.contract_ends_on`: the earliest day an active contract ends (its end or its
  termination), None without one ("ends soon" is judged when read, so a changed warning period
  needs no refresh).

They hold for the day of `ContractFactsDay` (contracts start and end with the calendar): the
contracts' own writes refresh their estate's facts (the receivers below), and the facts of
another day are refreshed as a whole before they are read (`ensure_today`), at the latest by
the first visit of a day; the nightly task does it before anybody asks."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from .choices import EntrustingParty
from .models import ContractFactsDay, Estate, ServiceContract

CONTRACT_ENTRUSTED = 1
CONTRACT_OWNERS = 2
PARTY_BITS = {
    EntrustingParty.DISTRICT: CONTRACT_ENTRUSTED,
    EntrustingParty.STREET: CONTRACT_ENTRUSTED,
    EntrustingParty.OWNERS: CONTRACT_OWNERS,
}
CHUNK = 900  # SQLite's bound-parameter limit


def parties_of(bits: int) -> set[str]:
    """The entrusting parties the bits stand for, as the rules read them (a district stands for
    both kinds of entrusting unit)."""
    return ({EntrustingParty.DISTRICT} if bits & CONTRACT_ENTRUSTED else set()) | (
        {EntrustingParty.OWNERS} if bits & CONTRACT_OWNERS else set()
    )


def compute(day: dt.date, estate_ids=None) -> dict[int, tuple[int, dt.date]]:
    """estate id → (parties, earliest end) from the contracts in force on `day`, for the estates
    of `estate_ids` (every estate when None); estates without one are left out."""
    contracts = ServiceContract.objects.filter(ServiceContract.active_q(day)).order_by()
    rows = []
    if estate_ids is None:
        rows = list(contracts.values_list("estate_id", "entrusted_by", "end_date", "terminated_on"))
    else:
        ids = list(estate_ids)
        for i in range(0, len(ids), CHUNK):
            rows += contracts.filter(estate_id__in=ids[i : i + CHUNK]).values_list(
                "estate_id", "entrusted_by", "end_date", "terminated_on"
            )
    out: dict[int, tuple[int, dt.date]] = {}
    for estate_id, party, end_date, terminated_on in rows:
        end = min(end_date, terminated_on) if terminated_on else end_date
        bits, earliest = out.get(estate_id, (0, end))
        out[estate_id] = (bits | PARTY_BITS.get(party, 0), min(earliest, end))
    return out


def _write(changes: dict[int, tuple[int, dt.date | None]]) -> int:
    """Store the changed facts (a queryset update per distinct value: few distinct values, and
    no model instance, history row or `updated_at` touched)."""
    by_value: dict[tuple, list[int]] = {}
    for estate_id, value in changes.items():
        by_value.setdefault(value, []).append(estate_id)
    for (bits, ends_on), ids in by_value.items():
        for i in range(0, len(ids), CHUNK):
            Estate.objects.filter(pk__in=ids[i : i + CHUNK]).update(contract_parties=bits, contract_ends_on=ends_on)
    return len(changes)


def refresh(estate_ids, day: dt.date | None = None) -> int:
    """Recompute the facts of the estates `estate_ids` for `day` (today); returns how many changed."""
    day = day or timezone.localdate()
    ids = set(estate_ids)
    if not ids:
        return 0
    facts = compute(day, ids)
    stored = {}
    id_list = list(ids)
    for i in range(0, len(id_list), CHUNK):
        stored.update(
            {
                pk: (bits, ends)
                for pk, bits, ends in Estate.objects.filter(pk__in=id_list[i : i + CHUNK]).values_list(
                    "pk", "contract_parties", "contract_ends_on"
                )
            }
        )
    changes = {pk: facts.get(pk, (0, None)) for pk in stored if stored[pk] != facts.get(pk, (0, None))}
    return _write(changes)


def refresh_all(day: dt.date | None = None) -> int:
    """Recompute every estate's facts for `day` (today) and record the day; returns how many
    changed. Only the estates whose facts differ are written."""
    day = day or timezone.localdate()
    with transaction.atomic():
        marker = ContractFactsDay.objects.select_for_update().first()
        if marker is None:
            marker = ContractFactsDay(day=day)
        facts = compute(day)
        stored = {
            pk: (bits, ends)
            for pk, bits, ends in Estate.objects.exclude(contract_parties=0, contract_ends_on__isnull=True)
            .order_by()
            .values_list("pk", "contract_parties", "contract_ends_on")
        }
        changes = {pk: (0, None) for pk in stored if pk not in facts}
        changes.update({pk: value for pk, value in facts.items() if stored.get(pk) != value})
        changed = _write(changes)
        marker.day = day
        marker.save()
    return changed


def facts_day() -> dt.date | None:
    return ContractFactsDay.objects.values_list("day", flat=True).first()


def ensure_today() -> dt.date:
    """Today's facts, refreshed first when they were computed for another day; returns today."""
    today = timezone.localdate()
    if facts_day() != today:
        refresh_all(today)
    return today


# --- receivers (connected in CommunitiesConfig.ready) -------------------------------------------
def contract_saving(sender, instance: ServiceContract, **kwargs):
    """Before a contract is written: remember the estate it had (a contract moved to another
    estate refreshes both)."""
    if instance.pk is not None:
        instance._facts_estate_id = (
            ServiceContract.objects.filter(pk=instance.pk).values_list("estate_id", flat=True).first()
        )


def contract_saved(sender, instance: ServiceContract, **kwargs):
    """A contract written or removed: its estate's facts follow at once, in the same
    transaction (when the facts are of today; otherwise the whole registry is refreshed at the
    next read anyway)."""
    today = timezone.localdate()
    if facts_day() != today:
        return
    estates = {instance.estate_id, getattr(instance, "_facts_estate_id", None)} - {None}
    refresh(estates, today)
