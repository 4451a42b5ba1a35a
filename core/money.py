"""Money, exactly (policy-defaults.md §6).

Amounts are whole fen (分) in integer columns; they become yuan (Decimal) only for display and
export. Every rounding here names ROUND_HALF_UP: Python's default is banker's rounding, which
the finance bureaus do not use. No float ever enters: `to_decimal` refuses one.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN_PER_YUAN = 100
CENT = Decimal("0.01")
ONE = Decimal("1")


def to_decimal(value) -> Decimal:
    """A Decimal from an int, a Decimal or a numeric string; floats are refused."""
    if isinstance(value, float):
        raise TypeError("float is not allowed for money; pass a Decimal or a string")
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def round_half_up(value: Decimal, places: Decimal = CENT) -> Decimal:
    """Round once, half away from zero, to `places` (0.01 by default)."""
    return to_decimal(value).quantize(places, rounding=ROUND_HALF_UP)


def yuan_to_fen(yuan) -> int:
    """Yuan (any precision) → whole fen, rounded ROUND_HALF_UP to the fen."""
    return int(round_half_up(to_decimal(yuan)) * FEN_PER_YUAN)


def fen_to_yuan(fen: int) -> Decimal:
    """Whole fen → yuan with exactly two places (no rounding: the division is exact)."""
    if not isinstance(fen, int):
        raise TypeError("fen must be an int")
    return (Decimal(fen) / FEN_PER_YUAN).quantize(CENT)


def amount_for_area(area, rate) -> int:
    """Building area (m²) × rate (yuan/m²), rounded once to the fen ROUND_HALF_UP; in fen."""
    return yuan_to_fen(to_decimal(area) * to_decimal(rate))


def split_shares(amount_fen: int, city_share) -> tuple[int, int]:
    """Split an amount into (city, district) fen.

    The city part is amount × city_share rounded half-up to the fen; the district part is what
    is left, so the two always add up to the amount exactly (10,000.02 → 2,500.01 + 7,500.01).
    """
    if not isinstance(amount_fen, int):
        raise TypeError("amount_fen must be an int")
    city = int((Decimal(amount_fen) * to_decimal(city_share)).quantize(ONE, rounding=ROUND_HALF_UP))
    return city, amount_fen - city


def split_tranches(total_fen: int, shares) -> list[int]:
    """Split a total into tranches by their shares; each rounded half-up to the fen, and the
    last takes what is left so the tranches add up to the total exactly."""
    shares = [to_decimal(s) for s in shares]
    parts = [int((Decimal(total_fen) * share).quantize(ONE, rounding=ROUND_HALF_UP)) for share in shares[:-1]]
    parts.append(total_fen - sum(parts))
    return parts


def format_yuan(fen: int | None, unit: bool = False) -> str:
    """117,361.80 (or '117,361.80 元'); empty for None."""
    if fen is None:
        return ""
    text = f"{fen_to_yuan(fen):,.2f}"
    return f"{text} 元" if unit else text
