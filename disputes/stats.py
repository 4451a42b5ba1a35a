"""Counts for pages and dashboards: overdue cases and the live on-time rate.

The live on-time rate counts the worst cases too: closed on time ÷ (closed + open overdue).
A closed-only rate would hide a case left open past its limit; an open case still within its
limit is not judged yet. (The yearly effectiveness indicator keeps its own definition, in
disputes.effectiveness.)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q
from django.utils import timezone

from .choices import REFERRAL_OPEN, ReferralStatus
from .models import Department


@dataclass
class Rates:
    total: int = 0
    closed: int = 0
    closed_on_time: int = 0
    open: int = 0
    open_overdue: int = 0

    @property
    def on_time_rate(self) -> Decimal | None:
        """Percent with one decimal, or None when nothing can be judged yet."""
        denominator = self.closed + self.open_overdue
        if not denominator:
            return None
        return (Decimal(100) * self.closed_on_time / denominator).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @classmethod
    def sum(cls, items) -> Rates:
        """The counts of several units added up (a district's line from its streets')."""
        total = cls()
        for r in items:
            total.total += r.total
            total.closed += r.closed
            total.closed_on_time += r.closed_on_time
            total.open += r.open
            total.open_overdue += r.open_overdue
        return total


COUNTED = "expected_datetime"  # NOT NULL, in every covering index of the case tables


def _closed_field(model) -> str:
    return "closed_datetime" if model.__name__ == "DisputeCase" else "completed_datetime"


# A case marked 无效 (a resident's spam, duplicate or out-of-remit report) is closed but judged
# neither way: it is left out of every rate.
VALID = ~Q(status="invalid")


def rate_aggregates(model, now=None) -> dict:
    now = now or timezone.now()
    closed = _closed_field(model)
    is_open = Q(**{f"{closed}__isnull": True})
    return {
        # Counting a NOT NULL column of the covering indexes, not the id, keeps these index-only
        # scans (COUNT(*) cannot carry a FILTER in Django).
        "total": Count(COUNTED, filter=VALID),
        "closed": Count(COUNTED, filter=~is_open & VALID),
        "closed_on_time": Count(COUNTED, filter=Q(**{f"{closed}__lte": F("expected_datetime")}) & VALID),
        "open": Count(COUNTED, filter=is_open),
        "open_overdue": Count(COUNTED, filter=is_open & Q(expected_datetime__lt=now)),
    }


def rates(queryset, now=None) -> Rates:
    """One query: the counts behind the live on-time rate of these cases."""
    return Rates(**queryset.order_by().aggregate(**rate_aggregates(queryset.model, now)))


def rates_by(queryset, field: str, now=None) -> dict:
    """Unit id → Rates, one grouped query."""
    rows = queryset.order_by().values(field).annotate(**rate_aggregates(queryset.model, now))
    return {row.pop(field): Rates(**row) for row in rows}


def overdue(queryset, now=None):
    """Open cases past their deadline (the partial indexes over open rows serve this)."""
    now = now or timezone.now()
    closed = _closed_field(queryset.model)
    return queryset.filter(**{f"{closed}__isnull": True, "expected_datetime__lt": now})


def overdue_counts_by(queryset, field: str, now=None) -> dict:
    return dict(overdue(queryset, now).order_by().values_list(field).annotate(n=Count("*")))


@dataclass
class Satisfaction:
    """满意度 of rated cases only (a case no one rated is not counted either way):
    the satisfaction rate is (满意 + 基本满意) ÷ rated."""

    rated: int = 0
    satisfied: int = 0
    fairly: int = 0
    dissatisfied: int = 0

    @property
    def rate(self) -> Decimal | None:
        if not self.rated:
            return None
        return (Decimal(100) * (self.satisfied + self.fairly) / self.rated).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    @classmethod
    def sum(cls, items) -> Satisfaction:
        total = cls()
        for s in items:
            total.rated += s.rated
            total.satisfied += s.satisfied
            total.fairly += s.fairly
            total.dissatisfied += s.dissatisfied
        return total


def satisfaction_by(querysets, field: str) -> dict:
    """Unit id → Satisfaction over the rated cases of these querysets (one grouped query each)."""
    found: dict = {}
    for queryset in querysets:
        rows = (
            queryset.order_by()
            .exclude(satisfaction="")
            .values(field)
            .annotate(
                rated=Count("id"),
                satisfied=Count("id", filter=Q(satisfaction="satisfied")),
                fairly=Count("id", filter=Q(satisfaction="fairly")),
                dissatisfied=Count("id", filter=Q(satisfaction="dissatisfied")),
            )
        )
        for row in rows:
            unit = row.pop(field)
            found[unit] = Satisfaction.sum([found.get(unit, Satisfaction()), Satisfaction(**row)])
    return found


def department_counts(queryset, today):
    """Department → counts of its enforcement referrals (按部门统计), one grouped query; every
    department in force appears (zeros included). The page and its export both read it."""
    is_open = Q(status__in=list(REFERRAL_OPEN))
    grouped = {
        row.pop("department_id"): row
        for row in queryset.order_by()
        .values("department_id")
        .annotate(
            total=Count("id"),
            open=Count("id", filter=is_open),
            overdue=Count("id", filter=is_open & Q(due_on__lt=today)),
            answered=Count("id", filter=Q(status=ReferralStatus.ANSWERED)),
            answered_on_time=Count("id", filter=Q(status=ReferralStatus.ANSWERED, answered_on__lte=F("due_on"))),
            returned=Count("id", filter=Q(status=ReferralStatus.RETURNED)),
        )
    }
    zero = {"total": 0, "open": 0, "overdue": 0, "answered": 0, "answered_on_time": 0, "returned": 0}
    return [
        {"department": d, **grouped.get(d.pk, zero)}
        for d in Department.objects.all()
        if d.valid_to is None or d.pk in grouped
    ]
