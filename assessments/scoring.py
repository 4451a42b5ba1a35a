"""Scoring one estate by a scheme's rules (policy-defaults.md §2–3), exactly.

Means and ratios are Fractions; each indicator is rounded once, at the end, to 0.01
ROUND_HALF_UP (`round_score`); the total is the sum of the four rounded indicators. The
effectiveness indicator (效能效果) sums the dispute, repair and — optional, 0 in the shipped
scheme — satisfaction parts before its one rounding. Nothing here touches the database:
`load_rules` reads a scheme's rows once per run.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property, partial
from typing import NamedTuple

from .choices import Grade

CENTS = 100
CENT = Decimal("0.01")


def to_fraction(value) -> Fraction:
    if isinstance(value, float):
        raise TypeError("float is not allowed in scoring")
    return Fraction(value)


def round_score(value: Fraction) -> Decimal:
    """A Fraction → Decimal with two places, rounded ROUND_HALF_UP (half away from zero)."""
    value = to_fraction(value)
    sign = -1 if value < 0 else 1
    scaled = abs(value) * CENTS
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if 2 * rest >= scaled.denominator:
        whole += 1
    return (Decimal(sign * whole) / CENTS).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Rules:
    """A scheme's numbers, read once: everything the cycle needs to score any estate."""

    scheme_id: int
    version: int
    checklist_max_tenths: dict  # category → checklist maximum in tenths of a point
    fee_bands: tuple  # ((threshold Decimal, points Decimal), ...) highest threshold first
    size_bands: tuple
    grade_bands: tuple  # ((min_score Decimal, grade), ...) highest first
    management_cents: int  # the points in hundredths, for the integer arithmetic
    dispute_cents: int
    repair_cents: int
    satisfaction_cents: int = 0  # 0: the scheme does not weigh satisfaction (nothing is read)

    # The cycle scores every estate of the city: the band walks and the Decimals were a third
    # of its Python time. A fee rate's points and a total's grade are looked up once per
    # distinct value (a few thousand rates, at most 10,001 totals); areas are nearly all
    # distinct, so the size bands are walked in whole hundredths instead.
    @cached_property
    def fee_cents(self) -> dict:
        """fee rate (or None) → the fee points in whole hundredths"""
        return _ByValue(partial(_band_cents, self.fee_bands))

    @cached_property
    def size_band_cents(self) -> tuple:
        """((threshold, points in whole hundredths), ...) highest threshold first"""
        return tuple(
            (threshold, _band_cents(((threshold, points),), threshold)) for threshold, points in self.size_bands
        )

    @cached_property
    def grade_of_cents(self) -> dict:
        """total in whole hundredths → grade"""
        return _ByValue(lambda cents: grade_for(self, DECIMAL_OF_CENTS[cents]))


def load_rules(scheme) -> Rules:
    checklist: dict[str, int] = {}
    for category, max_points in scheme.items.values_list("category", "max_points"):
        checklist[category] = checklist.get(category, 0) + int(max_points * 10)
    bands = {"fee": [], "size": []}
    for kind, threshold, points in scheme.bands.order_by("-threshold").values_list("kind", "threshold", "points"):
        bands[kind].append((threshold, points))
    grades = tuple(scheme.grade_bands.order_by("-min_score").values_list("min_score", "grade"))
    return Rules(
        scheme_id=scheme.pk,
        version=scheme.version,
        checklist_max_tenths=checklist,
        fee_bands=tuple(bands["fee"]),
        size_bands=tuple(bands["size"]),
        grade_bands=grades,
        management_cents=_cents(to_fraction(scheme.management_points)),
        dispute_cents=_cents(to_fraction(scheme.dispute_points)),
        repair_cents=_cents(to_fraction(scheme.repair_points)),
        satisfaction_cents=_cents(to_fraction(scheme.satisfaction_points)),
    )


def band_points(bands, value) -> Decimal:
    """≥ threshold → points, highest threshold first; below every band (or no value) → 0."""
    if value is None:
        return Decimal("0.00")
    for threshold, points in bands:
        if value >= threshold:
            return points
    return Decimal("0.00")


