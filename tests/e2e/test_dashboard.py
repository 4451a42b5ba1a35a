"""Issue 7, done when: the city dashboard of the demo data renders every chart with data,
offline — in Chromium, every chart drawn from files the app serves itself; no request leaves
localhost (no CDN, no web font service), and the data tables are there too."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e]

LOCAL = {"localhost", "127.0.0.1"}


def test_dashboard_draws_its_charts_offline(browser, live_server, transactional_db, django_db_serialized_rollback):
    from dashboards.demo import DEMO_PASSWORD

    call_command("load_demo")
    page = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768}).new_page()
    outside, failed = [], []
    page.on(
        "request",
        lambda r: outside.append(r.url)
        if urlparse(r.url).hostname not in LOCAL and not r.url.startswith(("data:", "blob:"))
        else None,
    )
    page.on("requestfailed", lambda r: failed.append(r.url))
    # Anything that would leave the machine fails, as it would on the government network.
    page.context.route(
        "**/*", lambda route: route.continue_() if urlparse(route.request.url).hostname in LOCAL else route.abort()
    )
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "shi_admin")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/?view=dashboard")  # the home page leads with the 工作台 (issue 18)
    charts = page.locator("[data-chart]")
    assert charts.count() == 8
    # a locator, not wait_for_function: the page's CSP forbids the eval that a string predicate needs
    expect(page.locator("[data-chart]:not([data-rendered=true])")).to_have_count(0, timeout=20_000)
    for i in range(charts.count()):
        chart = charts.nth(i)
        assert chart.locator("canvas").count() >= 1
        box = chart.locator("canvas").first.bounding_box()
        assert box["width"] > 200 and box["height"] > 200
        # Data, not just axes: the chart's JSON has a non-zero value.
        has_values = page.evaluate(
            "id => JSON.parse(document.getElementById(id).textContent).series.some(s => s.data.some(v => v))",
            chart.get_attribute("data-chart"),
        )
        assert has_values, chart.get_attribute("data-chart")
    assert outside == [] and failed == [] and errors == []
    # The table view of a chart opens from the keyboard.
    summary = page.locator("#panel-grade-units summary")
    summary.focus()
    page.keyboard.press("Enter")
    table = page.locator("#panel-grade-units table")
    assert table.is_visible() and "玄武区" in table.inner_text()
    # A bar leads to the list behind it.
    table.get_by_role("link", name="玄武区").click()
    page.wait_for_url(f"{live_server.url}/assessments/results/*")
