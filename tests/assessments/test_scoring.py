"""Properties of the scoring (policy-defaults.md §2–3): Hypothesis over the default scheme."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments.models import Scheme
from assessments.scoring import load_rules, round_score, score_estate

pytestmark = pytest.mark.django_db

RULES = {}


def rules():
    if "r" not in RULES:
        RULES["r"] = load_rules(Scheme.objects.get(version=1))
    return RULES["r"]


BANDS = [(Decimal(90), "三星"), (Decimal(80), "二星"), (Decimal(70), "一星"), (Decimal(0), "不达标")]
tenths = st.integers(min_value=0, max_value=500)  # an inspection total, in tenths (0–50.0)


@st.composite
def estate_inputs(draw):
    totals = draw(st.lists(tenths, min_size=1, max_size=12))
    received = draw(st.integers(0, 40))
    reported = draw(st.integers(0, 40))
    return {
        "category": draw(st.sampled_from(["renovated", "unrenovated", "affordable"])),
        "building_area": draw(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("300000"), places=2)),
        "inspections": len(totals),
        "inspections_total_tenths": sum(totals),
        "fee_rate": draw(st.none() | st.decimals(min_value=0, max_value=100, places=2)),
        "disputes_received": received,
        "disputes_resolved": draw(st.integers(0, received)),
        "repairs_reported": reported,
        "repairs_on_time": draw(st.integers(0, reported)),
    }


@given(estate_inputs())
def test_scores_stay_within_bounds_and_the_grade_matches_the_bands(inputs):
    s = score_estate(rules(), **inputs)
    assert Decimal(0) <= s.management <= 50
    assert Decimal(0) <= s.effectiveness <= 20
    assert s.fee in {Decimal(x) for x in (0, 4, 8, 12, 16, 20)}
    assert s.size in {Decimal(x) for x in (4, 6, 8, 10)}
    assert Decimal(0) <= s.total <= 100
    assert s.total == s.management + s.effectiveness + s.fee + s.size
    assert s.grade == next(g for minimum, g in BANDS if s.total >= minimum)
    for value in (s.management, s.effectiveness, s.fee, s.size, s.total):
        assert value == value.quantize(Decimal("0.01"))


@given(estate_inputs())
def test_management_is_the_mean_rounded_once_half_up(inputs):
    s = score_estate(rules(), **inputs)
    # checklist max is 50 in every category, so the indicator is the mean itself
    exact = Fraction(inputs["inspections_total_tenths"], 10 * inputs["inspections"])
    expected = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    # Decimal division is exact to 28 digits here; the half-way cases are exact fractions.
    assert s.management == expected


@given(
    st.integers(0, 40).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))),
    st.integers(0, 40).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))),
)
def test_effectiveness_is_one_rounding_of_the_weighted_ratios(disputes, repairs):
    (received, resolved), (reported, on_time) = disputes, repairs
    s = score_estate(
        rules(),
        category="renovated",
        building_area=Decimal("1000"),
        inspections=1,
        inspections_total_tenths=400,
        fee_rate=None,
        disputes_received=received,
        disputes_resolved=resolved,
        repairs_reported=reported,
        repairs_on_time=on_time,
    )
    d = Fraction(resolved, received) if received else Fraction(1)
    r = Fraction(on_time, reported) if reported else Fraction(1)
    assert s.effectiveness == round_score(10 * d + 10 * r)


def test_round_score_is_half_up_not_bankers():
    assert round_score(Fraction(4505, 100)) == Decimal("45.05")
    assert round_score(Fraction(45005, 1000)) == Decimal("45.01")  # banker's would give 45.00
    assert round_score(Fraction(44995, 1000)) == Decimal("45.00")
    assert round_score(Fraction(1, 3) * 100) == Decimal("33.33")
    assert round_score(Fraction(2, 3) * 100) == Decimal("66.67")
    # 10 × 1/8 + 10 × 1 = 11.25 exactly; 10 × 1/3 + 10 = 13.333… → 13.33; 10 × 5/8 + 10 × 7/8 = 15.00
    assert round_score(10 * Fraction(1, 8) + 10) == Decimal("11.25")


def test_three_inspections_mean_is_rounded_half_up_once():
    # totals 45.0, 45.0, 45.1 → mean 45.0333… → 45.03; 44.5 + 44.6 → 44.55 exactly
    s = score_estate(
        rules(),
        category="renovated",
        building_area=Decimal("1"),
        inspections=3,
        inspections_total_tenths=450 + 450 + 451,
        fee_rate=Decimal("90"),
    )
    assert s.management == Decimal("45.03")
    s = score_estate(
        rules(),
        category="renovated",
        building_area=Decimal("1"),
        inspections=2,
        inspections_total_tenths=445 + 446,
        fee_rate=Decimal("89.99"),
    )
    assert s.management == Decimal("44.55") and s.fee == Decimal("16.00") and s.size == Decimal("4.00")


def test_no_counted_inspection_is_not_assessed():
    assert (
        score_estate(
            rules(),
            category="renovated",
            building_area=Decimal("1"),
            inspections=0,
            inspections_total_tenths=0,
            fee_rate=Decimal("100"),
        )
        is None
    )
