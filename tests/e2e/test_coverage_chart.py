"""In a real browser: the district sees its coverage report with the ECharts chart drawn (no CSP
violation, no script error) and the estate that breaks clause 八 listed."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import sign_in
from tests.factories import EstateFactory, build_world

pytestmark = [pytest.mark.e2e]


def test_district_sees_the_coverage_chart(browser, live_server, transactional_db, django_db_serialized_rollback):
    world = build_world()
    EstateFactory(
        code="GAP1",
        name="无人管小区",
        community=world.communities["MY1"],
        category="renovated",
        renovation_year=2018,
        management_mode="none",
    )
    page = sign_in(browser, live_server, "xuanwu_staff")
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}/staffing/coverage/")
    page.wait_for_selector("#coverage-chart canvas")
    box = page.locator("#coverage-chart canvas").first.bounding_box()
    assert box["height"] > 200 and box["width"] > 300
    assert page.locator("#coverage-findings").get_by_text("无人管小区").count() == 1
    assert not errors, errors
