"""What the yearly assessment reads from the two stations (效能效果, policy-defaults.md §2).

The assessments cycle calls `case_counts` for a year and a range of estate ids and gets, per
estate that has any case, the four counts the effectiveness indicator needs. It is set-based
(one grouped query per case table and range), so the cycle stays flat at any scale.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CaseCounts:
    disputes_received: int = 0   # disputes of the estate received in the year
    disputes_resolved: int = 0   # ... of those, 调解成功 and closed on or before 31 December
    repairs_reported: int = 0    # repairs of the estate reported in the year
    repairs_on_time: int = 0     # ... of those, completed within their limit (open = late)


NO_CASES = CaseCounts()


def case_counts(year: int, estate_id_from: int | None = None, estate_id_to: int | None = None) -> dict[int, CaseCounts]:
    """Estate id → CaseCounts for `year`, for estates with id in [estate_id_from, estate_id_to].

    Estates absent from the result have no case in the year (every ratio counts as 1).
    The dispute and repair tables arrive with the cases issue; until they exist no estate has
    a case, which is what this returns.
    """
    return {}
