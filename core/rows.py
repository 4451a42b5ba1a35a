"""Plain rows of a queryset: its SQL run on a cursor, the driver's values as they come.

For the few loops that read hundreds of thousands of grouped rows (the yearly cycle reads
every estate's counts): Django's `values_list` passes each value through its converters (an
`int()` per COUNT and SUM), over a tenth of the cycle's Python time at 220,000 estates. Use
it only for ids and integer aggregates (COUNT, SUM of an integer column), which both drivers
already give as Python ints; a decimal, date or JSON column needs Django's converters on
SQLite."""

from __future__ import annotations

from django.db import connections


def plain_rows(queryset) -> list[tuple]:
    """The rows of a `values_list` queryset, without Django's per-value converters."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
