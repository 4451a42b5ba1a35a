"""工作台 in a real browser (issue 18): a street clerk lands on it and follows an item to its
action; a district officer sees 待审核检查 N, approves one, and the count drops; the bell shows
the morning's reminders."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.factories import build_world
from tests.workbench.helpers import due_repair, inspection

pytestmark = [pytest.mark.e2e]


def test_clerk_lands_on_the_workbench_and_follows_an_item(
    browser, live_server, transactional_db, django_db_serialized_rollback
):
    from workbench.services import morning_reminders

    world = build_world()
    case = due_repair(world, "MY101", 3, "meiyuan_clerk")
    morning_reminders()
    page = sign_in(browser, live_server, "meiyuan_clerk")
    assert page.get_by_role("heading", name="工作台").is_visible()
    item = page.locator("[data-kind=repairs_open]")
    assert "todo-soon" in item.get_attribute("class")  # due in 3 hours: marked
    assert "即将到期 1" in item.inner_text() and "剩余 2小时" in item.inner_text()
    # the bell, filled in after the page, counts the morning's reminder
    expect(page.locator("#bell-count")).to_have_text("1")
    item.click()
    page.wait_for_url(f"{live_server.url}/cases/repairs/{case.pk}/")
    assert page.get_by_text(case.number).first.is_visible()
    # the dashboard is one click away
    page.goto(f"{live_server.url}/")
    page.click("#to-dashboard")
    page.wait_for_url(f"{live_server.url}/?view=dashboard")


def test_district_officer_approves_one_and_the_count_drops(
    browser, live_server, transactional_db, django_db_serialized_rollback
):
    world = build_world()
    inspection(world, "MY101", "submitted")
    inspection(world, "XJK101", "submitted", by="xinjiekou_clerk")
    inspection(world, "NH101", "submitted", by="ninghai_clerk")  # 鼓楼区: not this officer's
    page = sign_in(browser, live_server, "xuanwu_staff")
    item = page.locator("[data-kind=inspections_to_review]")
    assert item.inner_text().startswith("待审核检查 2")
    item.click()
    page.wait_for_url(f"{live_server.url}/assessments/inspections/?status=submitted")
    page.get_by_role("button", name="通过", exact=True).first.click()
    page.wait_for_selector("text=已审核通过")
    page.goto(f"{live_server.url}/")
    assert page.locator("[data-kind=inspections_to_review]").inner_text().startswith("待审核检查 1")


def test_a_repair_due_soon_turns_overdue_when_the_time_passes_and_is_reminded_once(
    browser, live_server, transactional_db, django_db_serialized_rollback
):
    """The clock moves for the server too (time-machine patches the process's clock, and the
    live server is a thread of it): the repair due in 3 hours is 已超 4 hours later, and beat
    running twice each morning leaves one reminder per item and state."""
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from workbench.models import Reminder
    from workbench.services import morning_reminders

    world = build_world()
    case = due_repair(world, "MY101", 3, "meiyuan_clerk")
    morning_reminders()
    morning_reminders()  # beat ran twice: still one reminder
    page = sign_in(browser, live_server, "meiyuan_clerk")
    item = page.locator("[data-kind=repairs_open]")
    assert "todo-soon" in item.get_attribute("class") and "剩余 2小时" in item.inner_text()
    expect(page.locator("#bell-count")).to_have_text("1")

    with time_machine.travel(timezone.now() + dt.timedelta(hours=4), tick=True):
        morning_reminders()
        morning_reminders()
        # four idle hours ended the session (the idle limit is 30 minutes): sign in again
        page = sign_in(browser, live_server, "meiyuan_clerk")
        item = page.locator("[data-kind=repairs_open]")
        assert "todo-overdue" in item.get_attribute("class")
        assert "已超" in item.inner_text() and "已超期 1" in item.inner_text()
        # one reminder when it was due soon, one when it became overdue: each once
        expect(page.locator("#bell-count")).to_have_text("2")
        keys = sorted(Reminder.objects.filter(user=world.meiyuan_clerk).values_list("key", flat=True))
        assert keys == [f"repairs_open:{case.pk}:overdue", f"repairs_open:{case.pk}:soon"]
        page.click("#bell")
        page.wait_for_url("**/reminders/")
        assert page.locator("main").get_by_text("已超").count() == 1
