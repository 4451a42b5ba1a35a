"""What the yearly assessment reads from the two stations (效能效果, policy-defaults.md §2).

The assessments cycle calls `case_counts` for a year and a range of estate ids and gets, per
estate that has any case, the four counts the effectiveness indicator needs. It is set-based
(one grouped query per case table and range), so the cycle stays flat at any scale.

The year's definitions (policy-defaults.md §2; times without a zone are Asia/Shanghai):
- a dispute counts for year Y when it was received in Y (1 January 00:00 to 31 December 24:00,
  Shanghai); it is resolved when its outcome is 调解成功 and it was closed on or before
  31 December of Y — a dispute received on 31 December and mediated on 5 January is received
  in Y and not resolved in Y;
- a repair counts for Y when it was reported in Y; it is on time when it was completed no later
  than its deadline (elapsed ≤ limit: exactly the limit is on time), even if that is in the next
  year; an open repair is late. The deadline is the limit in force when it was reported, stored
  on the row (expected_datetime).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q

from core.rows import plain_rows

from .stats import Satisfaction, satisfaction_by


@dataclass(frozen=True)
class CaseCounts:
    disputes_received: int = 0  # disputes of the estate received in the year
    disputes_resolved: int = 0  # ... of those, 调解成功 and closed on or before 31 December
    repairs_reported: int = 0  # repairs of the estate reported in the year
    repairs_on_time: int = 0  # ... of those, completed within their limit (open = late)


NO_CASES = CaseCounts()


def _estate_range(estate_id_from: int | None, estate_id_to: int | None) -> Q:
    q = Q()
    if estate_id_from is not None:
        q &= Q(estate_id__gte=estate_id_from)
    if estate_id_to is not None:
        q &= Q(estate_id__lte=estate_id_to)
    return q


def case_counts(year: int, estate_id_from: int | None = None, estate_id_to: int | None = None) -> dict[int, CaseCounts]:
    """Estate id → CaseCounts for `year`, for estates with id in [estate_id_from, estate_id_to].

    Estates absent from the result have no case in the year (every ratio counts as 1).
    Two queries whatever the range: one grouped count over the disputes, one over the repairs.
    """
    from .choices import DisputeStatus, RepairStatus
    from .limits import year_bounds
    from .models import DisputeCase, RepairRequest

    start, end = year_bounds(year)
    in_range = _estate_range(estate_id_from, estate_id_to)
    disputes = (
        DisputeCase.objects.filter(in_range, requested_datetime__gte=start, requested_datetime__lt=end)
        .order_by()
        .values("estate_id")
        .annotate(
            # a NOT NULL column of the covering (estate, requested) index: an index-only scan
            received=Count("expected_datetime", filter=~Q(status=DisputeStatus.INVALID)),
            resolved=Count("expected_datetime", filter=Q(status=DisputeStatus.RESOLVED, closed_datetime__lt=end)),
        )
        .values_list("estate_id", "received", "resolved")
    )
    repairs = (
        RepairRequest.objects.filter(in_range, requested_datetime__gte=start, requested_datetime__lt=end)
        .order_by()
        .values("estate_id")
        .annotate(
            # a report marked 无效 counts neither way (it was never a repair)
            reported=Count("expected_datetime", filter=~Q(status=RepairStatus.INVALID)),
            on_time=Count(
                "expected_datetime",
                filter=Q(status=RepairStatus.COMPLETED, completed_datetime__lte=F("expected_datetime")),
            ),
        )
        .values_list("estate_id", "reported", "on_time")
    )
    found: dict[int, list[int]] = {}
    # ids and counts: plain rows (the cycle reads every estate's, chunk by chunk)
    for estate_id, received, resolved in plain_rows(disputes):
        found.setdefault(estate_id, [0, 0, 0, 0])[0:2] = [received, resolved]
    for estate_id, reported, on_time in plain_rows(repairs):
        found.setdefault(estate_id, [0, 0, 0, 0])[2:4] = [reported, on_time]
    return {estate_id: CaseCounts(*counts) for estate_id, counts in found.items()}


def satisfaction_counts(
    year: int, estate_id_from: int | None = None, estate_id_to: int | None = None
) -> dict[int, Satisfaction]:
    """Estate id → `disputes.stats.Satisfaction` of the year's cases (the same cases as
    `case_counts`: disputes received, repairs reported in `year`) that someone rated — the
    resident on the tracking page or a clerk's call-back. The one definition of 满意率 (rated
    cases only, (满意 + 基本满意) ÷ rated) is `disputes.stats.satisfaction_by`'s, which the
    两站一中心 page and the dashboard use too.

    Estates absent from the result have no rated case in the year. Two grouped queries whatever
    the range; the assessment cycle asks only when its scheme weighs satisfaction."""
    from .limits import year_bounds
    from .models import DisputeCase, RepairRequest

    start, end = year_bounds(year)
    cases = Q(requested_datetime__gte=start, requested_datetime__lt=end) & _estate_range(estate_id_from, estate_id_to)
    return satisfaction_by([DisputeCase.objects.filter(cases), RepairRequest.objects.filter(cases)], "estate_id")
