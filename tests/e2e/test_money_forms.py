"""The forms where money and the assessment are decided, in Chromium with bad values typed on
purpose (issue 20, done when): an appeal and its decision, the 拨付 entry on an approved sheet,
and 测算. Each shows its messages where the user looks, marks the refused boxes, and writes
nothing; then the same form with good values goes through."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.e2e.conftest import sign_in
from tests.e2e.test_daily_forms import invalid, visible
from tests.factories import build_world
from tests.subsidies.helpers import close_year, example_estate, run_year, sheet, worked_example_inputs

pytestmark = [pytest.mark.e2e]


def _submit_without_browser_checks(page, selector):
    # The browser's own required checks would stop the round trip; the server's messages are under test.
    page.evaluate(f"document.querySelector('{selector}').form.noValidate = true")
    page.locator(selector).evaluate("el => el.form.requestSubmit()")


def _scored_year(world):
    estate = example_estate(world)
    worked_example_inputs(estate, world.meiyuan_clerk)
    run_year(2019, "city_admin")
    return estate


def test_an_appeal_and_its_decision_refuse_empty_text(
    browser, live_server, transactional_db, django_db_serialized_rollback
):
    from assessments import services
    from assessments.models import Appeal, EstateResult

    world = build_world()
    estate = _scored_year(world)
    services.publish_year(2019, by=world.city_admin)
    result = EstateResult.objects.get(estate=estate, year=2019, is_current=True)

    clerk = sign_in(browser, live_server, "meiyuan_clerk")
    clerk.goto(live_server.url + reverse("assessments:appeal_new", args=[result.pk]))
    clerk.fill("#id_reason", "   ")
    _submit_without_browser_checks(clerk, "#id_reason")
    visible(clerk, "请填写申诉理由。")
    invalid(clerk, "#id_reason")
    assert not Appeal.objects.exists()
    clerk.fill("#id_reason", "第二次检查漏记了绿化得分")
    clerk.get_by_role("button", name="提交申诉").click()
    clerk.wait_for_selector("text=申诉已提交")
    appeal = Appeal.objects.get()

    district = sign_in(browser, live_server, "xuanwu_staff")
    district.goto(live_server.url + reverse("assessments:appeal_detail", args=[appeal.pk]))
    _submit_without_browser_checks(district, "#id_note")
    visible(district, "请选择处理结果。", "请填写处理意见。")
    invalid(district, "#id_decision", "#id_note")
    appeal.refresh_from_db()
    assert appeal.status == "pending" and appeal.decided_by is None


def test_a_payment_with_bad_values_is_refused_beside_each_box(
    browser, live_server, transactional_db, django_db_serialized_rollback
):
    from subsidies import services
    from subsidies.models import Disbursement

    world = build_world()
    _scored_year(world)
    close_year(2019, world.city_admin)
    s = sheet(2019, "玄武区")
    services.confirm_sheet(s, by=world.xuanwu_staff)
    services.approve_sheet(s, by=world.city_admin2)

    finance = sign_in(browser, live_server, "city_finance")
    finance.goto(live_server.url + reverse("subsidies:sheet_detail", args=[s.pk]))
    finance.fill("#id_date", "2999-01-01")
    finance.fill("#id_amount", "两万元")
    finance.fill("#id_document_no", "")
    _submit_without_browser_checks(finance, "#id_amount")
    visible(finance, "未保存，请按提示修改。", "日期不合理", "金额格式不正确。", "请填写文号。")
    invalid(finance, "#id_date", "#id_amount", "#id_document_no")
    assert finance.input_value("#id_amount") == "两万元"  # what was typed stays, to correct
    assert not Disbursement.objects.exists()
    # above the balance: refused beside the amount, with the balance in the message
    finance.fill("#id_date", timezone.localdate().isoformat())
    finance.fill("#id_amount", "29340.46")
    finance.fill("#id_document_no", "宁财建〔2020〕18号")
    finance.get_by_role("button", name="录入市级拨付").click()
    visible(finance, "不能超过待拨付余额 29,340.45 元。")
    invalid(finance, "#id_amount")
    assert not Disbursement.objects.exists()
    finance.fill("#id_amount", "29,340.45")
    finance.get_by_role("button", name="录入市级拨付").click()
    finance.wait_for_selector("text=已录入市级承担拨付 29,340.45 元")
    assert Disbursement.objects.get().amount_fen == 2_934_045


def test_what_if_with_bad_rates_says_which_and_changes_nothing(
    browser, live_server, transactional_db, django_db_serialized_rollback
):
    from subsidies.models import Allocation, Policy

    world = build_world()
    _scored_year(world)
    before = (list(Policy.objects.values_list("pk", "updated_at")), Allocation.objects.count())
    admin = sign_in(browser, live_server, "city_admin")
    admin.goto(live_server.url + reverse("subsidies:what_if") + "?year=2019")
    admin.fill("#rate-1", "三块六")
    admin.fill("#city_share", "2")
    admin.fill("#shares", "0.5,0.3")
    admin.get_by_role("button", name="测算").click()
    visible(admin, "补贴标准须为数字。", "市级承担比例超出范围。", "分期比例须为正数且合计为1。")
    assert admin.input_value("#rate-1") == "三块六"  # the typed values stay in the boxes
    admin.fill("#rate-1", "4.00")
    admin.fill("#city_share", "0.25")
    admin.fill("#shares", "")
    admin.get_by_role("button", name="测算").click()
    admin.wait_for_selector("#whatif-sum")
    assert (list(Policy.objects.values_list("pk", "updated_at")), Allocation.objects.count()) == before
