"""Browser journeys of issue 7, in Chromium against the live app (tests/e2e/conftest.py):

- a street clerk enters three inspections (the next estate without leaving the page) and a
  repair request;
- a district user approves the inspections and sees the repair overdue once its limit passes;
- city_admin runs the cycle, watches the progress bar reach 已完成 and opens the results;
- a clerk of another street opens the first clerk's inspection address and gets 404.

(Celery runs eagerly in tests — tests/conftest.py — so the run is executed when it is queued
and the progress page shows it finished.) Preconditions of each journey are made through the
same services the pages call."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.factories import build_world

pytestmark = [pytest.mark.e2e]

INSPECTION_DAY = dt.date(timezone.localdate().year - 1, 12, 15)


def fill_checklist(page, code: str) -> None:
    """Every item of the estate's checklist, one point below its maximum."""
    page.wait_for_load_state("networkidle")  # a checklist reload (estate code or date changed) has landed
    page.locator("#checklist fieldset", has_text=code).wait_for()
    inputs = page.locator("#checklist input[type=number]")
    assert inputs.count() >= 3
    for i in range(inputs.count()):
        box = inputs.nth(i)
        box.fill(str(int(float(box.get_attribute("max"))) - 1))


def submitted_inspections(world, codes=("MY101", "MY102", "MY201")):
    from assessments import services
    from assessments.models import ChecklistItem, Scheme

    scheme = Scheme.objects.for_year(INSPECTION_DAY.year)
    made = []
    for code in codes:
        estate = world.estates[code]
        scores = {
            i.code: str(int(i.max_points) - 1)
            for i in ChecklistItem.objects.filter(scheme=scheme, category=estate.category)
        }
        made.append(
            services.save_inspection(
                by=world.meiyuan_clerk, estate=estate, date=INSPECTION_DAY, scores=scores, inspector_name="刘洋"
            )
        )
    return made


def test_street_clerk_enters_three_inspections_and_a_repair(
    browser, live_server, transactional_db, django_db_serialized_rollback
):
    from assessments.models import Inspection
    from disputes.models import RepairRequest

    world = build_world()
    page = sign_in(browser, live_server, "meiyuan_clerk")
    page.goto(f"{live_server.url}/assessments/inspections/new/")
    page.fill("#id_estate_code", "MY101")
    page.press("#id_estate_code", "Tab")
    page.fill("#id_date", INSPECTION_DAY.isoformat())
    entry_url = page.url
    for code, following in (("MY101", "MY102"), ("MY102", "MY201"), ("MY201", "MY202")):
        fill_checklist(page, code)
        page.get_by_role("button", name="提交并录入下一个").click()
        page.wait_for_selector(f"text={code} {world.estates[code].name}：已提交")
        # Still the same page: the next estate is filled in with its checklist, the date kept.
        assert page.url == entry_url
        assert page.input_value("#id_estate_code") == following
        assert page.input_value("#id_date") == INSPECTION_DAY.isoformat()
    saved = Inspection.objects.filter(created_by=world.meiyuan_clerk)
    assert sorted(saved.values_list("estate__code", flat=True)) == ["MY101", "MY102", "MY201"]
    assert set(saved.values_list("status", flat=True)) == {"submitted"}

    page.goto(f"{live_server.url}/cases/repairs/new/")
    page.select_option("select[name=estate]", str(world.estates["MY102"].pk))
    page.get_by_text("下水道堵塞", exact=True).click()
    page.get_by_text("一般", exact=True).click()
    page.fill("input[name=reporter_phone]", "13912345678")
    page.get_by_role("button", name="登记报修").click()
    page.wait_for_selector("text=已登记报修")
    repair = RepairRequest.objects.get()
    assert (repair.estate, repair.service_code, repair.urgency) == (world.estates["MY102"], "drain", "normal")


def test_the_checklist_follows_the_date_s_scheme(browser, live_server, transactional_db, django_db_serialized_rollback):
    """Checklist items are data (issue 13.2): with a scheme from INSPECTION_DAY's year that adds
    安全, changing the date to a year of the earlier scheme reloads the checklist without it,
    and back again with it; the scores already typed stay."""
    from decimal import Decimal

    from assessments import services
    from assessments.models import Inspection, Scheme

    world = build_world()
    scheme = services.new_scheme_version(
        Scheme.objects.get(version=1), by=world.city_admin, valid_from_year=INSPECTION_DAY.year
    )
    items = list(scheme.items.values("category", "code", "name", "max_points", "position"))
    for item in items:
        if item["category"] == "renovated" and item["code"] == "facilities":
            item["max_points"] = Decimal("5")
    items.append({"category": "renovated", "code": "safety", "name": "安全", "max_points": Decimal("5"), "position": 4})
    services.update_scheme(scheme, by=world.city_admin, fields={}, items=items)
    assert world.estates["MY101"].category == "renovated"

    page = sign_in(browser, live_server, "meiyuan_clerk")
    page.goto(f"{live_server.url}/assessments/inspections/new/")
    page.fill("#id_estate_code", "MY101")
    page.press("#id_estate_code", "Tab")
    page.fill("#id_date", dt.date(INSPECTION_DAY.year - 1, 6, 1).isoformat())
    page.wait_for_selector("#item_facilities[max='10.0']")
    assert page.locator("#item_safety").count() == 0
    page.fill("#item_cleanliness", "14")
    page.fill("#id_date", INSPECTION_DAY.isoformat())
    page.wait_for_selector("#item_safety")
    assert page.input_value("#item_cleanliness") == "14"
    for code, value in (("order", "13"), ("greening", "9"), ("facilities", "4"), ("safety", "4.5")):
        page.fill(f"#item_{code}", value)
    page.get_by_role("button", name="提交并录入下一个").click()
    page.wait_for_selector("text=已提交（合计 44.5 分）")
    assert Inspection.objects.get().scores["safety"] == "4.5"


