"""Sorting a list by a column (列表排序), one mechanism for every list page.

A list names its sortable columns once: `Ordering({"date": "date", "estate": "estate__code"},
default=("-date",))`; `apply(request, queryset)` reads `?ordering=date` or `?ordering=-date`,
ignores any other value (no arbitrary field reaches order_by), and always ends with the
primary key, so pages never repeat or skip a row. The column headers are the `sort_header` tag
(core/templatetags/core_lists.py): a click sorts, a second click reverses, aria-sort says which.
Only columns that make sense to sort (dates, codes, numbers, statuses) are named; the big lists
(estates, cases) sort by indexed columns (docs/performance.md)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Ordering:
    columns: dict  # ?ordering value → an order_by expression or a tuple of them
    default: tuple = ("-pk",)
    tiebreak: str = "pk"

    def current(self, request) -> str:
        value = request.GET.get("ordering", "") if request is not None else ""
        return value if value.lstrip("-") in self.columns else ""

    def apply(self, request, queryset):
        value = self.current(request)
        if not value:
            return queryset.order_by(*self.default)
        expressions = self.columns[value.lstrip("-")]
        expressions = (expressions,) if isinstance(expressions, str) else tuple(expressions)
        if value.startswith("-"):
            expressions = tuple(e[1:] if e.startswith("-") else f"-{e}" for e in expressions)
        tiebreak = f"-{self.tiebreak}" if value.startswith("-") else self.tiebreak
        return queryset.order_by(*expressions, tiebreak)
