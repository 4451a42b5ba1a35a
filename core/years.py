"""闭合年度 (closed assessment years): the one rule that freezes a closed year's inputs.

roles.md: once the city closes an assessment year, the inputs of that year are read-only, so
its results, roll-ups, unit sheets and workbooks never change; reopening the year is the way to
correct it. Every app that records dated facts the assessment reads (inspections, fee rates,
disputes, repairs, referrals, filings, staff, meetings, district targets) asks here, in its one
validation or service function, whether the date it is about to write falls in a closed year.

Layering (DESIGN.md "Dependencies point one way"): the years and their status belong to
assessments, which reads disputes and staffing. So core knows no domain app: assessments
registers the lookup "which of these years are closed?" in its AppConfig.ready(), and the lower
apps ask through `ensure_year_open` / `YearGate` without importing assessments. With nothing
registered (an app set without assessments) no year is closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError

SHANGHAI = ZoneInfo("Asia/Shanghai")

ClosedLookup = Callable[[set[int]], set[int]]
_lookup: ClosedLookup | None = None


def register_closed_years(lookup: ClosedLookup) -> None:
    """Called once by the app owning the years (assessments): `lookup(years)` → the closed ones."""
    global _lookup
    _lookup = lookup


def year_of(value) -> int | None:
    """The assessment year a value belongs to: an int is the year; a date its year; an aware
    datetime its year in Asia/Shanghai (31 December 23:30 Shanghai is that year, whatever UTC says)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError("a year, a date or a datetime")
    if isinstance(value, int):
        return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(SHANGHAI)
        return value.year
    if isinstance(value, dt.date):
        return value.year
    raise TypeError("a year, a date or a datetime")


def closed_among(years: Iterable[int]) -> set[int]:
    wanted = {y for y in years if y is not None}
    if not wanted or _lookup is None:
        return set()
    return set(_lookup(wanted))


def message(year: int) -> str:
    return f"{year}年度考核已关闭，该年度的数据不能再新增或修改；如需更正，请市房产局先重新开放该年度。"


class YearGate:
    """Answers "is this date's year closed?" with one lookup per year (importers ask per row)."""

    def __init__(self):
        self._closed: dict[int, bool] = {}

    def preload(self, values: Iterable) -> YearGate:
        years = {y for y in map(year_of, values) if y is not None} - set(self._closed)
        closed = closed_among(years)
        self._closed.update({y: y in closed for y in years})
        return self

    def is_closed(self, value) -> bool:
        year = year_of(value)
        if year is None:
            return False
        if year not in self._closed:
            self.preload([year])
        return self._closed[year]

    def refusal(self, *values) -> str | None:
        """The Chinese refusal for the first value whose year is closed, or None."""
        self.preload(values)
        for value in values:
            year = year_of(value)
            if year is not None and self.is_closed(value):
                return message(year)
        return None


def refusal(*values) -> str | None:
    return YearGate().refusal(*values)


def ensure_year_open(*values, field: str = "__all__") -> None:
    """Raise ValidationError({field: message}) when any of the dates (or years) falls in a closed
    assessment year. Nothing is written by the caller then."""
    msg = refusal(*values)
    if msg:
        raise ValidationError({field: [msg]})
