"""In a real browser on a phone-sized screen: a street clerk records a repair in a handful of
taps, and a district user sees it in the overdue list once its limit has passed."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from tests.e2e.conftest import sign_in
from tests.factories import build_world

pytestmark = [pytest.mark.e2e]


def test_clerk_records_a_repair_on_a_phone_and_the_district_sees_it_overdue(
    browser, live_server, transactional_db, django_db_serialized_rollback
):
    # serialized_rollback: tables an earlier transactional test flushed get their migrated
    # reference data (units, time limits) back.
    from disputes.models import RepairRequest

    world = build_world()
    page = sign_in(browser, live_server, "meiyuan_clerk", phone=True)
    started = time.monotonic()
    page.goto(f"{live_server.url}/cases/repairs/new/")
    page.select_option("select[name=estate]", str(world.estates["MY102"].pk))
    category = page.get_by_text("水管爆裂", exact=True)
    urgent = page.get_by_text("紧急", exact=True)
    for target in (category, urgent):
        box = target.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, box  # a thumb-sized target
    category.tap()
    urgent.tap()
    page.fill("input[name=reporter_phone]", "13912345678")
    # The resident called yesterday: the clerk enters the time under 更多.
    page.get_by_text("更多", exact=False).tap()
    reported = timezone.localtime() - dt.timedelta(hours=25)
    page.fill("input[name=requested_datetime]", reported.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="登记报修").tap()
    page.wait_for_selector("text=已登记报修")
    assert time.monotonic() - started < 60
    repair = RepairRequest.objects.get()
    assert (
        repair.urgency == "urgent" and repair.service_code == "water_pipe" and repair.estate == world.estates["MY102"]
    )
    # The page fits the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    district = sign_in(browser, live_server, "xuanwu_staff")
    district.goto(f"{live_server.url}/cases/overdue/?kind=repairs")
    assert district.get_by_text(repair.number).is_visible()
    assert district.get_by_text("139****5678").is_visible()
