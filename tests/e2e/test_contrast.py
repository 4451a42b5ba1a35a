"""Contrast (WCAG 2.1 AA), checked in the browser: axe-core (tests/e2e/vendor/axe.min.js, vendored
from the npm package axe-core — no internet) runs on every page of the comfort walk
(tests/core/test_comfort.py) as a city, a district and a street user, with the wcag2a/wcag2aa/
wcag21aa rules; no page may have a color-contrast violation (grey role text in the header,
muted table text, badges)."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest
from django.test import Client

from tests.core.helpers import assessed_year, overdue_repair
from tests.core.test_comfort import SKIP
from tests.factories import PASSWORD, build_world

pytestmark = [pytest.mark.e2e]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
RUN_AXE = """async () => {
  const r = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21aa"]},
                                     resultTypes: ["violations"]});
  return r.violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(" ") + " :: " +
                                 (n.any[0] ? n.any[0].message : ""))}));
}"""


def walk(client, limit=150) -> list[str]:
    """The comfort walk's pages (one per URL shape), as URLs."""
    seen, queue, urls = set(), ["/"], []
    while queue and len(urls) < limit:
        url = queue.pop(0)
        shape = re.sub(r"\d+", "N", url.split("?")[0].split("#")[0])
        if shape in seen:
            continue
        seen.add(shape)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        urls.append(url)
        doc = lxml.html.fromstring(response.content)
        for href in doc.xpath("//main//a/@href|//nav//a/@href"):
            if href.startswith("/") and not href.startswith(SKIP) and not re.search(r"export|download|template", href):
                queue.append(href)
    return urls


def test_no_color_contrast_violation_on_any_page_of_the_walk(
    browser, live_server, transactional_db, django_db_serialized_rollback
):
    world = build_world()
    assessed_year(world)
    overdue_repair(world, "MY101")
    script = AXE.read_text(encoding="utf-8")
    found = []
    for persona in ("city_admin", "xuanwu_staff", "meiyuan_clerk"):
        client = Client()
        client.force_login(world.users[persona])
        urls = walk(client)
        assert len(urls) > 30  # the walk really went through the application
        # bypass_csp: the app's CSP (script-src 'self') would refuse the injected axe script
        page = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900}, bypass_csp=True).new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", persona)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        for url in urls:
            page.goto(f"{live_server.url}{url}")
            page.add_script_tag(content=script)
            for v in page.evaluate(RUN_AXE):
                if v["id"] == "color-contrast":
                    found.append(f"{persona} {url}: {v['nodes']}")
        page.context.close()
    assert not found, "\n".join(found)


def test_year_selector_button_stays_on_one_line_at_1440(
    browser, live_server, transactional_db, django_db_serialized_rollback
):
    """扶持资金 as 市财政局 at 1440 px: the 查看 button beside the year is one line high."""
    build_world()
    page = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900}).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "city_finance")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/subsidies/")
    # the lines its text occupies (the form stretches the select along with a wrapped button, so
    # comparing heights would not tell)
    lines = page.get_by_role("button", name="查看").evaluate(
        "b => { const r = document.createRange(); r.selectNodeContents(b);"
        " return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }"
    )
    assert lines == 1
    page.context.close()
