"""分配计算: a year's allocations from the current assessment results (policy-defaults.md §4–6).

`compute_lines(year)` turns every current result of the year into the subsidies it earns under
the policies covering that year, per district; `recompute_year(run)` — called after every
successful cycle run — writes them into each district's draft sheet, or, for a district whose
sheet is already approved, into an adjustment version listing the differences (补拨/追回).
Approved sheets are never touched. All money is integer fen through core.money.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone

from communities.choices import EntrustingParty
from communities.models import Estate, PropertyCommittee, ServiceContract
from core.money import amount_for_area, split_shares, split_tranches

from .choices import PolicyKind, SheetKind, SheetStatus
from .models import Allocation, AllocationSheet, PayeeOverride, Policy, SheetEvent, StartupGrant

ZERO_AREA = Decimal("0.00")


@dataclass(slots=True)
class Line:
    """One computed allocation (an Allocation row before it is written)."""

    estate_id: int
    district_id: int
    street_id: int
    community_id: int
    kind: str
    policy_id: int | None
    area: Decimal
    score: Decimal | None
    grade: str
    amount_fen: int
    city_fen: int
    district_fen: int
    rate: Decimal | None = None
    renovation_year: int | None = None
    tranche: int | None = None
    grant_total_fen: int | None = None
    payee: str = ""
    contract_id: int | None = None
    payee_contract: str = ""
    payee_basis: str = ""
    previous: tuple[int, int, int] = field(default=(0, 0, 0))

    @property
    def key(self):
        return (self.estate_id, self.kind)


# --- policies ----------------------------------------------------------------------------------
class PolicyBook:
    """The policies covering a year, by district and kind (the latest-starting one wins if two
    overlap; the policy page warns about overlaps)."""

    def __init__(self, year: int, policies=None):
        self.year = year
        if policies is None:
            policies = (
                Policy.objects.covering(year)
                .prefetch_related("districts", "rates", "tiers")
                .order_by("valid_from_year", "id")
            )
        self.by_district: dict[int, dict[str, Policy]] = defaultdict(dict)
        self.rates: dict[int, dict[str, Decimal]] = {}
        self.tiers: dict[int, list[tuple[Decimal, int]]] = {}
        self._grade_ok: dict[tuple, bool] = {}
        self._tranches: dict[tuple, list[int]] = {}
        for p in policies:
            self.rates[p.pk] = {r.grade: r.rate for r in p.rates.all()}
            self.tiers[p.pk] = sorted(((t.min_area, t.total_fen) for t in p.tiers.all()), reverse=True)
            for d in p.districts.all():
                self.by_district[d.pk][p.kind] = p

    @property
    def district_ids(self) -> set[int]:
        return set(self.by_district)

    def policy(self, district_id: int, kind: str) -> Policy | None:
        return self.by_district.get(district_id, {}).get(kind)

    # Per-estate work of a 220,000-estate year, memoised per policy: the tests of the grade and
    # the split of a total into tranches depend on the policy and a few values only. Keyed by the
    # shares themselves, since 测算 changes a policy's shares in memory after the book is made.
    def grade_ok(self, policy: Policy, grade: str) -> bool:
        key = (policy.pk, policy.min_grade, grade)
        if key not in self._grade_ok:
            self._grade_ok[key] = policy.grade_ok(grade)
        return self._grade_ok[key]

    def tranches(self, policy: Policy, total: int) -> list[int]:
        key = (policy.pk, total, tuple(policy.tranche_shares))
        if key not in self._tranches:
            self._tranches[key] = split_tranches(total, policy.shares())
        return self._tranches[key]

    def tier_total(self, policy: Policy, area: Decimal) -> int | None:
        for min_area, total in self.tiers[policy.pk]:
            if area >= min_area:
                return total
        return None


def management_line(book: PolicyBook, base: dict) -> Line | None:
    """管理扶持: area × rate of the grade, rounded once to the fen; split 1:3 (§4)."""
    policy = book.policy(base["district_id"], PolicyKind.MANAGEMENT)
    if policy is None or base["category"] not in policy.categories or base["score"] is None:
        return None
    if not book.grade_ok(policy, base["grade"]):
        return None
    rate = book.rates[policy.pk].get(base["grade"])
    if rate is None:
        return None
    amount = amount_for_area(base["area"], rate)
    city, district = split_shares(amount, policy.city_share)
    return Line(
        kind=PolicyKind.MANAGEMENT,
        policy_id=policy.pk,
        rate=rate,
        amount_fen=amount,
        city_fen=city,
        district_fen=district,
        **_ids(base),
    )


def startup_line(book: PolicyBook, base: dict, grant: StartupGrant | None) -> tuple[Line | None, tuple | None]:
    """整治扶持: tranche (year − R + 1) of the total fixed for the estate (§5). Returns the line
    and, when no grant exists yet, the (policy, area, total) to fix one."""
    policy = book.policy(base["district_id"], PolicyKind.STARTUP)
    if policy is None or base["category"] not in policy.categories or base["score"] is None:
        return None, None
    r = base["renovation_year"]
    if not policy.renovation_ok(r) or not book.grade_ok(policy, base["grade"]):
        return None, None
    tranche = book.year - r + 1
    if not 1 <= tranche <= len(policy.tranche_shares):
        return None, None
    new_grant = None
    if grant is not None:
        total = grant.total_fen
    else:
        total = book.tier_total(policy, base["area"])
        if total is None:
            return None, None
        new_grant = (policy, base["area"], total)
    amount = book.tranches(policy, total)[tranche - 1]
    city, district = split_shares(amount, policy.city_share)
    line = Line(
        kind=PolicyKind.STARTUP,
        policy_id=policy.pk,
        renovation_year=r,
        tranche=tranche,
        grant_total_fen=total,
        amount_fen=amount,
        city_fen=city,
        district_fen=district,
        **_ids(base),
    )
    return line, new_grant


def _ids(base: dict) -> dict:
    return {k: base[k] for k in ("estate_id", "district_id", "street_id", "community_id", "area", "score", "grade")}


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


# --- computing a year ------------------------------------------------------------------------------
BASE_KEYS = (
    "estate_id",
    "district_id",
    "street_id",
    "community_id",
    "category",
    "area",
    "score",
    "grade",
    "renovation_year",
)


def current_bases(year: int, district_ids):
    from assessments.models import EstateResult

    qs = EstateResult.objects.filter(year=year, is_current=True, district_id__in=district_ids, assessed=True).order_by()
    for row in qs.values_list(
        "estate_id",
        "district_id",
        "street_id",
        "community_id",
        "category",
        "building_area",
        "total",
        "grade",
        "renovation_year",
    ).iterator(chunk_size=5000):
        yield dict(zip(BASE_KEYS, row, strict=True))


def compute_lines(
    year: int, book: PolicyBook | None = None, *, grants: dict | None = None, new_grants: dict | None = None
) -> dict[int, list[Line]]:
    """Every allocation the year's current results earn, per district (payees not yet filled).

    `grants` (estate id → StartupGrant) are the totals already fixed; a start-up line of an
    estate without one records (policy, area, total) in `new_grants` for the caller to fix."""
    book = book or PolicyBook(year)
    if grants is None:
        grants = {g.estate_id: g for g in StartupGrant.objects.all()}
    out: dict[int, list[Line]] = {d: [] for d in book.district_ids}
    for base in current_bases(year, book.district_ids):
        line = management_line(book, base)
        if line is not None:
            out[base["district_id"]].append(line)
        line, new_grant = startup_line(book, base, grants.get(base["estate_id"]))
        if line is not None:
            out[base["district_id"]].append(line)
            if new_grant is not None and new_grants is not None:
                new_grants[base["estate_id"]] = (*new_grant, base["renovation_year"])
    return out


def _grants_for(year: int, book: PolicyBook) -> dict[int, StartupGrant]:
    """Grants already fixed; those fixed by this very year while its sheet is still open are
    left out, so that a re-run of the year (a corrected area) fixes them afresh."""
    grants = {}
    approved = set(
        AllocationSheet.objects.filter(year=year, status=SheetStatus.APPROVED).values_list("district_id", flat=True)
    )
    for g in StartupGrant.objects.filter(estate__district_id__in=book.district_ids).select_related("estate"):
        if g.fixed_year == year and g.estate.district_id not in approved:
            continue
        grants[g.estate_id] = g
    return grants


def _release_grants(year: int, earning: set[int]) -> int:
    """A grant belongs to the run of its year that fixed it: when a new run of that year pays
    the estate no start-up tranche (no longer assessed, no longer eligible), that grant is
    removed with the superseded run, so a later year fixes the total afresh from the tier of its
    own result instead of paying from a stale one (issue 13.3). Grants of other years, and
    those of this year whose estate still earns its tranche, are left to `_fix_grants` and
    `_grants_for`. Returns the number removed."""
    # filtered in Python: a year fixes few grants, while `earning` may be too long for NOT IN
    stale = [
        pk
        for pk, estate_id in StartupGrant.objects.filter(fixed_year=year).values_list("pk", "estate_id")
        if estate_id not in earning
    ]
    deleted = 0
    for i in range(0, len(stale), 900):  # SQLite's bound-parameter limit
        deleted += StartupGrant.objects.filter(pk__in=stale[i : i + 900]).delete()[0]
    return deleted


def _fix_grants(year: int, new_grants: dict, run=None):
    """Fix the new grants in one statement (an upsert on the estate): one UPDATE per grant cost
    10–15 s of a 220,000-estate cycle (docs/performance.md)."""
    StartupGrant.objects.bulk_create(
        [
            StartupGrant(
                estate_id=estate_id,
                policy=policy,
                area=area,
                total_fen=total,
                fixed_year=year,
                renovation_year=renovation_year,
                run=run,
            )
            for estate_id, (policy, area, total, renovation_year) in new_grants.items()
        ],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["estate"],
        update_fields=["policy", "area", "total_fen", "fixed_year", "renovation_year", "run"],
    )


@transaction.atomic
def recompute_year(year: int, run=None, *, by=None) -> dict:
    """Recompute the year's draft allocations (after a cycle run). Returns counts per outcome."""
    book = PolicyBook(year)
    grants = _grants_for(year, book)
    new_grants: dict = {}
    lines = compute_lines(year, book, grants=grants, new_grants=new_grants)
    _release_grants(year, {ln.estate_id for ls in lines.values() for ln in ls if ln.kind == PolicyKind.STARTUP})
    _fix_grants(year, new_grants, run)
    payees = payees_for({line.estate_id for ls in lines.values() for line in ls}, year)
    for ls in lines.values():
        for line in ls:
            p = payees.get(line.estate_id)
            if p is not None:
                line.payee, line.payee_basis, line.contract_id, line.payee_contract = (
                    p.payee,
                    p.basis,
                    p.contract_id,
                    p.contract,
                )
    districts = set(lines) | set(AllocationSheet.objects.filter(year=year).values_list("district_id", flat=True))
    outcome = {"drafts": 0, "adjustments": 0, "unchanged": 0}
    for district_id in sorted(districts):
        outcome[_recompute_district(year, district_id, lines.get(district_id, []), run, by)] += 1
    return outcome


