"""The daily forms in Chromium with bad values typed on purpose (issue 20, points 8–10): the
estate, dispute, repair, referral, filing, staff and meeting forms show every message at once,
visibly, beside fields marked is-invalid, and save nothing; a long text gets a counter."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.e2e.conftest import sign_in
from tests.factories import build_world

pytestmark = [pytest.mark.e2e]


def visible(page, *texts):
    for text in texts:
        locator = page.get_by_text(text, exact=False).first
        locator.wait_for()
        assert locator.is_visible(), text


def invalid(page, *selectors):
    for selector in selectors:
        assert "is-invalid" in (page.get_attribute(selector, "class") or ""), selector


def test_estate_form_every_error_in_one_round(browser, live_server, transactional_db, django_db_serialized_rollback):
    from communities.models import Estate

    world = build_world()
    before = Estate.objects.count()
    page = sign_in(browser, live_server, "meiyuan_clerk")
    page.goto(live_server.url + reverse("communities:estate_create") + f"?community={world.communities['MY1'].pk}")
    page.fill("#id_code", "MY399")
    page.fill("#id_name", "")
    page.fill("#id_building_area", "-500")
    page.fill("#id_households", "-3")
    page.fill("#id_year_built", "2031")
    page.select_option("#id_category", "renovated")
    page.fill("#id_renovation_year", "1950")
    page.fill("#id_latitude", "95")
    page.fill("#id_longitude", "118.8")
    # The browser's own min/required checks would stop the round trip; the server's messages are under test.
    page.evaluate("document.querySelector('#id_code').form.noValidate = true")
    page.locator("#id_code").evaluate("el => el.form.requestSubmit()")
    visible(
        page,
        "此项为必填项。",
        "建筑面积必须大于0。",
        "户数不能为负数。",
        "建成年份应在1949年至",
        "整治完成年份不能早于建成年份。",
        "纬度应在南京市范围内",
    )
    invalid(
        page, "#id_name", "#id_building_area", "#id_households", "#id_year_built", "#id_renovation_year", "#id_latitude"
    )
    assert page.evaluate("document.activeElement.id") == "id_name"  # the first refused field
    assert Estate.objects.count() == before


def test_dispute_form_bad_values_and_the_description_counter(
    browser, live_server, transactional_db, django_db_serialized_rollback
):
    from django.conf import settings

    from disputes.models import DisputeCase

    build_world()
    page = sign_in(browser, live_server, "meiyuan_clerk")
    page.goto(live_server.url + reverse("disputes:dispute_create"))
    assert page.locator("input[name=channel]:checked").count() == 0  # 不选即为“其他”: nothing chosen in advance
    limit = settings.TEXT_LIMITS["description"]
    page.fill("#id_description", "吵" * (limit + 5))
    counter = page.locator("[data-text-counter]").first
    assert (
        counter.is_visible()
        and f"{limit + 5} / {limit}" in counter.inner_text()
        and "超出 5 字" in counter.inner_text()
    )
    assert "text-danger" in counter.get_attribute("class")
    page.fill("#id_party_phone", "110")
    page.fill("#id_requested_datetime", "2999-01-01T10:00")
    page.evaluate("document.querySelector('#id_party_phone').form.noValidate = true")
    page.locator("#id_party_phone").evaluate("el => el.form.requestSubmit()")
    visible(page, "请选择小区。", "请选择类别。", "联系电话应为11位手机号码", "日期不合理", f"不能超过{limit}个字符")
    invalid(page, "#id_party_phone", "#id_requested_datetime", "#id_description")
    assert DisputeCase.objects.count() == 0


def test_repair_referral_and_filing_forms(browser, live_server, transactional_db, django_db_serialized_rollback):
    from disputes.models import EnforcementReferral, Filing, RepairRequest

    build_world()
    page = sign_in(browser, live_server, "meiyuan_clerk")
    page.goto(live_server.url + reverse("disputes:repair_create"))
    page.evaluate("document.querySelector('#id_reporter_phone').form.noValidate = true")
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    page.fill("#id_reporter_phone", "12")
    page.fill("#id_requested_datetime", "2999-01-01T10:00")
    page.locator("#id_reporter_phone").evaluate("el => el.form.requestSubmit()")
    visible(page, "请选择类别。", "联系电话应为11位手机号码", "日期不合理")
    assert RepairRequest.objects.count() == 0

    page.goto(live_server.url + reverse("disputes:referral_create"))
    page.evaluate("document.querySelector('#id_due_on').form.noValidate = true")
    page.fill("#id_referred_on", "2999-01-01")
    page.fill("#id_due_on", "2020-01-01")
    page.locator("#id_due_on").evaluate("el => el.form.requestSubmit()")
    visible(page, "请选择执法部门。", "请填写移交事项。", "日期不合理")
    invalid(page, "#id_department", "#id_problem", "#id_referred_on")
    assert EnforcementReferral.objects.count() == 0

    page.goto(live_server.url + reverse("disputes:filing_create"))
    page.evaluate("document.querySelector('#id_summary').form.noValidate = true")
    page.select_option("#id_kind", "service_contract")
    page.fill("#id_submitted_on", "2999-01-01")
    page.fill("#id_contract_start", "2024-01-01")
    page.fill("#id_contract_end", "2023-01-01")
    page.locator("#id_summary").evaluate("el => el.form.requestSubmit()")
    visible(
        page,
        "请填写备案事项。",
        "请填写报送单位。",
        "日期不合理",
        "合同终止日期不能早于起始日期。",
        "物业服务合同备案须选择物业服务企业。",
    )
    invalid(page, "#id_summary", "#id_applicant", "#id_submitted_on", "#id_contract_end")
    assert Filing.objects.count() == 0


def test_staff_and_meeting_forms(browser, live_server, transactional_db, django_db_serialized_rollback):
    from communities.models import Street
    from staffing.models import JointMeeting, StaffMember

    build_world()
    street = Street.objects.get(name="梅园新村街道")
    page = sign_in(browser, live_server, "meiyuan_clerk")
    page.goto(live_server.url + reverse("staffing:unit_staff", args=["street", street.pk]))
    page.fill("#id_name", "")
    page.fill("#id_since", "2021-03-01")
    page.fill("#id_until", "2020-01-01")
    page.fill("#id_phone", "abc")
    page.evaluate("document.querySelector('#id_name').form.noValidate = true")
    page.locator("#id_name").evaluate("el => el.form.requestSubmit()")
    visible(page, "此项为必填项。", "离岗日期不能早于到岗日期")
    invalid(page, "#id_name", "#id_until")
    assert StaffMember.objects.count() == 0

    page = sign_in(browser, live_server, "xuanwu_staff")
    page.goto(live_server.url + reverse("staffing:meeting_create"))
    page.fill("#id_title", "区联席会议")
    page.fill("#id_date", "2999-01-01")
    page.evaluate("document.querySelector('#id_title').form.noValidate = true")
    page.locator("#id_title").evaluate("el => el.form.requestSubmit()")
    visible(page, "日期不合理", "此项为必填项")
    invalid(page, "#id_date", "#id_chair", "#id_topics")
    assert JointMeeting.objects.count() == 0
