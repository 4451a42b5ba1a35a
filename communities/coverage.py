"""管理覆盖 (clause 八, spec/domain.md "Management modes"): which estates break the rules.

Rules, per estate (a mode is a field of the estate; contracts are records):
- GAP_RENOVATED: a renovated or affordable-housing estate under 基本服务保障 or 暂无 (全覆盖 not met);
- GAP_UNRENOVATED: an unrenovated estate under 暂无 (no basic services);
- MARKET_REVIEW: 市场化物业 on an unrenovated estate (八.2 reserves it for renovated estates);
- MODE_MISMATCH: the mode disagrees with the active contracts: 公益性物业托管 without an active
  contract entrusted by a district or street (or with one by the owners), 市场化物业 without an
  active contract hired by the owners (or with an entrusted one), 居民自治 or 暂无 with any active
  contract, 基本服务保障 with an owners' contract;
- CONTRACT_ENDING: an active contract ends within OrganisationNorm.contract_warning_days.

The first two are coverage gaps (the unit assessment's 管理覆盖 counts estates without one).
Computed set-wise: the summary from the estates' contract facts (communities.contract_facts),
the list from the estates in scope and their active contracts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, models
from django.utils import timezone

from core.years import SHANGHAI

from .choices import EntrustingParty, EstateCategory, ManagementMode
from .contract_facts import ensure_today, parties_of
from .models import Estate, OrganisationNorm, ServiceContract

GAP_RENOVATED = "gap_renovated"
GAP_UNRENOVATED = "gap_unrenovated"
MARKET_REVIEW = "market_review"
MODE_MISMATCH = "mode_mismatch"
CONTRACT_ENDING = "contract_ending"

RULES = {
    GAP_RENOVATED: "已整治（保障房）小区未实现物业管理全覆盖",
    GAP_UNRENOVATED: "未整治小区无基本服务保障",
    MARKET_REVIEW: "未整治小区实行市场化物业（待复核）",
    MODE_MISMATCH: "管理模式与有效合同不符",
    CONTRACT_ENDING: "合同即将到期",
}
GAPS = frozenset({GAP_RENOVATED, GAP_UNRENOVATED})
ENTRUSTED = frozenset({EntrustingParty.DISTRICT, EntrustingParty.STREET})


@dataclass
class Finding:
    estate: Estate
    rules: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return [RULES[r] for r in self.rules]

    @property
    def is_gap(self) -> bool:
        return bool(GAPS & set(self.rules))


def mode_rules(category: str, mode: str) -> list[str]:
    """The rules an estate's category and mode break on their own."""
    out = []
    if category in (EstateCategory.RENOVATED, EstateCategory.AFFORDABLE) and mode in (
        ManagementMode.BASIC_SERVICE,
        ManagementMode.NONE,
    ):
        out.append(GAP_RENOVATED)
    if category == EstateCategory.UNRENOVATED and mode == ManagementMode.NONE:
        out.append(GAP_UNRENOVATED)
    if category == EstateCategory.UNRENOVATED and mode == ManagementMode.MARKET:
        out.append(MARKET_REVIEW)
    return out


def mismatch(mode: str, parties: set[str]) -> str | None:
    """Why `mode` disagrees with the entrusting parties of the active contracts, or None."""
    entrusted = bool(parties & ENTRUSTED)
    owners = EntrustingParty.OWNERS in parties
    if mode == ManagementMode.PUBLIC_WELFARE:
        if not entrusted:
            return "公益性物业托管但无区或街道委托的有效合同"
        if owners:
            return "公益性物业托管但另有业主组织选聘的有效合同"
    elif mode == ManagementMode.MARKET:
        if not owners:
            return "市场化物业但无业主组织选聘的有效合同"
        if entrusted:
            return "市场化物业但另有区或街道委托的有效合同"
    elif mode in (ManagementMode.SELF_MANAGED, ManagementMode.NONE):
        if parties:
            return f"{ManagementMode(mode).label}但有物业服务有效合同"
    elif mode == ManagementMode.BASIC_SERVICE and owners:
        return "基本服务保障但有业主组织选聘的有效合同"
    return None


def _active_contracts(estates, day: dt.date):
    """The contracts in force on `day` of the estates of `estates`. A scope is also given by the
    contracts' own district column (kept with the estate's, and moved with a street), so that a
    district's few thousand are found by its index rather than by reading every contract."""
    contracts = ServiceContract.objects.filter(ServiceContract.active_q(day)).order_by()
    if not estates.query.where:  # the whole registry
        return contracts
    scope = estates.order_by()
    return contracts.filter(district_id__in=scope.values("district_id"), estate__in=scope.values("pk"))


