"""Searching estates by name or code, fast at national scale.

Names are Chinese: a search of two characters (梅园) is the common case. pg_trgm cannot serve
it (a LIKE '%梅园%' pattern holds no complete trigram, and trigrams of CJK text need a locale
that classes them as letters), so on PostgreSQL a name search is driven by a GIN index over each
name's characters and character pairs (`registry_ngrams`, migration 0003): every pair of the
query must be among the name's pairs, then ILIKE confirms the exact substring. This works in
any database locale and for queries of any length (docs/registry.md has the measurements).
Codes are searched by prefix, case-insensitively, through an index on UPPER(code).
Other databases (the embedded SQLite) scan with LIKE, which is fine at their scale.
"""

from __future__ import annotations

from django.db import connections
from django.db.models import Lookup, Q

from .models import Estate


class NgramsCover(Lookup):
    """`name__ngrams_cover=q`: the name holds every character pair of q (PostgreSQL, indexed).
    Only narrows: always combine with name__icontains, which decides."""

    lookup_name = "ngrams_cover"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            return "1 = 1", []
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"registry_ngrams(({lhs})::text) @> registry_query_ngrams(%s::text)", [*lhs_params, self.rhs]


Estate._meta.get_field("name").register_lookup(NgramsCover)


def estate_search(queryset, q: str):
    """The estates of `queryset` whose name contains q or whose code starts with q."""
    q = (q or "").strip()
    if not q:
        return queryset
    name = Q(name__icontains=q)
    if connections[queryset.db].vendor == "postgresql":
        name = Q(name__ngrams_cover=q) & name
    code = Q(code__istartswith=q)
    # An OR of the two would make PostgreSQL re-check the name condition row by row; most
    # searches (Chinese text) match no code, so look first (one indexed probe) and OR only then.
    if queryset.filter(code).exists():
        return queryset.filter(name | code)
    return queryset.filter(name)