def test_district_approves_the_inspections_and_sees_the_repair_overdue_after_its_limit(
    browser, live_server, transactional_db, django_db_serialized_rollback
):
    from assessments.models import Inspection
    from disputes import services
    from disputes.models import RepairRequest

    world = build_world()
    submitted_inspections(world)
    # Reported 71 hours ago, 一般 (72 hours): not late yet.
    repair = services.create_repair(
        by=world.meiyuan_clerk,
        estate=world.estates["MY102"],
        service_code="drain",
        urgency="normal",
        requested_datetime=timezone.now() - dt.timedelta(hours=71),
    )
    page = sign_in(browser, live_server, "xuanwu_staff")
    page.goto(f"{live_server.url}/assessments/inspections/?status=submitted")
    approve = page.get_by_role("button", name="通过", exact=True)
    assert approve.count() == 3
    for remaining in (2, 1, 0):
        approve.first.click()
        page.wait_for_selector("text=已审核通过")
        assert approve.count() == remaining
    assert set(Inspection.objects.values_list("status", flat=True)) == {"approved"}
    assert set(Inspection.objects.values_list("reviewed_by", flat=True)) == {world.xuanwu_staff.pk}

    page.goto(f"{live_server.url}/cases/overdue/?kind=repairs")
    assert page.get_by_text(repair.number).count() == 0
    # Two hours later the limit has passed.
    RepairRequest.objects.filter(pk=repair.pk).update(
        requested_datetime=F("requested_datetime") - dt.timedelta(hours=2),
        expected_datetime=F("expected_datetime") - dt.timedelta(hours=2),
    )
    page.reload()
    assert page.get_by_text(repair.number).is_visible()
    # The dashboard counts it too.
    page.goto(f"{live_server.url}/?view=dashboard")
    assert page.locator("a[href='/cases/overdue/?kind=repairs']").inner_text().strip() == "1"


def test_city_admin_runs_the_cycle_and_sees_the_results(
    browser, live_server, transactional_db, django_db_serialized_rollback
):
    from assessments import services

    world = build_world()
    for inspection in submitted_inspections(world):
        services.review_inspection(inspection, by=world.xuanwu_staff, approve=True)
    page = sign_in(browser, live_server, "city_admin")
    page.goto(f"{live_server.url}/assessments/cycle/")
    page.fill("input[name=year]", str(INSPECTION_DAY.year))
    page.get_by_role("button", name="开始计分").click()
    page.wait_for_url(f"{live_server.url}/assessments/cycle/runs/*/")
    bar = page.locator("[role=progressbar]")
    expect(bar).to_have_attribute("aria-valuenow", "100", timeout=30_000)
    status = page.locator("[id^=run-] .badge")
    status.filter(has_text="已完成").wait_for(timeout=30_000)
    assert bar.inner_text().strip() == "100%"
    assert "已计分 12 个小区，参加考核 3 个" in page.content()
    page.get_by_role("link", name="查看结果").click()
    page.wait_for_url(f"{live_server.url}/assessments/results/*")
    row = page.locator("tr", has_text="MY101")
    assert row.count() == 1 and ("星" in row.inner_text() or "不达标" in row.inner_text())
    assert page.locator("tr", has_text="MY202").filter(has_text="未参加考核").count() == 1


def test_clerk_of_another_street_gets_404_for_the_inspection(
    browser, live_server, transactional_db, django_db_serialized_rollback
):
    world = build_world()
    inspection = submitted_inspections(world, codes=("MY101",))[0]
    url = f"{live_server.url}/assessments/inspections/{inspection.pk}/"
    own = sign_in(browser, live_server, "meiyuan_clerk")
    assert own.goto(url).status == 200
    other = sign_in(browser, live_server, "xinjiekou_clerk")
    response = other.goto(url)
    assert response.status == 404
    assert "MY101" not in other.content() and world.estates["MY101"].name not in other.content()
    assert other.get_by_role("heading", name="页面不存在").is_visible()  # in Chinese, with the way home
    assert other.get_by_role("link", name="回到首页").is_visible()
    assert other.goto(f"{url}edit/").status == 404


def test_publication_prints_on_a4(browser, live_server, transactional_db, django_db_serialized_rollback):
    """公示: the street's list prints on A4 (landscape) with its heading and dates, no menus."""
    import re

    from assessments import cycle
    from assessments import services as assessment_services

    world = build_world()
    for inspection in submitted_inspections(world):
        assessment_services.review_inspection(inspection, by=world.xuanwu_staff, approve=True)
    cycle.run_in_process(INSPECTION_DAY.year, by=world.city_admin)
    assessment_services.publish_year(INSPECTION_DAY.year, by=world.city_admin)
    page = sign_in(browser, live_server, "meiyuan_clerk")
    page.goto(f"{live_server.url}/assessments/years/{INSPECTION_DAY.year}/publication/")
    page.emulate_media(media="print")
    assert page.get_by_role("heading", name=f"梅园新村街道{INSPECTION_DAY.year}年度老旧小区考核结果公示").is_visible()
    assert page.get_by_text("申诉截止").is_visible()
    assert not page.locator(".app-navbar").is_visible() and not page.locator("form.filter-bar").is_visible()
    pdf = page.pdf(prefer_css_page_size=True)
    width, height = (float(v) for v in re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf).groups())
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