def flagged_ids(estates, day: dt.date | None = None) -> list[int]:
    """The ids of the estates of `estates` that break a rule, in district, street and code order:
    a few columns per estate and the active contracts of the scope, judged by the Python rules
    (the page lists a scope of at most some 20,000 estates; the export any)."""
    day = day or timezone.localdate()
    limit = day + dt.timedelta(days=OrganisationNorm.current().contract_warning_days)
    parties: dict[int, set] = defaultdict(set)
    ending: set[int] = set()
    for estate_id, party, end_date, terminated_on in _active_contracts(estates, day).values_list(
        "estate_id", "entrusted_by", "end_date", "terminated_on"
    ):
        parties[estate_id].add(party)
        if min(end_date, terminated_on or end_date) <= limit:
            ending.add(estate_id)
    rows = estates.order_by("district__code", "street__code", "code").values_list("pk", "category", "management_mode")
    return [
        pk
        for pk, category, mode in rows
        if pk in ending or mode_rules(category, mode) or mismatch(mode, parties.get(pk, set()))
    ]


def estates_in_order(ids: list[int]) -> list[Estate]:
    """The estates of `ids` (a page of them), with their units, in the order of `ids`."""
    by_id = Estate.objects.select_related("district", "street", "community").in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def findings_for(estates, day: dt.date | None = None) -> list[Finding]:
    """The findings of the estates `estates` (a list or a page of them: their contracts are read
    in one query), with the notes that say why; estates breaking no rule are left out."""
    day = day or timezone.localdate()
    warn_days = OrganisationNorm.current().contract_warning_days
    rows = list(estates)
    parties: dict[int, set] = defaultdict(set)
    ending: dict[int, list] = defaultdict(list)
    contracts = ServiceContract.objects.filter(ServiceContract.active_q(day), estate_id__in=[e.pk for e in rows])
    for c in contracts.select_related("firm").order_by("estate_id", "end_date"):
        parties[c.estate_id].add(c.entrusted_by)
        end = c.effective_end
        if (end - day).days <= warn_days:
            ending[c.estate_id].append(f"{c.firm.name}合同{end:%Y-%m-%d}到期")
    out = []
    for estate in rows:
        f = Finding(estate, mode_rules(estate.category, estate.management_mode))
        why = mismatch(estate.management_mode, parties.get(estate.pk, set()))
        if why:
            f.rules.append(MODE_MISMATCH)
            f.notes.append(why)
        if ending.get(estate.pk):
            f.rules.append(CONTRACT_ENDING)
            f.notes.extend(ending[estate.pk])
        if f.rules:
            out.append(f)
    return out


def findings(estates, day: dt.date | None = None) -> list[Finding]:
    """Every finding of the queryset `estates`, in district, street and code order (the export;
    the page takes one page of `flagged_ids` through `findings_for`)."""
    day = day or timezone.localdate()
    ids = flagged_ids(estates, day)
    out: list[Finding] = []
    for i in range(0, len(ids), 2000):  # in chunks: each chunk's estates and contracts in a query each
        out += findings_for(estates_in_order(ids[i : i + 2000]), day)
    return out


def _flag(condition: models.Q):
    """1 when any of an estate's active contracts meets `condition` (bool_or, portably)."""
    return models.Max(models.Case(models.When(condition, then=1), default=0, output_field=models.IntegerField()))


