"""One computed allocation (Line), before it is written as an Allocation row."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

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
