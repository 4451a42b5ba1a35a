"""Computing a year: the current results' bases, the lines, start-up grants, recompute_year and its receiver."""

from __future__ import annotations

from django.db import transaction

from ..choices import PolicyKind, SheetStatus
from ..models import AllocationSheet, StartupGrant
from .lines import Line
from .payees import payees_for
from .policies import PolicyBook, management_line, startup_line
from .sheets import _recompute_district

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


def on_cycle_run_finished(sender, run, **kwargs):
    """Receiver of assessments.signals.cycle_run_finished (inside the run's transaction)."""
    result = recompute_year(run.year, run, by=run.created_by)
    return result