def _contract_groups(estates, unit_id: str, day: dt.date, limit: dt.date) -> list[tuple]:
    """(unit id, category, mode, entrusted, owners, ending, estates) for the estates of
    `estates` that have active contracts: the contracts are read once, grouped by estate (which
    parties, ending soon or not), and joined to the estates — a correlated EXISTS per estate took
    over a second at 220,000 estates with 100,000 contracts (docs/performance.md)."""
    scoped = bool(estates.query.where)
    per_estate = (
        _active_contracts(estates, day)
        .values("estate_id")
        .annotate(
            entrusted=_flag(models.Q(entrusted_by__in=ENTRUSTED)),
            owners=_flag(models.Q(entrusted_by=EntrustingParty.OWNERS)),
            ending=_flag(models.Q(end_date__lte=limit) | models.Q(terminated_on__lte=limit)),
        )
    )
    c_sql, c_params = per_estate.query.sql_with_params()
    table = Estate._meta.db_table
    sql = (
        f"SELECT e.{unit_id}, e.category, e.management_mode, c.entrusted, c.owners, c.ending, COUNT(*) "
        f"FROM {table} e JOIN ({c_sql}) c ON c.estate_id = e.id"
    )
    params = list(c_params)
    if scoped:
        e_sql, e_params = estates.order_by().values("pk").query.sql_with_params()
        sql += f" WHERE e.id IN ({e_sql})"
        params += list(e_params)
    sql += " GROUP BY 1, 2, 3, 4, 5, 6"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(u, c, m, bool(en), bool(ow), bool(end), n) for u, c, m, en, ow, end, n in cursor.fetchall()]


def _fact_groups(estates, unit_id: str, limit: dt.date) -> list[tuple]:
    """(unit id, category, mode, parties, ending, estates) from the estates' own contract facts
    (communities.contract_facts, of today): one grouped scan of the estate index
    estate_district_mode_idx."""
    ending = models.Case(
        models.When(contract_ends_on__lte=limit, then=1), default=0, output_field=models.IntegerField()
    )
    groups = (
        estates.order_by()
        .annotate(ending=ending)
        .values_list(unit_id, "category", "management_mode", "contract_parties", "ending")
        .annotate(n=models.Count("*"))
    )
    return [(u, c, m, parties_of(bits), bool(end), n) for u, c, m, bits, end, n in groups]


def _live_groups(estates, unit_id: str, day: dt.date, limit: dt.date) -> list[tuple]:
    """The same groups for a day other than today, from the contracts themselves: the estates
    per unit, category and mode, less those with active contracts (`_contract_groups`)."""
    groups = estates.order_by().values_list(unit_id, "category", "management_mode").annotate(n=models.Count("*"))
    without_contract = {(u, c, m): n for u, c, m, n in groups}
    cases = []
    for u, c, m, entrusted, owners, ending, n in _contract_groups(estates, unit_id, day, limit):
        without_contract[(u, c, m)] -= n
        parties = ({EntrustingParty.DISTRICT} if entrusted else set()) | ({EntrustingParty.OWNERS} if owners else set())
        cases.append((u, c, m, parties, ending, n))
    return cases + [(u, c, m, set(), False, n) for (u, c, m), n in without_contract.items() if n]


def summary_of_scope(estates, key: str, scope: str) -> tuple[list[dict], dt.datetime | None]:
    """Today's `summary` and when it was counted: a scope of more than LIST_SUMS_LIMIT estates (a
    city-wide view at national scale, ~100 ms a count) is kept for SUMMARY_CACHE_SECONDS under
    `scope` (the user's unit), like the home page's figures, and the page says when it was
    counted; a smaller scope is counted on every visit (the time is then None)."""
    from django.core.cache import cache

    from .services import LIST_SUMS_LIMIT, SUMMARY_CACHE_SECONDS

    cache_key = f"coverage-summary:{scope}:{key}:{timezone.localdate()}"
    cached = cache.get(cache_key)
    if cached is not None:
        return cached
    rows = summary(estates, key)
    if sum(r["estates"] for r in rows) <= LIST_SUMS_LIMIT:
        return rows, None
    counted = (rows, timezone.now())
    cache.set(cache_key, counted, SUMMARY_CACHE_SECONDS)
    return counted


def summary(estates, key: str, day: dt.date | None = None) -> list[dict]:
    """Per district or street (key "district" or "street") of the queryset `estates`: estates,
    findings per rule, estates flagged, gaps and estates covered.

    The rules are the Python ones (`mode_rules`, `mismatch`), applied to groups of estates
    alike in unit, category, mode, contract parties and ending soon, not to estates. Today's
    groups come from the estates' contract facts in one grouped index-only scan
    (communities.contract_facts: at 220,000 estates, joining the 90,000 contracts took over
    100 ms); another day's from the contracts (`_live_groups`). One more query names the units."""
    today = timezone.localdate()
    day = day or today
    limit = day + dt.timedelta(days=OrganisationNorm.current().contract_warning_days)
    unit_id = f"{key}_id"
    if day == today:
        ensure_today()
        cases = _fact_groups(estates, unit_id, limit)
    else:
        cases = _live_groups(estates, unit_id, day, limit)
    counts: dict[int, dict] = {}
    for u, c, m, parties, ending, n in cases:
        row = counts.setdefault(u, {r: 0 for r in RULES} | {"gaps": 0, "estates_flagged": 0, "estates": 0})
        rules = (
            mode_rules(c, m) + ([MODE_MISMATCH] if mismatch(m, parties) else []) + ([CONTRACT_ENDING] if ending else [])
        )
        row["estates"] += n
        for r in rules:
            row[r] += n
        row["estates_flagged"] += n if rules else 0
        row["gaps"] += n if GAPS & set(rules) else 0
    model = Estate._meta.get_field(key).related_model
    units = model.objects.filter(pk__in=counts).order_by("code")
    if key == "street":
        units = units.select_related("district")
    return [
        {"unit": unit, **counts[unit.pk], "covered": counts[unit.pk]["estates"] - counts[unit.pk]["gaps"]}
        for unit in units
    ]


