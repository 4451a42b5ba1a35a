"""Browser journeys: Playwright for Python drives Debian's Chromium (/usr/bin/chromium; it cannot
download its own browser here) headless against the app served by pytest-django's live_server.

Every journey gets `browser`, and signs in with `sign_in(browser, live_server, username)`. When
a journey fails, a screenshot of every page it opened is saved under var/e2e-screenshots/ (the
CI log names the files)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "e2e-screenshots"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def browser(request):
    if not shutil.which(CHROMIUM):
        pytest.skip("needs Chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test itself
    # are ordinary synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        failed = getattr(request.node, "rep_call", None)
        if failed is not None and failed.failed:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            for i, context in enumerate(chromium.contexts):
                for j, page in enumerate(context.pages):
                    target = SCREENSHOTS / f"{request.node.name}-{i}-{j}.png"
                    try:
                        page.screenshot(path=str(target), full_page=True)
                        print(f"screenshot: {target}")
                    except Exception as exc:  # a closed page must not hide the real failure
                        print(f"screenshot of {target.name} failed: {exc}")
        chromium.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def sign_in(browser, live_server, username, phone=False):
    """A new browser context (its own cookies) signed in as `username`; returns its page."""
    options = (
        {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
        if phone
        else {"viewport": {"width": 1366, "height": 768}}
    )
    page = browser.new_context(locale="zh-CN", accept_downloads=True, **options).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page
