"""Field arguments the assessment models share: score columns and zero."""

from __future__ import annotations

from decimal import Decimal

SCORE = {"max_digits": 5, "decimal_places": 2}
ZERO = Decimal("0")