def approved_state(year: int, district_id: int) -> dict[tuple, Allocation]:
    """(estate, kind) → the approved row in force: the original's, overridden by each approved
    adjustment in turn (adjustment rows carry the corrected amounts, not only the difference)."""
    state = {}
    sheets = AllocationSheet.objects.filter(year=year, district_id=district_id, status=SheetStatus.APPROVED).order_by(
        "version"
    )
    for sheet in sheets:
        for row in sheet.rows.all():
            state[(row.estate_id, row.kind)] = row
    return state


def _recompute_district(year, district_id, lines, run, by) -> str:
    latest = (
        AllocationSheet.objects.select_for_update()
        .filter(year=year, district_id=district_id)
        .order_by("-version")
        .first()
    )
    now = timezone.now()
    if latest is None or (latest.kind == SheetKind.ORIGINAL and latest.status != SheetStatus.APPROVED):
        sheet = latest or AllocationSheet(year=year, district_id=district_id, version=1)
        _reset(sheet, run, now)
        sheet.save()
        Allocation.objects.filter(sheet=sheet)._raw_delete(Allocation.objects.db)
        _write_rows(sheet, lines)
        SheetEvent.objects.create(
            sheet=sheet, action="recomputed" if latest else "computed", by=by, note=_run_note(run)
        )
        return "drafts"
    # The district's sheet was approved: differences go into an adjustment version.
    state = approved_state(year, district_id)
    diffs = _differences(lines, state)
    if latest.status == SheetStatus.APPROVED:
        if not diffs:
            return "unchanged"
        last = AllocationSheet.objects.filter(year=year, district_id=district_id).aggregate(v=Max("version"))["v"]
        sheet = AllocationSheet(year=year, district_id=district_id, version=last + 1, kind=SheetKind.ADJUSTMENT)
    else:
        sheet = latest  # an open adjustment: recomputed in place
        sheet.rows.all().delete()
        if not diffs:
            sheet.delete()
            return "unchanged"
    _reset(sheet, run, now)
    sheet.reason = _reopen_reason(year)
    sheet.save()
    _write_rows(sheet, diffs)
    SheetEvent.objects.create(sheet=sheet, action="computed", by=by, note=_run_note(run))
    return "adjustments"


