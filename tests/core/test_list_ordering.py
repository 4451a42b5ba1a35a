"""Every list has a total and sortable columns (issue 20, point 12), through one mechanism
(core.ordering + the sort_header tag)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from core.ordering import Ordering
from disputes.models import DisputeCase
from tests.disputes.helpers import dispute


def _sql_order(qs):
    return list(qs.query.order_by)


def test_ordering_reads_only_named_columns_and_reverses(world):
    order = Ordering(
        {"date": "requested_datetime", "estate": ("estate__code", "-id")}, default=("-requested_datetime",)
    )
    rf = RequestFactory()
    qs = DisputeCase.objects.all()
    assert _sql_order(order.apply(rf.get("/", {"ordering": "password"}), qs)) == ["-requested_datetime"]
    assert _sql_order(order.apply(rf.get("/", {"ordering": "date"}), qs)) == ["requested_datetime", "pk"]
    assert _sql_order(order.apply(rf.get("/", {"ordering": "-estate"}), qs)) == ["-estate__code", "id", "-pk"]


def test_dispute_list_sorts_by_deadline_both_ways(client, world):
    now = timezone.now()
    first = dispute(world, at=now - dt.timedelta(days=3))
    second = dispute(world, at=now - dt.timedelta(days=1))
    client.force_login(world.meiyuan_clerk)
    html = client.get(reverse("disputes:dispute_list"), {"ordering": "expected"}).content.decode()
    assert 'aria-sort="ascending"' in html and "共 2 件" in html
    assert html.index(first.number) < html.index(second.number)
    html = client.get(reverse("disputes:dispute_list"), {"ordering": "-expected"}).content.decode()
    assert 'aria-sort="descending"' in html and html.index(second.number) < html.index(first.number)


@pytest.mark.parametrize(
    ("name", "persona", "column", "total"),
    [
        ("assessments:inspection_list", "xuanwu_staff", "total", re.compile(r"共 \d+ 条")),
        ("assessments:result_list", "xuanwu_staff", "grade", re.compile(r"共 \d+ 个小区")),
        ("assessments:appeal_list", "xuanwu_staff", "created", None),
        ("disputes:repair_list", "meiyuan_clerk", "urgency", re.compile(r"共 \d+ 件")),
        ("disputes:referral_list", "meiyuan_clerk", "due", re.compile(r"共 \d+ 件")),
        ("disputes:filing_list", "meiyuan_clerk", "submitted", re.compile(r"共 \d+ 件")),
        ("staffing:staff_list", "xuanwu_staff", "since", re.compile(r"共 \d+ 人")),
        ("subsidies:index", "city_admin", "total", None),
    ],
)
def test_lists_have_sortable_headers_and_a_total(client, world, name, persona, column, total):
    client.force_login(world.users[persona])
    response = client.get(reverse(name), {"ordering": column})
    assert response.status_code == 200
    html = response.content.decode()
    if "<table" in html:  # an empty list shows a note instead of its table
        # the sorted column's header says so and its link reverses the order
        assert 'aria-sort="ascending"' in html and f"ordering=-{column}" in html, name
    if total is not None:
        assert total.search(html), name
    # An unknown column is ignored, not an error.
    assert client.get(reverse(name), {"ordering": "password"}).status_code == 200
