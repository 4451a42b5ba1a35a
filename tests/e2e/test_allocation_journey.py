"""In a real browser: the 玄武区 sheet of 2019 is confirmed by the district, approved by a city
admin who did not start the run, and both finance bureaus — which never saw the draft —
download the workbook (opened with openpyxl: the total is checked) and record their payments."""

from __future__ import annotations

import re

import openpyxl
import pytest
from django.utils import timezone

from tests.e2e.conftest import sign_in
from tests.factories import build_world
from tests.subsidies.helpers import close_year, example_estate, run_year, sheet, worked_example_inputs

pytestmark = [pytest.mark.e2e]


def _accept_dialogs(page):
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def _download_workbook(page, live_server, tmp_path, name):
    page.goto(f"{live_server.url}/subsidies/?year=2019")
    page.get_by_role("button", name=re.compile("生成2019年度工作簿")).click()
    page.wait_for_selector("text=已完成")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("下载")).click()
    target = tmp_path / name
    info.value.save_as(target)
    return openpyxl.load_workbook(target)


def test_confirm_approve_download_and_pay(
    browser, live_server, transactional_db, django_db_serialized_rollback, tmp_path
):
    from subsidies.models import Disbursement

    world = build_world()
    estate = example_estate(world)
    worked_example_inputs(estate, world.meiyuan_clerk)
    run_year(2019, "city_admin")
    close_year(2019, world.city_admin)
    s = sheet(2019, "玄武区")

    # finance never sees the draft
    finance = sign_in(browser, live_server, "city_finance")
    finance.goto(f"{live_server.url}/subsidies/?year=2019")
    assert "117,361.80" not in finance.content()
    assert finance.goto(f"{live_server.url}/subsidies/sheets/{s.pk}/").status == 404

    district = _accept_dialogs(sign_in(browser, live_server, "xuanwu_staff"))
    district.goto(f"{live_server.url}/subsidies/sheets/{s.pk}/")
    assert district.get_by_text("117,361.80 元").first.is_visible()
    district.get_by_role("button", name="区级确认").click()
    district.wait_for_selector("text=等待市房产局审核")

    starter = _accept_dialogs(sign_in(browser, live_server, "city_admin"))
    starter.goto(f"{live_server.url}/subsidies/sheets/{s.pk}/")
    # The starter of the run may not approve: the button says so before anyone clicks.
    assert starter.get_by_role("button", name="市级审核通过").is_disabled()
    assert starter.get_by_text(re.compile("须由另一位市房产局用户审核")).is_visible()

    city = _accept_dialogs(sign_in(browser, live_server, "city_admin2"))
    city.goto(f"{live_server.url}/subsidies/sheets/{s.pk}/")
    city.get_by_role("button", name="市级审核通过").click()
    city.wait_for_selector("text=分配表已冻结")
    s.refresh_from_db()
    assert (s.status, s.confirmed_by, s.approved_by) == ("approved", world.xuanwu_staff, world.city_admin2)

    # city finance: the workbook, then the city share
    wb = _download_workbook(finance, live_server, tmp_path, "city.xlsx")
    rows = list(wb["汇总"].iter_rows(values_only=True))
    total = next(r for r in rows if r[0] == "合计")
    assert (round(total[6] * 100), round(total[7] * 100), round(total[8] * 100)) == (11_736_180, 2_934_045, 8_802_135)
    today = timezone.localdate().isoformat()
    finance.goto(f"{live_server.url}/subsidies/sheets/{s.pk}/")
    finance.fill("input[name=date]", today)
    finance.fill("input[name=amount]", "29340.46")
    finance.fill("input[name=document_no]", "宁财建〔2020〕18号")
    finance.get_by_role("button", name="录入市级拨付").click()
    finance.wait_for_selector("text=超过待拨付余额")
    finance.fill("input[name=date]", today)
    finance.fill("input[name=amount]", "29,340.45")
    finance.fill("input[name=document_no]", "宁财建〔2020〕18号")
    finance.get_by_role("button", name="录入市级拨付").click()
    finance.wait_for_selector("text=已录入市级承担拨付 29,340.45 元")

    # district finance: its workbook, then the district share
    dfin = sign_in(browser, live_server, "xuanwu_finance")
    wb = _download_workbook(dfin, live_server, tmp_path, "xuanwu.xlsx")
    detail = list(wb["管理扶持明细"].iter_rows(values_only=True))
    assert detail[2][4] == "SL001" and round(detail[2][10] * 100) == 11_736_180
    dfin.goto(f"{live_server.url}/subsidies/sheets/{s.pk}/")
    dfin.fill("input[name=date]", today)
    dfin.fill("input[name=amount]", "88021.35")
    dfin.fill("input[name=document_no]", "玄财〔2020〕5号")
    dfin.get_by_role("button", name="录入区级拨付").click()
    dfin.wait_for_selector("text=已录入区级承担拨付 88,021.35 元")
    assert dfin.get_by_text("已结清").first.is_visible()
    assert sorted(Disbursement.objects.values_list("share", "amount_fen")) == [
        ("city", 2_934_045),
        ("district", 8_802_135),
    ]

    # An audit finding: city_admin reopens the approved year with a reason; the corrected area
    # and a new run give an adjustment with the right 追回, which finance does not see as a draft.
    from decimal import Decimal

    admin = _accept_dialogs(sign_in(browser, live_server, "city_admin"))
    admin.goto(f"{live_server.url}/assessments/years/2019/")
    admin.fill("textarea[name=reason], input[name=reason]", "审计发现示例小区面积多报")
    admin.get_by_role("button", name="重新开放该年度").click()
    admin.wait_for_selector("text=已重新开放")
    estate.building_area = Decimal("30000.00")
    estate.save()
    run_year(2019, "city_admin")
    adjustment = sheet(2019, "玄武区")
    assert adjustment.version == 2
    finance.goto(f"{live_server.url}/subsidies/?year=2019")
    assert "调整表" not in finance.content()
    district.goto(f"{live_server.url}/subsidies/?year=2019")
    district.get_by_role("link", name="第1次调整表").click()
    district.wait_for_selector("text=审计发现示例小区面积多报")
    row = district.locator("tbody tr", has_text="SL001")
    assert "追回" in row.inner_text() and "-9,361.80" in row.inner_text()
    assert "117,361.80" in row.inner_text() and "108,000.00" in row.inner_text()