def _reset(sheet, run, now):
    sheet.status = SheetStatus.DRAFT
    sheet.run = run
    sheet.computed_at = now
    sheet.confirmed_by = sheet.confirmed_at = None


def _run_note(run) -> str:
    return f"依据{run.title}（#{run.pk}）" if run is not None else ""


def _reopen_reason(year: int) -> str:
    from assessments.models import YearEvent

    event = YearEvent.objects.filter(year__year=year, action="reopen").order_by("-at", "-id").first()
    return event.reason if event else ""


def _differences(lines: list[Line], state: dict) -> list[Line]:
    """Per (estate, kind): the corrected line beside what was approved, where they differ; an
    approved row with no corrected line becomes a line of zero (追回 of all of it)."""
    out = []
    seen = set()
    for line in lines:
        seen.add(line.key)
        old = state.get(line.key)
        prev = (old.amount_fen, old.city_fen, old.district_fen) if old else (0, 0, 0)
        if prev != (line.amount_fen, line.city_fen, line.district_fen):
            out.append(replace(line, previous=prev))
    for key, old in state.items():
        if key in seen or old.amount_fen == 0:
            continue
        out.append(
            Line(
                estate_id=old.estate_id,
                district_id=old.district_id,
                street_id=old.street_id,
                community_id=old.community_id,
                kind=old.kind,
                policy_id=old.policy_id,
                area=old.area,
                score=old.score,
                grade=old.grade,
                rate=old.rate,
                renovation_year=old.renovation_year,
                tranche=old.tranche,
                grant_total_fen=old.grant_total_fen,
                amount_fen=0,
                city_fen=0,
                district_fen=0,
                payee=old.payee,
                contract_id=old.contract_id,
                payee_contract=old.payee_contract,
                payee_basis=old.payee_basis,
                previous=(old.amount_fen, old.city_fen, old.district_fen),
            )
        )
    return out


