"""Every error in one round (issue 20, point 8): a form's own parse errors and the service's
range and cross-field rules come back together, each refused field marked is-invalid, and
nothing is saved."""

from __future__ import annotations

import re

from django.urls import reverse

from communities.models import Estate
from communities.services import Msg
from disputes.models import DisputeCase, EnforcementReferral, Filing, RepairRequest
from staffing.models import JointMeeting, StaffMember
from tests.communities.test_estate_pages import form_data


def invalid_names(html: str) -> set[str]:
    """The names of the inputs rendered with class is-invalid."""
    names = set()
    for tag in re.findall(r"<(?:input|select|textarea)[^>]*>", html):
        if "is-invalid" in tag and (m := re.search(r'name="([^"]+)"', tag)):
            names.add(m.group(1))
    return names


def test_estate_form_shows_every_error_at_once(client, world):
    client.force_login(world.meiyuan_clerk)
    data = form_data(
        world,
        name="",
        building_area="-500",
        households="-3",
        year_built="2031",
        latitude="95",
        longitude="118.8",
        category="renovated",
        renovation_year="1950",
    )
    response = client.post(reverse("communities:estate_create"), data)
    assert response.status_code == 200
    html = response.content.decode()
    for message in (
        Msg.REQUIRED,
        Msg.AREA_POSITIVE,
        "户数不能为负数。",
        "建成年份应在1949年至",
        Msg.RENOVATION_BEFORE_BUILT,
        "纬度应在南京市范围内（31.1至32.7之间）。",
    ):
        assert message in html, message
    assert {"name", "building_area", "households", "year_built", "latitude", "renovation_year"} <= invalid_names(html)
    assert not Estate.objects.filter(code="MY301").exists()


def test_estate_coordinates_must_lie_in_nanjing(client, world):
    client.force_login(world.meiyuan_clerk)
    html = client.post(
        reverse("communities:estate_create"), form_data(world, latitude="39.9", longitude="116.4")
    ).content.decode()
    assert "纬度应在南京市范围内" in html and "经度应在南京市范围内（118.3至119.3之间）。" in html
    assert (
        client.post(
            reverse("communities:estate_create"), form_data(world, latitude="32.05", longitude="118.79")
        ).status_code
        == 302
    )


def test_estate_api_says_the_same(client, world):
    client.force_login(world.meiyuan_clerk)
    body = {
        "code": "MY302",
        "name": "",
        "community": world.communities["MY1"].pk,
        "building_area": "-1",
        "category": "renovated",
        "year_built": 2031,
        "renovation_year": 1950,
        "latitude": "95",
        "longitude": "118.8",
    }
    response = client.post("/api/estates/", body, content_type="application/json")
    assert response.status_code == 400
    text = response.content.decode()
    for message in (Msg.AREA_POSITIVE, Msg.RENOVATION_BEFORE_BUILT, "纬度应在南京市范围内"):
        assert message in text, message
    assert not Estate.objects.filter(code="MY302").exists()


def test_dispute_form_estate_and_date_and_phone_together(client, world):
    client.force_login(world.meiyuan_clerk)
    html = client.post(
        reverse("disputes:dispute_create"),
        {
            "estate": "",
            "service_code": "",
            "party_phone": "110",
            "requested_datetime": "2999-01-01T10:00",
        },
    ).content.decode()
    for message in ("请选择小区。", "请选择类别。", "日期不合理", "联系电话应为11位手机号码"):
        assert message in html, message
    assert {"estate", "party_phone", "requested_datetime"} <= invalid_names(html)
    assert not DisputeCase.objects.exists()


def test_repair_form_all_errors(client, world):
    client.force_login(world.meiyuan_clerk)
    html = client.post(
        reverse("disputes:repair_create"),
        {
            "estate": world.estates["MY101"].pk,
            "service_code": "",
            "urgency": "urgent",
            "reporter_phone": "12",
            "requested_datetime": "2999-01-01T10:00",
        },
    ).content.decode()
    for message in ("请选择类别。", "日期不合理", "联系电话应为11位手机号码"):
        assert message in html, message
    assert not RepairRequest.objects.exists()


def test_referral_and_filing_forms_all_errors(client, world):
    client.force_login(world.meiyuan_clerk)
    html = client.post(
        reverse("disputes:referral_create"),
        {
            "estate": world.estates["MY101"].pk,
            "department": "",
            "problem": "",
            "referred_on": "2999-01-01",
            "due_on": "2020-01-01",
        },
    ).content.decode()
    for message in ("请选择执法部门。", "请填写移交事项。", "日期不合理"):
        assert message in html, message
    assert not EnforcementReferral.objects.exists()
    html = client.post(
        reverse("disputes:filing_create"),
        {
            "estate": "",
            "kind": "service_contract",
            "summary": "",
            "applicant": "",
            "submitted_on": "2999-01-01",
            "contract_start": "2024-01-01",
            "contract_end": "2023-01-01",
        },
    ).content.decode()
    for message in (
        "请选择小区。",
        "请填写备案事项。",
        "请填写报送单位。",
        "日期不合理",
        "合同终止日期不能早于起始日期。",
    ):
        assert message in html, message
    assert not Filing.objects.exists()


