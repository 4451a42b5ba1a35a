"""The policies in force for a year (PolicyBook) and the management and start-up lines they give."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from core.money import amount_for_area, split_shares, split_tranches

from ..choices import PolicyKind
from ..models import Policy, StartupGrant
from .lines import Line


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
