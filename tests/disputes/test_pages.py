"""The pages: the quick repair form, the overdue list, masking per role, scoping, the live
on-time rate, the estate's effectiveness cases, and bad input on forms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from disputes.models import DisputeCase, RepairRequest
from disputes.stats import rates
from tests.disputes.helpers import closed_dispute, completed_repair, dispute, repair, sh, team

pytestmark = pytest.mark.django_db


def as_user(client, world, persona):
    client.force_login(world.users[persona])
    return client


def test_quick_repair_form_needs_three_answers(client, world):
    from disputes.forms import RepairForm

    form = RepairForm(user=world.meiyuan_clerk)
    assert {name for name, f in form.fields.items() if f.required} == {"estate", "service_code", "urgency"}
    page = as_user(client, world, "meiyuan_clerk").get(reverse("disputes:repair_create"))
    html = page.content.decode()
    assert 'class="btn btn-outline-primary btn-lg"' in html and 'inputmode="tel"' in html
    assert "btn-lg w-100 py-3" in html  # the submit button spans the phone's width


def test_clerk_records_a_repair_and_the_district_sees_it_overdue(client, world):
    clerk = as_user(client, world, "meiyuan_clerk")
    reported = timezone.localtime() - dt.timedelta(hours=24, minutes=5)
    response = clerk.post(
        reverse("disputes:repair_create"),
        {
            "estate": world.estates["MY102"].pk,
            "service_code": "water_pipe",
            "urgency": "urgent",
            "building": "3",
            "unit": "2单元501",
            "reporter_phone": "13912345678",
            "requested_datetime": reported.strftime("%Y-%m-%dT%H:%M"),
            "channel": "phone",
        },
    )
    case = RepairRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("disputes:repair_detail", args=[case.pk])
    assert (
        case.created_by == world.meiyuan_clerk
        and case.limit_hours == 24
        and case.district_id == world.estates["MY102"].district_id
    )
    # The next form starts on the estate just used.
    assert (
        f'value="{world.estates["MY102"].pk}" selected' in clerk.get(reverse("disputes:repair_create")).content.decode()
    )

    district = as_user(client, world, "xuanwu_staff")
    page = district.get(reverse("disputes:overdue_list"))
    assert case.number in page.content.decode()
    assert "139****5678" in page.content.decode() and "13912345678" not in page.content.decode()
    assert (
        as_user(client, world, "gulou_staff").get(reverse("disputes:overdue_list")).content.decode().count(case.number)
        == 0
    )


def test_a_repair_within_its_limit_is_not_overdue(client, world):
    repair(world, at=timezone.now() - dt.timedelta(hours=23, minutes=59))
    page = as_user(client, world, "xuanwu_staff").get(reverse("disputes:overdue_list"))
    assert page.context["total_overdue"] == 0
    assert "没有逾期的应急维修" in page.content.decode()


def test_phone_form_with_only_the_required_answers(client, world):
    response = as_user(client, world, "meiyuan_advisor").post(
        reverse("disputes:repair_create"),
        {"estate": world.estates["MY101"].pk, "service_code": "drain", "urgency": "normal"},
    )
    assert response.status_code == 302
    case = RepairRequest.objects.get()
    assert case.channel == "phone" and case.limit_hours == 72
    assert abs((case.requested_datetime - timezone.now()).total_seconds()) < 60


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"estate": "XJK101"}, "小区不存在或不在您的辖区内"),
        ({"service_code": "noise"}, "类别不存在"),
        ({"reporter_phone": "110"}, "联系电话应为11位手机号码或固定电话号码"),
        ({"urgency": ""}, "请选择紧急程度"),
    ],
)
def test_repair_form_bad_input(client, world, data, message):
    post = {"estate": world.estates["MY101"].pk, "service_code": "drain", "urgency": "urgent"}
    if data.get("estate"):
        data = {**data, "estate": world.estates[data["estate"]].pk}
    response = as_user(client, world, "meiyuan_clerk").post(reverse("disputes:repair_create"), post | data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RepairRequest.objects.exists()


def test_dispute_step_errors_come_back_on_the_page(client, world):
    case = dispute(world, at=sh(2019, 3, 10, 9))
    clerk = as_user(client, world, "meiyuan_clerk")
    url = reverse("disputes:dispute_step", args=[case.pk])
    assert clerk.post(url, {"step": "start", "at": "2019-03-10T10:00"}).status_code == 302
    response = clerk.post(url, {"step": "resolve", "at": "2019-03-09T10:00"})
    assert response.status_code == 200 and "调解成功时间不能早于受理时间" in response.content.decode()
    response = clerk.post(url, {"step": "refer", "at": "2019-03-11T10:00"})
    assert "请选择执法部门" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "mediating"


@pytest.mark.parametrize(
    ("persona", "sees_in_full"),
    [
        ("meiyuan_clerk", True),
        ("meiyuan_advisor", True),
        ("city_admin", False),
        ("auditor", False),
        ("xuanwu_staff", False),
        ("evaluator", False),
    ],
)
def test_personal_data_masked_per_role(client, world, persona, sees_in_full):
    case = dispute(world, party_name="王小明", party_phone="13812345678", respondent="李大强")
    rep = repair(world, reporter_name="赵六", reporter_phone="025-84123456")
    c = as_user(client, world, persona)
    for url in (
        reverse("disputes:dispute_list"),
        reverse("disputes:dispute_detail", args=[case.pk]),
        reverse("disputes:estate_cases", args=[world.estates["MY101"].pk, 2019]),
    ):
        html = c.get(url).content.decode()
        assert ("王小明" in html) is sees_in_full, url
        assert "13812345678" not in html or sees_in_full, url
        if not sees_in_full:
            assert "王**" in html
        if "estates" not in url:  # the effectiveness page lists the party, not the phone
            assert ("13812345678" in html) is sees_in_full, url
            assert ("138****5678" in html) is not sees_in_full, url
    html = c.get(reverse("disputes:repair_detail", args=[rep.pk])).content.decode()
    assert ("025-84123456" in html) is sees_in_full
    assert ("赵六" in html) is sees_in_full


def test_advisor_of_another_community_of_the_street_sees_masked(client, world):
    """The street clerk handles every community of the street; an advisor only its own."""
    case = dispute(world, estate="MY201", party_phone="13812345678")  # community MY2
    assert (
        "13812345678"
        in as_user(client, world, "meiyuan_clerk")
        .get(reverse("disputes:dispute_detail", args=[case.pk]))
        .content.decode()
    )
    assert (
        as_user(client, world, "meiyuan_advisor").get(reverse("disputes:dispute_detail", args=[case.pk])).status_code
        == 404
    )


def test_lists_are_scoped(client, world):
    mine, sibling, other = (
        dispute(world),
        dispute(world, estate="XJK101", by="xinjiekou_clerk"),
        dispute(world, estate="NH101", by="ninghai_clerk"),
    )
    seen = {
        persona: {
            c.pk
            for c in as_user(client, world, persona)
            .get(reverse("disputes:dispute_list"))
            .context["page_obj"]
            .object_list
        }
        for persona in ("meiyuan_clerk", "xuanwu_staff", "gulou_staff", "city_admin", "meiyuan_advisor", "evaluator")
    }
    assert seen["meiyuan_clerk"] == {mine.pk}
    assert seen["xuanwu_staff"] == {mine.pk, sibling.pk}
    assert seen["gulou_staff"] == {other.pk}
    assert seen["city_admin"] == {mine.pk, sibling.pk, other.pk}
    assert seen["meiyuan_advisor"] == {mine.pk}
    assert seen["evaluator"] == {mine.pk}  # assigned MY101


def _overdue_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["city_admin", "xuanwu_staff", "meiyuan_clerk"])
def test_overdue_list_runs_a_constant_number_of_queries(client, world, persona):
    c = as_user(client, world, persona)
    old = timezone.now() - dt.timedelta(days=30)
    repair(world, at=old)
    dispute(world, at=old)
    few = (
        _overdue_queries(c, reverse("disputes:overdue_list")),
        _overdue_queries(c, reverse("disputes:overdue_list") + "?kind=disputes"),
    )
    crew = team(world)
    for estate in ("MY101", "MY102", "MY201", "XJK101", "NH101", "NH202") * 3:
        by = {"MY": "meiyuan_clerk", "XJ": "xinjiekou_clerk", "NH": "ninghai_clerk"}[estate[:2]]
        r = repair(world, estate=estate, at=old, by=by)
        if estate.startswith("MY"):
            from disputes import services

            services.dispatch_repair(r, by=world.meiyuan_clerk, team=crew, at=old)
        dispute(world, estate=estate, at=old, by=by, party_phone="13812345678")
    many = (
        _overdue_queries(c, reverse("disputes:overdue_list")),
        _overdue_queries(c, reverse("disputes:overdue_list") + "?kind=disputes"),
    )
    assert many == few


def test_live_on_time_rate_counts_open_overdue_cases(world):
    """closed on time ÷ (closed + open overdue): 2 on time, 1 late, 1 open overdue, 1 open in time."""
    now = timezone.now()
    completed_repair(world, sh(2019, 4, 1, 8), sh(2019, 4, 1, 20))
    completed_repair(world, sh(2019, 4, 2, 8), sh(2019, 4, 2, 9))
    completed_repair(world, sh(2019, 4, 3, 8), sh(2019, 4, 5, 9))
    repair(world, at=now - dt.timedelta(hours=30))
    repair(world, at=now - dt.timedelta(hours=1))
    r = rates(RepairRequest.objects.all(), now)
    assert (r.total, r.closed, r.closed_on_time, r.open, r.open_overdue) == (5, 3, 2, 2, 1)
    assert str(r.on_time_rate) == "50.0"  # 2 ÷ (3 + 1); a closed-only rate would say 66.7
    assert rates(DisputeCase.objects.all(), now).on_time_rate is None


def test_home_page_shows_rates_per_unit(client, world):
    year = timezone.localdate().year
    repair(world, at=timezone.now() - dt.timedelta(hours=30))
    page = as_user(client, world, "xuanwu_staff").get(reverse("disputes:home"), {"year": year})
    rows = {row["unit"].name: row for row in page.context["rows"]}
    assert {"梅园新村街道", "新街口街道"} <= set(rows) and "宁海路街道" not in rows
    assert rows["梅园新村街道"]["repair_overdue"] == 1
    assert rows["梅园新村街道"]["repairs"].on_time_rate.is_zero()


def test_estate_cases_page_matches_case_counts(client, world):
    closed_dispute(world, sh(2019, 12, 31, 16), sh(2020, 1, 5, 9))
    closed_dispute(world, sh(2019, 3, 1, 9), sh(2019, 3, 2, 9))
    completed_repair(world, sh(2019, 4, 1, 8), sh(2019, 4, 2, 8))
    page = as_user(client, world, "xuanwu_staff").get(
        reverse("disputes:estate_cases", args=[world.estates["MY101"].pk, 2019])
    )
    counts = page.context["counts"]
    assert (counts.disputes_received, counts.disputes_resolved, counts.repairs_reported, counts.repairs_on_time) == (
        2,
        1,
        1,
        1,
    )
    assert [c.counted for c in page.context["disputes"]] == [True, False]
    assert (
        as_user(client, world, "gulou_staff")
        .get(reverse("disputes:estate_cases", args=[world.estates["MY101"].pk, 2019]))
        .status_code
        == 404
    )


def test_station_pages(client, world):
    street = world.estates["MY101"].street
    clerk = as_user(client, world, "meiyuan_clerk")
    response = clerk.post(
        reverse("disputes:station_edit", args=[street.pk, "repair"]),
        {
            "name": "梅园新村街道应急维修服务站",
            "address": "长江路1号",
            "phone": "025-84000000",
            "hours": "24小时值守",
            "staff_on_duty": "王五 维修工",
        },
    )
    assert response.status_code == 302
    response = clerk.post(
        reverse("disputes:team_create", args=[street.pk]),
        {"name": "自有维修队", "kind": "own", "phone": "025-84000001", "is_active": "on"},
    )
    assert response.status_code == 302
    page = as_user(client, world, "meiyuan_advisor").get(reverse("disputes:station_street", args=[street.pk]))
    assert "长江路1号" in page.content.decode() and "自有维修队" in page.content.decode()
    assert (
        as_user(client, world, "xinjiekou_clerk")
        .get(reverse("disputes:station_edit", args=[street.pk, "repair"]))
        .status_code
        == 404
    )


def test_attachment_upload_and_scoped_download(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = dispute(world)
    clerk = as_user(client, world, "meiyuan_clerk")
    url = reverse("disputes:dispute_step", args=[case.pk])
    bad = clerk.post(url, {"step": "attach", "file": SimpleUploadedFile("x.exe", b"MZ")})
    assert "只能上传" in bad.content.decode()
    assert clerk.post(url, {"step": "attach", "file": SimpleUploadedFile("协议.pdf", b"%PDF-1.4")}).status_code == 302
    attachment = case.attachments.get()
    assert attachment.file.name.endswith(".pdf") and "协议" not in attachment.file.name
    download = as_user(client, world, "xuanwu_staff").get(reverse("disputes:attachment_download", args=[attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4"
    assert (
        as_user(client, world, "xinjiekou_clerk")
        .get(reverse("disputes:attachment_download", args=[attachment.pk]))
        .status_code
        == 404
    )


def test_referral_departments_page(client, world):
    from disputes import services
    from disputes.models import Department

    urban = Department.objects.get(code="urban_management")
    services.create_referral(
        by=world.meiyuan_clerk,
        estate=world.estates["MY101"],
        department=urban,
        problem="占道",
        referred_on=dt.date(2020, 5, 1),
        due_on=dt.date(2020, 5, 31),
    )
    page = as_user(client, world, "xuanwu_staff").get(reverse("disputes:referral_departments"))
    rows = {r["department"].name: r for r in page.context["rows"]}
    assert rows["城管"]["total"] == 1 and rows["城管"]["overdue"] == 1
    assert "质监" not in rows and "市场监管" in rows  # discontinued departments only when they have referrals
    assert len(rows) == 11  # the twelve of 2017 after the 2019 merger of 质监 and 物价


def test_city_admin_sets_a_category_limit_in_the_admin(client, world):
    from disputes.models import TimeLimit

    admin = as_user(client, world, "city_admin")
    url = reverse("admin:disputes_timelimit_add")
    bad = admin.post(url, {"case_type": "dispute", "category": "", "urgency": "urgent", "hours": 48, "source": "测试"})
    assert bad.status_code == 200 and "矛盾纠纷时限不区分紧急程度" in bad.content.decode()
    ok = admin.post(
        url,
        {"case_type": "repair", "category": "lift", "urgency": "urgent", "hours": 12, "source": "市房产局通知（测试）"},
    )
    assert ok.status_code == 302 and TimeLimit.objects.filter(category="lift").exists()
    assert repair(world, category="lift").limit_hours == 12
    assert admin.get(reverse("admin:disputes_department_changelist")).status_code == 200
    assert as_user(client, world, "xuanwu_staff").get(url).status_code == 403


def test_filter_bar_selects_list_the_scope_and_keep_the_choice(client, world):
    """The filter bar's selects (written by the select_options tag): every visible street, the
    chosen one selected, the blank choice reads 全部…, names escaped; the yes/no filter too."""
    from communities.models import Street

    meiyuan = Street.objects.get(name="梅园新村街道")
    html = (
        as_user(client, world, "city_admin")
        .get(reverse("disputes:overdue_list") + f"?kind=disputes&street={meiyuan.pk}")
        .content.decode()
    )
    assert f'<option value="{meiyuan.pk}" selected>梅园新村街道</option>' in html
    assert '<option value="" >' not in html and '<option value="">全部街道</option>' in html
    assert all(f'<option value="{s.pk}"' in html for s in Street.objects.all())
    html = as_user(client, world, "xuanwu_staff").get(reverse("disputes:dispute_list")).content.decode()
    assert '<option value="unknown" selected>全部</option><option value="true">' in html
    ninghai = Street.objects.get(name="宁海路街道")
    assert f'<option value="{ninghai.pk}"' not in html  # another district's street
