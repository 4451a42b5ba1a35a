"""Money rules of policy-defaults.md §6, with Hypothesis properties."""

import decimal
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import money


@pytest.fixture(autouse=True)
def trap_float():
    ctx = decimal.getcontext()
    old = ctx.traps[decimal.FloatOperation]
    ctx.traps[decimal.FloatOperation] = True
    yield
    ctx.traps[decimal.FloatOperation] = old


def test_worked_example_management_subsidy():
    amount = money.amount_for_area(Decimal("32600.50"), Decimal("3.60"))
    assert amount == 11736180
    assert money.split_shares(amount, Decimal("0.25")) == (2934045, 8802135)


def test_split_at_the_half_fen():
    assert money.split_shares(1000002, Decimal("0.25")) == (250001, 750001)


def test_tranches_of_160000():
    assert money.split_tranches(16000000, [Decimal("0.5"), Decimal("0.3"), Decimal("0.2")]) == [
        8000000,
        4800000,
        3200000,
    ]


def test_float_is_refused():
    with pytest.raises(TypeError):
        money.to_decimal(1.5)


def test_formatting():
    assert money.format_yuan(11736180) == "117,361.80"
    assert money.format_yuan(-5, unit=True) == "-0.05 元"


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_shares_always_add_up(amount):
    city, district = money.split_shares(amount, Decimal("0.25"))
    assert city + district == amount
    assert city == int((Decimal(amount) / 4).quantize(Decimal(1), rounding=decimal.ROUND_HALF_UP))


@given(st.integers(min_value=0, max_value=10**10))
def test_tranches_add_up(total):
    parts = money.split_tranches(total, [Decimal("0.5"), Decimal("0.3"), Decimal("0.2")])
    assert sum(parts) == total and len(parts) == 3
