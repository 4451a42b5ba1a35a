"""居民满意率 on the dashboard (issue 17): the satisfaction rate of rated cases per unit and
year, within the user's scope, in a constant number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from django.utils import timezone

from disputes import services as cases
from tests.disputes.helpers import closed_dispute, completed_repair, sh
from tests.factories import EstateFactory

from .test_dashboards import chart_data, home

pytestmark = pytest.mark.django_db

CLERKS = {"MY": "meiyuan_clerk", "XJK": "xinjiekou_clerk", "NH": "ninghai_clerk"}


def pct(satisfied: int, rated: int) -> float:
    """The expected rate, computed here: per cent, one decimal, half up (as drawn: a float)."""
    value = Fraction(100 * satisfied, rated)
    return float((Decimal(value.numerator) / value.denominator).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def rated_repair(world, code, satisfaction, reported=None):
    clerk = CLERKS[code.rstrip("0123456789")]
    now = timezone.now()
    reported = reported or now - dt.timedelta(hours=3)
    case = completed_repair(world, reported, reported + dt.timedelta(hours=2), estate=code, by=clerk)
    if satisfaction:
        cases.record_repair_satisfaction(case, by=world.users[clerk], satisfaction=satisfaction)
    return case


@pytest.fixture
def rated(world):
    """This year: MY101 3 rated repairs (满意, 基本满意, 不满意) and one unrated; MY201 a dispute
    rated 满意; XJK101 a repair 不满意; NH101 (鼓楼区) two repairs 满意. Last year: MY101 one
    repair 不满意."""
    year = timezone.localdate().year
    for satisfaction in ("satisfied", "fairly", "dissatisfied", ""):
        rated_repair(world, "MY101", satisfaction)
    now = timezone.now()
    dispute = closed_dispute(world, now - dt.timedelta(hours=5), now - dt.timedelta(hours=1), estate="MY201")
    cases.record_dispute_satisfaction(dispute, by=world.meiyuan_clerk, satisfaction="satisfied")
    rated_repair(world, "XJK101", "dissatisfied")
    rated_repair(world, "NH101", "satisfied")
    rated_repair(world, "NH101", "satisfied")
    rated_repair(world, "MY101", "dissatisfied", reported=sh(year - 1, 6, 1, 8))
    return world


def panel(client, user):
    response, queries = home(client, user)
    html = response.content.decode()
    return chart_data(html)["satisfaction"], html, queries


def by_category(chart, year):
    series = next(s for s in chart["series"] if s["name"] == f"{year}年")
    return dict(zip(chart["categories"], series["data"], strict=True))


def test_the_city_sees_each_districts_rate_per_year(client, rated):
    year = timezone.localdate().year
    chart, html, _ = panel(client, rated.city_admin)
    assert [s["name"] for s in chart["series"]] == [f"{year - 2}年", f"{year - 1}年", f"{year}年"]
    this_year, last_year = by_category(chart, year), by_category(chart, year - 1)
    assert this_year["玄武区"] == pct(3, 5)  # MY101 2 of 3, MY201 1 of 1, XJK101 0 of 1: 60.0
    assert this_year["鼓楼区"] == pct(2, 2)
    assert last_year["玄武区"] == 0.0 and last_year["鼓楼区"] is None
    assert set(by_category(chart, year - 2).values()) == {None}
    # the table gives the exact rate with the number of rated cases; the note the city's total
    assert "60.0%（5件）" in html and "100.0%（2件）" in html
    assert f"全市：{year - 2}年 —；{year - 1}年 0.0%（1件）；{year}年 71.4%（7件）" in html
    assert pct(5, 7) == 71.4


def test_a_district_sees_its_streets_only(client, rated):
    year = timezone.localdate().year
    chart, html, _ = panel(client, rated.xuanwu_staff)
    this_year = by_category(chart, year)
    assert this_year["梅园新村"] == pct(3, 4) and this_year["新街口"] == 0.0
    assert not any("宁海路" in c for c in chart["categories"])
    assert f"全区：{year - 2}年 —；{year - 1}年 0.0%（1件）；{year}年 60.0%（5件）" in html
    assert "100.0%（2件）" not in html  # 鼓楼区's figure is nowhere on the page

    chart, html, _ = panel(client, rated.gulou_staff)
    gulou = by_category(chart, year)
    assert gulou.pop("宁海路") == 100.0 and set(gulou.values()) == {None}  # 鼓楼区's other streets
    assert not any(c in ("梅园新村", "新街口") for c in chart["categories"])
    assert "60.0%" not in html and "66.7%" not in html


def test_a_street_sees_its_communities(client, rated):
    year = timezone.localdate().year
    chart, html, _ = panel(client, rated.meiyuan_clerk)
    assert by_category(chart, year) == {"梅园新村第1社区": pct(2, 3), "梅园新村第2社区": 100.0}
    assert "66.7%（3件）" in html and "全街道：" in html
    assert "新街口" not in html


def test_no_rated_case_is_an_empty_panel_that_says_why(client, world):
    rated_repair(world, "MY101", "")  # closed, not rated: counted neither way
    response, _ = home(client, world.city_admin)
    html = response.content.decode()
    assert "satisfaction" not in chart_data(html)
    assert "还没有居民评价或回访登记满意度的案件。" in html


@pytest.mark.parametrize("persona", ["city_admin", "xuanwu_staff", "meiyuan_clerk"])
def test_the_panel_does_not_add_queries_as_ratings_and_units_grow(client, rated, persona):
    user = rated.users[persona]
    _, _, before = panel(client, user)
    for community in rated.communities.values():
        EstateFactory(community=community)
    for code in ("MY102", "MY202", "XJK102", "XJK201", "NH102", "NH201"):
        rated_repair(rated, code, "fairly")
        rated_repair(rated, code, "dissatisfied", reported=sh(timezone.localdate().year - 2, 3, 1, 8))
    chart, _, after = panel(client, user)
    assert after == before
    assert chart["series"]