ROW_COLUMNS = (
    "sheet_id",
    "estate_id",
    "district_id",
    "street_id",
    "community_id",
    "kind",
    "policy_id",
    "area",
    "score",
    "grade",
    "rate",
    "renovation_year",
    "tranche",
    "grant_total_fen",
    "amount_fen",
    "city_fen",
    "district_fen",
    "previous_fen",
    "previous_city_fen",
    "previous_district_fen",
    "payee",
    "contract_id",
    "payee_contract",
    "payee_basis",
)


def _row_values(sheet_id: int, ln: Line) -> tuple:
    return (
        sheet_id,
        ln.estate_id,
        ln.district_id,
        ln.street_id,
        ln.community_id,
        ln.kind,
        ln.policy_id,
        ln.area,
        ln.score,
        ln.grade,
        ln.rate,
        ln.renovation_year,
        ln.tranche,
        ln.grant_total_fen,
        ln.amount_fen,
        ln.city_fen,
        ln.district_fen,
        *ln.previous,
        ln.payee,
        ln.contract_id,
        ln.payee_contract,
        ln.payee_basis,
    )


def _write_rows(sheet: AllocationSheet, lines: list[Line]):
    """The sheet's rows in one COPY on PostgreSQL (a district has tens of thousands at city
    scale and this runs inside the cycle's job), bulk_create elsewhere; then its totals."""
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {Allocation._meta.db_table} ({', '.join(ROW_COLUMNS)}) FROM STDIN") as copy,
        ):
            for ln in lines:
                copy.write_row(_row_values(sheet.pk, ln))
    else:
        Allocation.objects.bulk_create(
            [Allocation(**dict(zip(ROW_COLUMNS, _row_values(sheet.pk, ln), strict=True))) for ln in lines],
            batch_size=2000,
        )
    set_totals(sheet, lines)
    sheet.save()


def set_totals(sheet: AllocationSheet, lines) -> None:
    """Totals are sums of the rows (for an adjustment, of the differences), in fen."""
    management = startup = city = district = 0
    city_pay = city_recover = district_pay = district_recover = 0
    areas: dict[int, Decimal] = {}
    for ln in lines:
        d_amount = ln.amount_fen - ln.previous[0]
        d_city = ln.city_fen - ln.previous[1]
        d_district = ln.district_fen - ln.previous[2]
        if ln.kind == PolicyKind.MANAGEMENT:
            management += d_amount
        else:
            startup += d_amount
        city += d_city
        district += d_district
        city_pay += max(d_city, 0)
        city_recover += max(-d_city, 0)
        district_pay += max(d_district, 0)
        district_recover += max(-d_district, 0)
        areas[ln.estate_id] = ln.area
    sheet.management_fen, sheet.startup_fen = management, startup
    sheet.total_fen, sheet.city_fen, sheet.district_fen = management + startup, city, district
    sheet.city_pay_fen, sheet.city_recover_fen = city_pay, city_recover
    sheet.district_pay_fen, sheet.district_recover_fen = district_pay, district_recover
    sheet.estates = len(areas)
    sheet.area = sum(areas.values(), ZERO_AREA)


def on_cycle_run_finished(sender, run, **kwargs):
    """Receiver of assessments.signals.cycle_run_finished (inside the run's transaction)."""
    result = recompute_year(run.year, run, by=run.created_by)
    return result