def grade_for(rules: Rules, total: Decimal) -> str:
    for min_score, grade in rules.grade_bands:
        if total >= min_score:
            return grade
    return Grade.FAIL.value


class Score(NamedTuple):
    """One estate's indicators, total and grade (a named tuple: one is built per estate)."""

    management: Decimal
    effectiveness: Decimal
    fee: Decimal
    size: Decimal
    total: Decimal
    grade: str


def _cents_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator (non-negative ints) rounded half up to a whole number."""
    q, r = divmod(numerator, denominator)
    return q + 1 if 2 * r >= denominator else q


def _cents(value: Fraction) -> int:
    """A points value with at most two decimals, in whole hundredths."""
    scaled = value * CENTS
    if scaled.denominator != 1:
        raise ValueError("scheme points must have at most two decimals")
    return scaled.numerator


def score_estate(
    rules: Rules,
    *,
    category: str,
    building_area: Decimal,
    inspections: int,
    inspections_total_tenths: int,
    fee_rate: Decimal | None,
    disputes_received: int = 0,
    disputes_resolved: int = 0,
    repairs_reported: int = 0,
    repairs_on_time: int = 0,
    cases_rated: int = 0,
    cases_satisfied: int = 0,
) -> Score | None:
    """The four indicators, the total and the grade; None when not assessed (no counted
    inspection in the year: 未参加考核).

    Exact integer arithmetic (the same values as the Fractions of the spec, computed faster:
    the cycle scores every estate of the city): each indicator is one exact ratio of integers
    rounded once, half up, to hundredths."""
    if inspections <= 0:
        return None
    checklist_max = rules.checklist_max_tenths.get(category)
    if not checklist_max:
        raise ValueError(f"方案第{rules.version}版没有“{category}”类别的检查项目。")
    # mean of totals (tenths) scaled from the checklist maximum (tenths) to the indicator's points:
    # S / n / max × P, in hundredths of a point
    management = _cents_half_up(inspections_total_tenths * rules.management_cents, inspections * checklist_max)
    # D × resolved / received + R × on time / reported + S × satisfied / rated (a ratio with no
    # cases counts as 1: an estate with no rated case gets the full S, as one with no dispute
    # gets the full D). With S = 0 the satisfaction ratio is 1/1: the same sum as without it.
    rec, res = (disputes_received, disputes_resolved) if disputes_received else (1, 1)
    rep, ont = (repairs_reported, repairs_on_time) if repairs_reported else (1, 1)
    rat, sat = (cases_rated, cases_satisfied) if rules.satisfaction_cents and cases_rated else (1, 1)
    effectiveness = _cents_half_up(
        (rules.dispute_cents * res * rep + rules.repair_cents * ont * rec) * rat
        + rules.satisfaction_cents * sat * rec * rep,
        rec * rep * rat,
    )
    fee = rules.fee_cents[fee_rate]
    size = 0
    if building_area is not None:
        for threshold, cents in rules.size_band_cents:
            if building_area >= threshold:
                size = cents
                break
    # the sum of four amounts in whole hundredths is exact in integers, as it is in Decimals
    total = management + effectiveness + fee + size
    d = DECIMAL_OF_CENTS
    return Score(d[management], d[effectiveness], d[fee], d[size], d[total], rules.grade_of_cents[total])


class _ByValue(dict):
    """value → compute(value), computed on first use (a dict lookup after that)."""

    def __init__(self, compute):
        super().__init__()
        self.compute = compute

    def __missing__(self, key):
        value = self[key] = self.compute(key)
        return value


def _band_cents(bands, value) -> int:
    """A band's points, rounded to hundredths as the indicator is, in whole hundredths."""
    return int(band_points(bands, value).quantize(CENT).scaleb(2))


# whole hundredths → the Decimal with two places (8215 → Decimal("82.15")), one object per value
DECIMAL_OF_CENTS = _ByValue(lambda cents: Decimal(cents).scaleb(-2))
