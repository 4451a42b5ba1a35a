"""In Chromium on a phone (390×844): a resident opens the estate's public page from its QR code,
reports a burst water pipe with a photo and gets a receipt; the street clerk sees it on the home
page and completes it; the tracking page shows each step; the resident rates it 不满意; it is on
the street's call-back list (回访)."""

from __future__ import annotations

import pytest

from tests.conftest import empty_cache
from tests.e2e.conftest import sign_in
from tests.factories import build_world
from tests.residents.helpers import jpeg_with_exif

pytestmark = [pytest.mark.e2e]


def test_resident_reports_follows_and_rates_a_repair(
    browser, live_server, transactional_db, django_db_serialized_rollback, tmp_path
):
    from disputes import services as cases
    from disputes.models import Attachment, RepairRequest
    from residents import services
    from tests.disputes.helpers import team

    empty_cache()
    world = build_world()
    entry = services.entry_for(world.estates["MY102"], by=world.users["meiyuan_clerk"])
    photo = tmp_path / "leak.jpg"
    photo.write_bytes(jpeg_with_exif().read())

    phone = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    ).new_page()
    phone.goto(f"{live_server.url}/residents/e/{entry.token}/")
    assert phone.get_by_text(world.estates["MY102"].name).first.is_visible()
    category = phone.get_by_text("水管爆裂", exact=True)
    box = category.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44, box  # a thumb-sized target
    category.tap()
    phone.get_by_text("紧急", exact=True).tap()
    phone.fill("textarea[name=description]", "厨房水管爆裂，水流不止")
    phone.fill("input[name=building]", "5")
    phone.fill("input[name=unit]", "1")
    phone.fill("input[name=room]", "502")
    phone.set_input_files("input[name=photos]", str(photo))
    phone.fill("input[name=phone]", "13912345678")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone.get_by_role("button", name="提交").tap()
    phone.wait_for_selector("text=已受理，受理编号")
    repair = RepairRequest.objects.get()
    assert phone.get_by_text(f"已受理，受理编号 {repair.number}").is_visible()
    assert repair.channel == "resident" and repair.service_code == "water_pipe" and repair.urgency == "urgent"
    assert Attachment.objects.filter(repair=repair).count() == 1
    tracking_url = phone.url.split("?")[0]

    # the street clerk sees it on the home page, opens it and completes it
    clerk = sign_in(browser, live_server, "meiyuan_clerk")
    clerk.goto(f"{live_server.url}/cases/")
    assert clerk.locator("#new-resident-cases .badge").inner_text() == "1"
    clerk.goto(f"{live_server.url}/cases/repairs/")
    clerk.get_by_role("link", name=repair.number).first.click()
    crew = team(world)
    cases.dispatch_repair(repair, by=world.users["meiyuan_clerk"], team=crew, public_note="维修人员正在赶来。")
    clerk.reload()
    clerk.fill("form:has(input[name=step][value=complete]) textarea[name=public_note]", "已更换水管，恢复供水。")
    clerk.get_by_role("button", name="登记完成").click()
    clerk.wait_for_selector("text=已保存")
    repair.refresh_from_db()
    assert repair.status == "completed"

    # the tracking page shows each step; the resident rates it 不满意
    phone.goto(tracking_url)
    for text in ("已受理", "已派单", "维修人员正在赶来。", "已完成", "已更换水管，恢复供水。"):
        assert phone.get_by_text(text).first.is_visible(), text
    assert "13912345678" not in phone.content()
    phone.get_by_text("不满意", exact=True).tap()
    phone.fill("textarea[name=comment]", "墙面还在渗水")
    phone.get_by_role("button", name="提交评价").tap()
    phone.wait_for_selector("text=感谢您的评价")

    # it is on the street's call-back list
    clerk.goto(f"{live_server.url}/cases/callbacks/")
    assert clerk.get_by_role("link", name=repair.number).is_visible()
    assert clerk.get_by_text("墙面还在渗水").is_visible()
