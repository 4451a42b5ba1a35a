"""Time limits (处理时限) and the clock: which limit applies to a case, and its deadline.

Naive times are Asia/Shanghai (policy-defaults.md §2) whatever the server's zone. The limit in
force on the day (Shanghai) a case is received fixes its deadline, stored on the case as
expected_datetime, so overdue lists and on-time counts are plain indexed comparisons.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def as_shanghai(value: dt.datetime) -> dt.datetime:
    """An aware datetime: a naive one is read as Asia/Shanghai."""
    if timezone.is_naive(value):
        return value.replace(tzinfo=SHANGHAI)
    return value


def start_of_day(day: dt.date) -> dt.datetime:
    """00:00 of `day` in Shanghai (a date-only time in a ledger or a form)."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)


def local_date(value: dt.datetime) -> dt.date:
    return as_shanghai(value).astimezone(SHANGHAI).date()


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """[1 January 00:00, next 1 January 00:00) of `year`, Shanghai time."""
    return start_of_day(dt.date(year, 1, 1)), start_of_day(dt.date(year + 1, 1, 1))


def deadline(requested: dt.datetime, hours: int) -> dt.datetime:
    return as_shanghai(requested) + dt.timedelta(hours=hours)


class LimitTable:
    """All time-limit rows, read once (a handful of rows), resolved in memory: an import of
    50,000 rows asks the database once."""

    def __init__(self, rows: Iterable):
        self.rows = list(rows)

    @classmethod
    def load(cls) -> LimitTable:
        from .models import TimeLimit

        return cls(TimeLimit.objects.all())

    def hours_for(self, case_type: str, category: str, urgency: str, when: dt.datetime) -> int | None:
        """The limit in hours for a case received at `when`: the category's own row if it has
        one, else the default row of the type (and urgency); None when no row applies."""
        day = local_date(when)
        urgency = urgency or ""
        candidates = [
            r
            for r in self.rows
            if r.case_type == case_type
            and r.urgency == urgency
            and (r.valid_from is None or r.valid_from <= day)
            and (r.valid_to is None or day <= r.valid_to)
        ]
        chosen = [r for r in candidates if r.category == category] or [r for r in candidates if r.category == ""]
        if not chosen:
            return None
        return max(chosen, key=lambda r: r.valid_from or dt.date.min).hours
