"""The name search on PostgreSQL (communities/search.py): the character-pair index finds exactly
what a substring match finds, for queries of one, two or more characters, in any case, with
LIKE's special characters taken literally; and the planner uses the indexes."""

from __future__ import annotations

import pytest
from django.db import connection

from communities.filters import EstateFilter
from communities.models import Community, Estate
from tests.factories import EstateFactory

pytestmark = pytest.mark.django_db

NAMES = [
    "梅园新村",
    "梅花山庄",
    "新村东苑",
    "SOHO梅园",
    "百子亭50%小区",
    "a_b花园",
    "兰园",
    "园林新村",
    "Soho小筑",
    "梅",
    "园梅",
]


@pytest.fixture
def named(world, require_postgres):
    community = Community.objects.get(name="梅园新村第1社区")
    for i, name in enumerate(NAMES):
        EstateFactory(code=f"S{i:03d}", name=name, community=community)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE communities_estate")
    return world


def search(user, q):
    from types import SimpleNamespace

    filterset = EstateFilter({"q": q}, queryset=Estate.objects.visible_to(user), request=SimpleNamespace(user=user))
    return set(filterset.qs.values_list("code", flat=True))


@pytest.mark.parametrize(
    "q", ["梅", "梅园", "园", "新村", "梅园新村", "soho", "SoHo", "50%", "a_b", "%", "_", "园梅", "村东苑"]
)
def test_index_search_equals_substring_search(named, q):
    user = named.city_admin
    wanted = {
        e.code for e in Estate.objects.all() if q.lower() in e.name.lower() or e.code.lower().startswith(q.lower())
    }
    assert search(user, q) == wanted, q


def test_search_is_scoped(named):
    assert search(named.xinjiekou_clerk, "梅园") == set()
    assert "S000" in search(named.meiyuan_clerk, "梅园")


def test_planner_uses_the_search_indexes(named):
    from communities.search import estate_search

    qs = estate_search(Estate.objects.order_by(), "梅园").values_list("pk")
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: ask whether the index CAN serve it
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "estate_name_ngram_idx" in plan, plan
    qs = Estate.objects.order_by().filter(code__istartswith="s00").values_list("pk")
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "estate_code_upper_idx" in plan, plan
