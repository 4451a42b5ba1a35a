"""Issue 20, done when: each role's main pages at 1440 px (desk) and 390 px (phone) are saved as
PNGs to look at — to $SCREENSHOT_DIR (default /tmp/laojiu-screenshots; CI points it at the
directory it keeps as an artifact; the repository never holds them) — and at 390 px no page is wider than the
screen: tables scroll inside their own box, the body never scrolls sideways.

One browser session per role on the demo city (manage.py load_demo), each page opened at both
widths. A failure names the page and how far it overflows."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e]

WIDTHS = {"desk": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
# Role → (demo user, its main pages by URL name: the menu entries people open every day).
ROLE_PAGES = {
    "city_admin": (
        "shi_admin",
        [
            "dashboards:home",
            "communities:estate_list",
            "assessments:inspection_list",
            "assessments:result_list",
            "assessments:unit_results",
            "subsidies:index",
            "staffing:compliance",
            "disputes:dispute_list",
            "core:history_log",
        ],
    ),
    "city_finance": ("shi_caizheng", ["dashboards:home", "subsidies:index", "subsidies:disbursement_list"]),
    "auditor": ("shenji", ["dashboards:home", "core:history_log", "communities:estate_list"]),
    "district_staff": (
        "xuanwu_fang",
        [
            "dashboards:home",
            "communities:estate_list",
            "assessments:inspection_list",
            "assessments:result_list",
            "staffing:compliance",
            "disputes:repair_list",
        ],
    ),
    "district_finance": ("xuanwu_caizheng", ["dashboards:home", "subsidies:index"]),
    "street_clerk": (
        "meiyuan_jd",
        [
            "dashboards:home",
            "communities:estate_list",
            "assessments:inspection_list",
            "disputes:dispute_list",
            "disputes:repair_list",
            "staffing:staff_list",
        ],
    ),
    "community_advisor": ("meiyuan_sq", ["dashboards:home", "disputes:dispute_list", "disputes:repair_list"]),
    "evaluator": ("pinggu", ["dashboards:home", "assessments:inspection_list"]),
}
# How far the document may exceed the viewport: none (a rounding pixel at most).
OVERFLOW_JS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
WIDE_JS = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
               && !e.closest('.table-responsive, .dash-unit-table, .dash-chart, .navbar-collapse:not(.show)'))
  .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : ''))"""

# Short cell texts (a district, a street, a status: 2–8 characters, no space) that break over more
# than one line — 玄/武/区, one character per line — at phone width.
BROKEN_CELLS_JS = """() => {
  const bad = [];
  for (const cell of document.querySelectorAll('table td, table th')) {
    const text = cell.innerText.trim();
    if (text.length < 2 || text.length > 8 || /\\s/.test(text)) continue;
    const range = document.createRange();
    range.selectNodeContents(cell);
    const tops = [...range.getClientRects()].filter(r => r.width > 0).map(r => r.top).sort((a, b) => a - b);
    let lines = tops.length ? 1 : 0;
    for (let i = 1; i < tops.length; i++) if (tops[i] - tops[i - 1] > 10) lines++;
    if (lines > 1 && text.length / lines < 3) bad.push(text);  // 玄/武/区, not 宁海路街道·/黄艳
  }
  return bad.slice(0, 5);
}"""


def screenshot_dir() -> Path:
    target = Path(os.environ.get("SCREENSHOT_DIR") or "/tmp/laojiu-screenshots")
    target.mkdir(parents=True, exist_ok=True)
    return target


def _shoot(page, url: str, target: Path) -> int:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    if page.locator("[data-chart]").count():
        expect(page.locator("[data-chart]:not([data-rendered])")).to_have_count(0, timeout=20_000)
    page.screenshot(path=str(target), full_page=True)
    return page.evaluate(OVERFLOW_JS)


def test_each_roles_main_pages_at_desk_and_phone_width(
    browser, live_server, transactional_db, django_db_serialized_rollback
):
    from dashboards.demo import DEMO_PASSWORD

    call_command("load_demo")
    out = screenshot_dir()
    overflowing, broken_cells, wide_charts, errors = [], [], [], []
    for width_name, viewport in WIDTHS.items():
        phone = width_name == "phone"
        # The login page, signed out.
        context = browser.new_context(locale="zh-CN", viewport=viewport, is_mobile=phone, has_touch=phone)
        page = context.new_page()
        if _shoot(page, f"{live_server.url}{reverse('accounts:login')}", out / f"login-{width_name}.png") > 1:
            overflowing.append(("login", width_name))
        context.close()
        for role, (username, pages) in ROLE_PAGES.items():
            context = browser.new_context(locale="zh-CN", viewport=viewport, is_mobile=phone, has_touch=phone)
            page = context.new_page()
            page.on("pageerror", lambda exc, role=role: errors.append(f"{role}: {exc}"))
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", DEMO_PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{live_server.url}/")
            for name in pages:
                slug = name.replace(":", "-")
                extra = _shoot(page, f"{live_server.url}{reverse(name)}", out / f"{role}-{slug}-{width_name}.png")
                if phone and extra > 1:
                    overflowing.append((role, name, extra, page.evaluate(WIDE_JS)))
                if phone and (broken := page.evaluate(BROKEN_CELLS_JS)):
                    broken_cells.append((role, name, broken))
                if phone and page.locator("[data-chart]").count():
                    layouts = page.evaluate("[...document.querySelectorAll('[data-chart]')].map(e => e.dataset.layout)")
                    if set(layouts) - {"narrow", None}:
                        wide_charts.append((role, name, layouts))
            context.close()
    print(f"screenshots: {out}")
    assert overflowing == [], overflowing
    assert broken_cells == [], broken_cells
    assert wide_charts == [], wide_charts
    assert errors == []