def end_of_year(year: int) -> dt.datetime:
    """31 December of `year`, 24:00 in Asia/Shanghai (the last instant that belongs to the year)."""
    return dt.datetime(year + 1, 1, 1, tzinfo=SHANGHAI) - dt.timedelta(microseconds=1)


def estates_as_of(moment: dt.datetime, known_by: dt.datetime | None = None):
    """The registry as it stood at `moment`: a queryset of the estates' change-history rows
    (django-simple-history, HistoricalEstate: same columns as Estate, `id` the estate's id), one
    per estate, with its district, street, community, category, management mode and service firm.

    Per estate: the last record written at or before `moment`. An estate the registry learnt of
    only after `moment` (the registry is often loaded after the years it assesses) stands as it
    was recorded by `known_by` (for the unit assessment: when the year's current cycle run was
    made, the run that fixed the year's estates; by default: now), and is absent if registered
    after that.
    An estate deleted by then is absent. Ties of time (bulk writes share one timestamp) go to the
    later history id. Every write to the registry records history (forms,
    API and the survey import through bulk_*_with_history), so this is exact for what the
    platform was told by then. Two correlated NOT EXISTS over the history's id index: fast
    enough for a yearly computation."""
    history = Estate.history.model
    same = history.objects.filter(id=models.OuterRef("id"))
    later = same.filter(
        models.Q(history_date__gt=models.OuterRef("history_date"))
        | models.Q(history_date=models.OuterRef("history_date"), history_id__gt=models.OuterRef("history_id"))
    )
    last_by_moment = models.Q(history_date__lte=moment) & ~models.Q(
        models.Exists(later.filter(history_date__lte=moment))
    )
    registered_after = ~models.Q(models.Exists(same.filter(history_date__lte=moment)))
    if known_by is not None:
        registered_after &= models.Q(history_date__lte=known_by) & ~models.Q(
            models.Exists(later.filter(history_date__lte=known_by))
        )
    else:
        registered_after &= ~models.Q(models.Exists(later))
    return history.objects.filter(last_by_moment | registered_after).exclude(history_type="-").order_by()


def gap_counts(moment: dt.datetime | None = None, known_by: dt.datetime | None = None) -> dict:
    """(level, unit id) → [estates, estates with a coverage gap], for every unit (no scoping):
    one grouped query. With `moment`, the registry as it stood then (estates_as_of): the unit
    assessment of year Y reads the estates' modes, categories and places of 31 December Y."""
    counts: dict = defaultdict(lambda: [0, 0])
    source = Estate.objects.all() if moment is None else estates_as_of(moment, known_by)
    rows = (
        source.order_by()
        .values_list("district_id", "street_id", "community_id", "category", "management_mode")
        .annotate(n=models.Count("id"))
    )
    for district_id, street_id, community_id, category, mode, n in rows:
        gap = n if GAPS & set(mode_rules(category, mode)) else 0
        for key in (("district", district_id), ("street", street_id), ("community", community_id)):
            counts[key][0] += n
            counts[key][1] += gap
    return counts


def gap_counts_for(**filters) -> tuple[int, int]:
    """(estates, estates with a coverage gap) among the estates matching `filters`."""
    estates = gaps = 0
    for category, mode, n in (
        Estate.objects.filter(**filters)
        .order_by()
        .values_list("category", "management_mode")
        .annotate(n=models.Count("id"))
    ):
        estates += n
        if GAPS & set(mode_rules(category, mode)):
            gaps += n
    return estates, gaps
