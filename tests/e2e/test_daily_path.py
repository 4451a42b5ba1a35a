"""The daily path in Chromium with bad values typed on purpose (issue 20): every refusal must be
*visible* on screen beside its field, and nothing saved; then the happy paths of returning an
inspection and resubmitting it, bulk approval, and entering on a phone.

Screenshots of the pages changed are kept under tests/e2e/artifacts/ (git-ignored; CI keeps
them as artifacts) at 1440 px and 390 px."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.validation import HAPPENED_MESSAGE
from tests.e2e.conftest import sign_in
from tests.factories import build_world

pytestmark = [pytest.mark.e2e]

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DAY = dt.date(timezone.localdate().year - 1, 12, 15)
FULL = {"cleanliness": "14", "order": "13", "greening": "9", "facilities": "8"}


def shoot(page, name: str) -> None:
    """The page as it stands at 1440 px and at 390 px (phone) wide, then back."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size
    for width, height in ((1440, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(before)


def accept_dialogs(page):
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"]


def submitted(world, by, codes=("MY101",), day=DAY):
    from assessments import services

    unrenovated = {"cleanliness": "18", "order": "18", "greening": "9"}
    return [
        services.save_inspection(
            by=by,
            estate=world.estates[code],
            date=day,
            inspector_name="刘洋",
            scores=unrenovated if world.estates[code].category == "unrenovated" else FULL,
        )
        for code in codes
    ]


def test_bad_inspection_values_are_shown_beside_their_fields_and_nothing_is_saved(
    browser, live_server, transactional_db, django_db_serialized_rollback
):
    from assessments.models import Inspection

    build_world()
    page = sign_in(browser, live_server, "meiyuan_clerk")
    page.goto(f"{live_server.url}/assessments/inspections/new/")
    page.fill("#id_estate_code", "MY101")
    page.press("#id_estate_code", "Tab")
    page.locator("#checklist fieldset", has_text="MY101").wait_for()
    page.fill("#id_date", (timezone.localdate() + dt.timedelta(days=1)).isoformat())
    page.fill("#item_cleanliness", "14")
    page.get_by_role("button", name="提交并录入下一个").click()
    message = page.get_by_text(HAPPENED_MESSAGE)
    message.wait_for()
    assert message.is_visible() and in_viewport(page, message)
    assert page.evaluate("document.activeElement.id") == "id_date"  # the first error has the focus
    assert "is-invalid" in page.get_attribute("#id_date", "class")
    assert page.input_value("#item_cleanliness") == "14"  # what was typed stays

    # Over the maximum, negative, empty: every message at once, each beside its box.
    page.fill("#id_date", DAY.isoformat())
    page.fill("#item_cleanliness", "16")
    page.fill("#item_order", "-3")
    page.fill("#item_greening", "")
    page.fill("#item_facilities", "8")
    page.get_by_role("button", name="提交并录入下一个").click()
    for text in ("保洁得分不能超过满分15分。", "秩序得分不能小于0。", "请填写绿化得分（满分10分）。"):
        page.get_by_text(text).wait_for()
        assert page.get_by_text(text).is_visible(), text
    assert page.evaluate("document.activeElement.id") == "item_cleanliness"
    for box in ("#item_cleanliness", "#item_order", "#item_greening"):
        assert "is-invalid" in page.get_attribute(box, "class"), box
    assert "is-invalid" not in page.get_attribute("#item_facilities", "class")
    shoot(page, "inspection-entry-errors")
    assert Inspection.objects.count() == 0

    # 存草稿 with items still empty (only 提交 needs all): saved as a draft.
    page.fill("#item_cleanliness", "14")
    page.fill("#item_order", "")
    page.get_by_role("button", name="存草稿").click()
    page.get_by_text("MY101 ", exact=False).filter(has_text="草稿已保存").first.wait_for()
    draft = Inspection.objects.get()
    assert (draft.status, draft.scores) == ("draft", {"cleanliness": "14.0", "facilities": "8.0"})


def test_a_return_without_reason_keeps_the_choice_then_the_clerk_corrects_and_resubmits(
    browser, live_server, transactional_db, django_db_serialized_rollback
):
    from assessments.models import Inspection

    world = build_world()
    insp = submitted(world, world.meiyuan_clerk)[0]
    district = sign_in(browser, live_server, "xuanwu_staff")
    district.goto(f"{live_server.url}/assessments/inspections/?status=submitted")
    district.get_by_role("link", name="退回…").click()
    assert district.is_checked("#d-reject") and not district.is_checked("#d-approve")
    district.get_by_role("button", name="确定").click()
    message = district.get_by_text("请填写退回原因。")
    message.wait_for()
    assert message.is_visible()
    assert district.is_checked("#d-reject")  # the chosen action stays chosen
    assert district.evaluate("document.activeElement.name") == "reason"
    shoot(district, "inspection-review-error")
    insp.refresh_from_db()
    assert insp.status == "submitted"
    district.fill("textarea[name=reason]", "照片与现场不符")
    district.get_by_role("button", name="确定").click()
    district.wait_for_selector("text=已退回。")

    clerk = sign_in(browser, live_server, "meiyuan_clerk")
    clerk.goto(f"{live_server.url}/assessments/inspections/{insp.pk}/")
    assert clerk.get_by_text("照片与现场不符").first.is_visible()
    shoot(clerk, "inspection-returned")
    clerk.get_by_role("link", name="修改并重新提交").click()
    clerk.fill("#item_cleanliness", "99")
    clerk.get_by_role("button", name="重新提交").click()
    clerk.get_by_text("保洁得分不能超过满分15分。").wait_for()
    assert Inspection.objects.get().status == "rejected"
    clerk.fill("#item_cleanliness", "12")
    clerk.get_by_role("button", name="重新提交").click()
    clerk.wait_for_selector("text=检查记录已保存。")
    insp.refresh_from_db()
    assert (insp.status, insp.scores["cleanliness"], insp.review_note) == ("submitted", "12.0", "")


def test_bulk_approval_with_select_all_and_the_pending_count_never_their_own(
    browser, live_server, transactional_db, django_db_serialized_rollback
):
    from assessments.models import Inspection

    world = build_world()
    submitted(world, world.meiyuan_clerk, codes=("MY101", "MY102", "MY201"))
    own = submitted(world, world.xuanwu_staff, codes=("MY101",), day=DAY - dt.timedelta(days=1))[0]
    page = accept_dialogs(sign_in(browser, live_server, "xuanwu_staff"))
    page.goto(f"{live_server.url}/assessments/inspections/")
    assert page.locator("#pending-count").inner_text() == "待您审核 3 条"
    assert page.locator("input[name=ids]").count() == 3  # not their own
    bulk = page.get_by_role("button", name=re.compile("审核通过所选"))
    assert bulk.is_disabled()
    page.check("[data-select-all]")
    assert bulk.inner_text().strip().endswith("（3）") and bulk.is_enabled()
    shoot(page, "inspection-list-bulk")
    bulk.click()
    page.wait_for_selector("text=已审核通过 3 条检查记录。")
    assert page.locator("#pending-count").inner_text() == "待您审核 0 条"
    assert sorted(Inspection.objects.exclude(pk=own.pk).values_list("status", flat=True)) == ["approved"] * 3
    own.refresh_from_db()
    assert own.status == "submitted"  # four eyes: xuanwu_staff2 approves it, not its author


def test_on_a_phone_the_saved_message_is_a_toast_in_view_and_typed_scores_stay(
    browser, live_server, transactional_db, django_db_serialized_rollback
):
    from assessments.models import Inspection

    build_world()
    page = sign_in(browser, live_server, "meiyuan_clerk", phone=True)
    assert page.viewport_size == {"width": 390, "height": 844}
    page.goto(f"{live_server.url}/assessments/inspections/new/")
    page.fill("#id_estate_code", "MY101")
    page.press("#id_estate_code", "Tab")
    page.locator("#checklist fieldset", has_text="MY101").wait_for()
    page.fill("#id_date", DAY.isoformat())
    for code, value in FULL.items():
        page.fill(f"#item_{code}", value)
    page.get_by_role("button", name="提交并录入下一个").scroll_into_view_if_needed()
    page.get_by_role("button", name="提交并录入下一个").click()
    toast = page.locator("[data-app-toast]")
    toast.get_by_text("已提交").wait_for()
    assert toast.is_visible() and in_viewport(page, toast)
    assert page.input_value("#id_estate_code") == "MY102"
    # Faded in completely (not merely in the layout), at the top of the screen though the page is scrolled.
    expect(toast).to_have_css("opacity", "1")
    assert page.evaluate("window.scrollY") > 0 and toast.bounding_box()["y"] < 40
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "inspection-phone-toast-390.png"))
    assert Inspection.objects.filter(estate__code="MY101", status="submitted").count() == 1

    # A score typed, then the code changed: the new checklist keeps it.
    page.locator("#checklist fieldset", has_text="MY102").wait_for()
    page.fill("#item_cleanliness", "17")
    page.fill("#id_estate_code", "MY201")
    page.press("#id_estate_code", "Tab")
    page.locator("#checklist fieldset", has_text="MY201").wait_for()
    assert page.input_value("#item_cleanliness") == "17"


