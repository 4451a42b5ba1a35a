import decimal

import pytest


@pytest.fixture(autouse=True)
def trap_float():
    """No float may touch money: a Decimal mixed with a float raises in every subsidy test."""
    ctx = decimal.getcontext()
    old = ctx.traps[decimal.FloatOperation]
    ctx.traps[decimal.FloatOperation] = True
    yield
    ctx.traps[decimal.FloatOperation] = old
