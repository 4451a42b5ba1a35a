"""The home page's dashboard (dashboards/panels.py): scoped, every chart with a table and links,
a constant number of queries, and — on the demo city — every chart with data."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities.models import Estate
from tests.conftest import empty_cache
from tests.core.helpers import assessed_year, overdue_repair
from tests.factories import EstateFactory

pytestmark = pytest.mark.django_db

CHART_KEYS = ["estates", "grade-units", "grade-years", "on-time", "overdue", "satisfaction", "subsidies", "staffing"]


def chart_data(html: str) -> dict:
    """The json_script blocks the page gives the browser, by chart id."""
    found = re.findall(r'<script id="chart-([\w-]+)" type="application/json">(.*?)</script>', html, re.S)
    return {key: json.loads(body) for key, body in found}


def home(client, user):
    empty_cache()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboards:home") + "?view=dashboard")
    assert response.status_code == 200
    return response, len(queries.captured_queries)


def test_city_dashboard_shows_every_panel_with_table_and_links(client, world):
    from tests.dashboards.test_satisfaction_panel import rated_repair

    assessed_year(world)
    overdue_repair(world, "MY101")
    rated_repair(world, "MY102", "satisfied")  # a rated case: the 满意率 panel has data
    response, _ = home(client, world.city_admin)
    html = response.content.decode()
    data = chart_data(html)
    assert set(data) == set(CHART_KEYS)
    # No inline script: the data are JSON blocks, the drawing is a static file.
    assert "vendor/echarts/echarts.min.js" in html and "js/dashboard.js" in html
    assert not re.search(r"<script(?![^>]*(src=|application/json))[^>]*>", html)
    grades = data["grade-units"]
    assert "玄武区" in grades["categories"] and "鼓楼区" in grades["categories"]
    xuanwu = grades["categories"].index("玄武区")
    assert sum(s["data"][xuanwu] for s in grades["series"]) == 8
    # Each value links to the filtered list behind it; the table shows the same numbers.
    link = next(
        link
        for s, series in zip(grades["links"], grades["series"], strict=True)
        for link, v in zip(s, series["data"], strict=True)
        if v
    )
    assert link.startswith(reverse("assessments:result_list")) and "year=2019" in link and "grade=" in link
    assert client.get(link).status_code == 200
    assert "<summary>数据表</summary>" in html and html.count("<summary>数据表</summary>") == len(CHART_KEYS)
    # Subsidies: the draft sheets the run computed, city and district shares in 元.
    subsidies = data["subsidies"]
    assert [s["name"] for s in subsidies["series"]] == ["市级承担", "区级承担"]
    assert any(v for s in subsidies["series"] for v in s["data"])
    assert "元（" in html and "市级承担" in html
    overdue = data["overdue"]
    assert sum(overdue["series"][1]["data"]) == 1
    assert f"{reverse('disputes:overdue_list')}?kind=repairs&amp;district=" in html


def test_dashboard_is_the_users_scope(client, world):
    assessed_year(world)
    overdue_repair(world, "NH101")
    response, _ = home(client, world.xuanwu_staff)
    data = chart_data(response.content.decode())
    from communities.models import Street

    xuanwu_streets = list(
        Street.objects.filter(district=world.xuanwu_staff.district)
        .order_by("code")
        .values_list("short_name", flat=True)
    )
    assert data["grade-units"]["categories"] == xuanwu_streets and "梅园新村" in xuanwu_streets
    assert sum(sum(s["data"]) for s in data["grade-units"]["series"]) == 8  # 玄武区's eight estates
    # 宁海路's overdue repair is not 玄武区's: the panel says there is none.
    assert "overdue" not in data and "目前没有逾期未办结的案件" in response.content.decode()
    assert "宁海路" not in response.content.decode()

    response, _ = home(client, world.meiyuan_clerk)
    data = chart_data(response.content.decode())
    assert "subsidies" not in data  # allocation sheets are the district's and the city's business
    assert data["grade-units"]["categories"] == ["梅园新村第1社区", "梅园新村第2社区"]
    assert sum(sum(s["data"]) for s in data["grade-years"]["series"]) == 4

    response, _ = home(client, world.gulou_staff)
    data = chart_data(response.content.decode())
    assert sum(sum(s["data"]) for s in data["overdue"]["series"]) == 1


def test_empty_panels_say_what_to_do_next(client, world):
    response, _ = home(client, world.city_admin)
    html = response.content.decode()
    # Estates and their coverage are there; nothing assessed, no case, no sheet yet.
    assert set(chart_data(html)) == {"estates", "staffing"}
    assert "还没有考核结果" in html and reverse("assessments:cycle") in html


@pytest.mark.parametrize("persona", ["city_admin", "xuanwu_staff", "meiyuan_clerk"])
def test_query_count_does_not_grow_with_the_data(client, world, persona):
    assessed_year(world, 2018)
    overdue_repair(world, "MY101")
    user = world.users[persona]
    _, before = home(client, user)
    # Many more estates, units' results, another year and more cases in the same scopes.
    for community in world.communities.values():
        for _ in range(3):
            EstateFactory(community=community)
    assessed_year(world, 2019, estates=Estate.objects.all())
    for code in ("MY102", "MY201", "XJK101", "NH201"):
        overdue_repair(world, code)
    _, after = home(client, user)
    assert after == before


def test_a_large_scope_reuses_its_dashboard_briefly(client, world, monkeypatch):
    from communities import services

    assessed_year(world)
    monkeypatch.setattr(services, "LIST_SUMS_LIMIT", 5)  # the city's 12 estates count as "large"
    first, counted = home(client, world.city_admin)
    with CaptureQueriesContext(connection) as again:
        second = client.get(reverse("dashboards:home") + "?view=dashboard")
    assert chart_data(second.content.decode()) == chart_data(first.content.decode())
    assert len(again.captured_queries) <= counted - 8  # no dashboard query the second time
    assert "统计于" in second.content.decode()
    # A street is small: counted live every time.
    _, street = home(client, world.meiyuan_clerk)
    with CaptureQueriesContext(connection) as live:
        client.get(reverse("dashboards:home") + "?view=dashboard")
    assert len(live.captured_queries) == street