def test_appeal_without_reason_and_close_before_the_window_ends_are_refused_visibly(
    browser, live_server, transactional_db, django_db_serialized_rollback
):
    from assessments import cycle
    from assessments import services as assessment_services
    from assessments.models import Appeal, EstateResult

    world = build_world()
    for inspection in submitted(world, world.meiyuan_clerk, codes=("MY101", "MY102")):
        assessment_services.review_inspection(inspection, by=world.xuanwu_staff, approve=True)
    cycle.run_in_process(DAY.year, by=world.city_admin)
    assessment_services.publish_year(DAY.year, by=world.city_admin)
    result = EstateResult.objects.get(estate__code="MY101", year=DAY.year, is_current=True)

    clerk = sign_in(browser, live_server, "meiyuan_clerk")
    clerk.goto(f"{live_server.url}/assessments/appeals/new/{result.pk}/")
    clerk.get_by_role("button", name="提交申诉").click()
    message = clerk.get_by_text("请填写申诉理由。")
    message.wait_for()
    assert message.first.is_visible()
    assert "is-invalid" in clerk.get_attribute("textarea[name=reason]", "class")
    assert clerk.evaluate("document.activeElement.name") == "reason"
    shoot(clerk, "appeal-form-error")
    assert Appeal.objects.count() == 0

    admin = sign_in(browser, live_server, "city_admin")
    admin.goto(f"{live_server.url}/assessments/years/{DAY.year}/")
    close = admin.get_by_role("button", name="关闭年度")
    assert close.is_disabled()
    assert admin.get_by_text(re.compile("暂不能关闭：申诉期未满")).is_visible()
    shoot(admin, "year-close-disabled")


