"""Money properties of the allocations (policy-defaults.md §6), with Hypothesis; FloatOperation
is trapped (conftest) so any float mixed into a Decimal fails the test."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from core.money import amount_for_area, split_shares, split_tranches
from subsidies.allocation import Line, set_totals
from subsidies.choices import PolicyKind
from subsidies.models import AllocationSheet

areas = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999.99"), places=2)
rates = st.sampled_from([Decimal("3.60"), Decimal("2.40"), Decimal("1.20")]) | st.decimals(
    min_value=Decimal("0"), max_value=Decimal("99.99"), places=2
)
amounts = st.integers(min_value=0, max_value=10**13)
shares = st.sampled_from([Decimal("0.25"), Decimal("0"), Decimal("1"), Decimal("0.3333")])


@given(areas, rates, shares)
def test_shares_add_up_and_city_is_the_quarter_half_up(area, rate, share):
    amount = amount_for_area(area, rate)
    assert amount == int((area * rate * 100).quantize(Decimal("1"), rounding="ROUND_HALF_UP"))
    city, district = split_shares(amount, share)
    assert city + district == amount
    assert city == int((Decimal(amount) * share).quantize(Decimal("1"), rounding="ROUND_HALF_UP"))
    assert isinstance(city, int) and isinstance(district, int)


@given(amounts)
def test_quarter_rounds_half_up_to_the_fen(amount):
    city, district = split_shares(amount, Decimal("0.25"))
    # exact: 4 × city is within 2 fen of the amount, and a remainder of 2 (the half fen) rounds up
    assert 4 * city - amount in (-1, 0, 1, 2)
    if amount % 4 == 2:
        assert 4 * city - amount == 2


@given(st.sampled_from([12_000_000, 16_000_000, 20_000_000]) | amounts)
def test_three_tranches_add_up_to_the_total(total):
    parts = split_tranches(total, [Decimal("0.50"), Decimal("0.30"), Decimal("0.20")])
    assert sum(parts) == total and len(parts) == 3 and all(isinstance(p, int) for p in parts)


line_st = st.builds(
    lambda eid, kind, amount, prev: _line(eid, kind, amount, prev),
    st.integers(1, 50),
    st.sampled_from([PolicyKind.MANAGEMENT, PolicyKind.STARTUP]),
    amounts,
    amounts,
)


def _line(eid, kind, amount, prev):
    city, district = split_shares(amount, Decimal("0.25"))
    pc, pd = split_shares(prev, Decimal("0.25"))
    return Line(
        estate_id=eid,
        district_id=1,
        street_id=1,
        community_id=1,
        kind=kind,
        policy_id=None,
        area=Decimal("100.00"),
        score=None,
        grade="",
        amount_fen=amount,
        city_fen=city,
        district_fen=district,
        previous=(prev, pc, pd),
    )


@given(st.lists(line_st, max_size=30))
def test_sheet_totals_equal_the_sum_of_rows(lines):
    sheet = AllocationSheet()
    set_totals(sheet, lines)
    diffs = [ln.amount_fen - ln.previous[0] for ln in lines]
    assert sheet.total_fen == sum(diffs) == sheet.management_fen + sheet.startup_fen
    assert sheet.city_fen + sheet.district_fen == sheet.total_fen
    assert sheet.city_pay_fen - sheet.city_recover_fen == sheet.city_fen
    assert sheet.district_pay_fen - sheet.district_recover_fen == sheet.district_fen
    assert sheet.estates == len({ln.estate_id for ln in lines})


def test_worked_examples_in_fen():
    amount = amount_for_area(Decimal("32600.50"), Decimal("3.60"))
    assert (amount, *split_shares(amount, Decimal("0.25"))) == (11_736_180, 2_934_045, 8_802_135)
    assert split_tranches(16_000_000, [Decimal("0.50"), Decimal("0.30"), Decimal("0.20")]) == [
        8_000_000,
        4_800_000,
        3_200_000,
    ]
    assert split_shares(8_000_000, Decimal("0.25")) == (2_000_000, 6_000_000)
    assert split_shares(4_800_000, Decimal("0.25")) == (1_200_000, 3_600_000)
    assert split_shares(1_000_002, Decimal("0.25")) == (250_001, 750_001)