def test_staff_and_meeting_forms_all_errors(client, world):
    from communities.models import Street

    street = Street.objects.get(name="梅园新村街道")
    client.force_login(world.meiyuan_clerk)
    html = client.post(
        reverse("staffing:unit_staff", args=["street", street.pk]),
        {
            "name": "张" * 60,
            "post": "staff",
            "since": "2021-03-01",
            "until": "2020-01-01",
            "phone": "abc",
        },
    ).content.decode()
    assert "不能超过50个字符" in html and "离岗日期不能早于到岗日期" in html
    assert {"name", "until"} <= invalid_names(html)
    assert not StaffMember.objects.exists()
    client.force_login(world.users["xuanwu_staff"])
    html = client.post(
        reverse("staffing:meeting_create"),
        {
            "title": "会" * 120,
            "date": "2999-01-01",
            "chair": "",
            "attendees": "",
            "topics": "",
        },
    ).content.decode()
    assert "日期不合理" in html and "此项为必填项" in html and "不能超过100个字符" in html
    assert not JointMeeting.objects.exists()


# --- the case step forms (disputes.workflow): one round too, nothing written ----------------------
def test_repair_step_reports_form_and_service_errors_together(client, world):
    from tests.disputes.helpers import repair, sh, team

    case = repair(world, at=sh(2019, 4, 1, 8))
    services_team = team(world)
    from disputes import services

    services.dispatch_repair(case, by=world.users["meiyuan_clerk"], team=services_team, at=sh(2019, 4, 1, 9))
    case.refresh_from_db()
    client.force_login(world.meiyuan_clerk)
    html = client.post(
        reverse("disputes:repair_step", args=[case.pk]),
        {
            "step": "complete",
            "version": case.version,
            "at": "2999-01-01T10:00",
            "cost": "-5",
        },
    ).content.decode()
    for message in ("日期不合理", "维修费用不能为负数。"):
        assert message in html, message
    assert {"at", "cost"} <= invalid_names(html)
    case.refresh_from_db()
    assert case.status == "dispatched" and case.cost_fen is None


def test_dispute_refer_step_all_errors(client, world):
    from tests.disputes.helpers import dispute, sh

    case = dispute(world, at=sh(2019, 3, 10, 9))
    client.force_login(world.meiyuan_clerk)
    html = client.post(
        reverse("disputes:dispute_step", args=[case.pk]),
        {
            "step": "refer",
            "version": case.version,
            "department": "",
            "at": "2999-01-01T10:00",
            "due_on": "2019-01-01",
        },
    ).content.decode()
    for message in ("请选择执法部门。", "日期不合理", "办理期限不能早于移交日期。"):
        assert message in html, message
    assert {"department", "at", "due_on"} <= invalid_names(html)
    case.refresh_from_db()
    assert case.status == "received" and not EnforcementReferral.objects.exists()


def test_referral_and_filing_steps_all_errors(client, world):
    from disputes import services
    from disputes.models import Department

    clerk = world.meiyuan_clerk
    referral = services.create_referral(
        by=clerk,
        estate=world.estates["MY101"],
        department=Department.objects.filter(valid_to__isnull=True).first(),
        problem="违建",
        referred_on=dt_date(2024, 5, 10),
        due_on=dt_date(2024, 6, 10),
    )
    client.force_login(clerk)
    html = client.post(
        reverse("disputes:referral_step", args=[referral.pk]),
        {
            "step": "answer",
            "answered_on": "2024-05-01",
            "feedback": "",
        },
    ).content.decode()
    for message in ("请填写部门反馈的办理情况。", "反馈日期不能早于移交日期。"):
        assert message in html, message
    assert {"answered_on", "feedback"} <= invalid_names(html)
    referral.refresh_from_db()
    assert referral.answered_on is None
    # made directly: the step's rules are under test, not the filing's (a committee filing needs a committee)
    filing = Filing.objects.create(
        estate=world.estates["MY101"],
        kind="committee_formed",
        summary="成立物管会",
        applicant="某社区",
        submitted_on=dt_date(2024, 5, 10),
        created_by=clerk,
    )
    html = client.post(
        reverse("disputes:filing_step", args=[filing.pk]),
        {
            "step": "decide",
            "status": "correction",
            "decided_on": "2999-01-01",
            "note": "",
        },
    ).content.decode()
    for message in ("日期不合理", "需补正或不予备案时请写明理由。"):
        assert message in html, message
    assert {"decided_on", "note"} <= invalid_names(html)
    filing.refresh_from_db()
    assert filing.status == "submitted"


def dt_date(*args):
    import datetime as dt

    return dt.date(*args)