def test_sheet_steps_that_would_be_refused_are_disabled_with_the_reason(
    browser, live_server, transactional_db, django_db_serialized_rollback
):
    from subsidies import services
    from tests.subsidies.helpers import close_year, example_estate, run_year, sheet, worked_example_inputs

    world = build_world()
    estate = example_estate(world)
    worked_example_inputs(estate, world.meiyuan_clerk)
    run_year(2019, "city_admin")
    s = sheet(2019, "玄武区")

    district = accept_dialogs(sign_in(browser, live_server, "xuanwu_staff"))
    district.goto(f"{live_server.url}/subsidies/sheets/{s.pk}/")
    assert district.get_by_role("button", name="区级确认").is_disabled()
    assert district.get_by_text("暂不能确认：2019年度考核尚未关闭，关闭后才能确认分配表。").is_visible()
    shoot(district, "sheet-confirm-disabled")
    close_year(2019, world.city_admin)
    district.reload()
    district.get_by_role("button", name="区级确认").click()
    district.wait_for_selector("text=等待市房产局审核")

    starter = sign_in(browser, live_server, "city_admin")
    starter.goto(f"{live_server.url}/subsidies/sheets/{s.pk}/")
    assert starter.get_by_role("button", name="市级审核通过").is_disabled()
    assert starter.get_by_text(re.compile("暂不能审核：本表数据来自您发起的")).is_visible()
    shoot(starter, "sheet-approve-disabled")
    s.refresh_from_db()
    assert s.status == "confirmed" and services.approve_refusal(s, by=world.city_admin2) is None

    # Reopening the closed year (the way to an adjustment) needs a reason: said beside the field.
    from assessments.models import AssessmentYear

    starter.goto(f"{live_server.url}/assessments/years/2019/")
    starter.get_by_role("button", name="重新开放该年度").click()
    message = starter.get_by_text("请填写原因。")
    message.wait_for()
    assert message.is_visible() and starter.evaluate("document.activeElement.name") == "reason"
    shoot(starter, "year-reopen-error")
    assert AssessmentYear.objects.get(year=2019).status == "closed"
