"""Writing staff, meetings, tasks and targets: the rules, the messages, nothing written on bad input."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from communities.models import District, Street
from staffing import services
from staffing.models import DistrictTarget, JointMeeting, MeetingTask, StaffMember
from staffing.targets import progress_rows
from tests.staffing.helpers import add_staff

pytestmark = pytest.mark.django_db


def test_staff_post_must_fit_the_unit_and_dates_in_order(world):
    street = Street.objects.get(name="梅园新村街道")
    with pytest.raises(ValidationError) as exc:
        services.create_staff(
            {"name": "张三", "post": "advisor", "since": "2021-01-05", "until": "2020-01-01"},
            by=world.meiyuan_clerk,
            level="street",
            unit_pk=street.pk,
        )
    assert exc.value.message_dict["post"] == ["街道的人员岗位须为物业管理工作人员或分管副主任。"]
    assert exc.value.message_dict["until"] == ["离岗日期不能早于到岗日期。"]
    assert not StaffMember.objects.exists()
    member = services.create_staff(
        {"name": "张三", "post": "deputy_director", "since": "2021-01-05"},
        by=world.meiyuan_clerk,
        level="street",
        unit_pk=street.pk,
    )
    assert (member.district_id, member.street_id, member.community_id) == (street.district_id, street.pk, None)
    assert member.history.first().history_user == world.meiyuan_clerk


def test_staff_written_only_within_scope(world):
    xuanwu = District.objects.get(name="玄武区")
    ninghai = Street.objects.get(name="宁海路街道")
    values = {"name": "李四", "post": "staff", "since": "2021-01-05"}
    for user, level, pk in (
        (world.meiyuan_clerk, "district", xuanwu.pk),
        (world.meiyuan_clerk, "street", ninghai.pk),
        (world.xuanwu_staff, "street", ninghai.pk),
    ):
        with pytest.raises(ValidationError) as exc:
            services.create_staff(values, by=user, level=level, unit_pk=pk)
        assert exc.value.messages == ["单位不存在或不在您的管辖范围内。"]
    with pytest.raises(PermissionDenied):
        services.create_staff(values, by=world.auditor, level="district", unit_pk=xuanwu.pk)
    services.create_staff(values, by=world.xuanwu_staff, level="district", unit_pk=xuanwu.pk)
    assert StaffMember.objects.count() == 1


def test_staff_page_refuses_bad_input_with_chinese_messages(client, world):
    street = Street.objects.get(name="梅园新村街道")
    client.force_login(world.meiyuan_clerk)
    url = reverse("staffing:unit_staff", args=["street", street.pk])
    page = client.post(url, {"name": "", "post": "staff", "since": "2021-13-01", "full_time": "on"}).content.decode()
    assert "此项为必填项。" in page and "请输入有效日期" in page
    assert not StaffMember.objects.exists()
    assert (
        client.post(url, {"name": "赵五", "post": "staff", "since": "2021-03-01", "full_time": "on"}).status_code == 302
    )
    assert StaffMember.objects.get().full_time is True


MEETING = {
    "title": "区物业管理联席会议",
    "date": "2024-03-01",
    "chair": "区分管领导",
    "attendees": "区房产局\n区城管局\n",
    "topics": "老旧小区物业管理全覆盖",
}


def test_meeting_task_without_owner_refuses_the_meeting(world):
    tasks = [
        {"description": "排查无物业小区", "owner": "区房产局", "due_date": "2024-04-01"},
        {"description": "落实保洁", "owner": "", "due_date": "2024-04-01"},
    ]
    with pytest.raises(ValidationError) as exc:
        services.create_meeting(MEETING, by=world.xuanwu_staff, tasks=tasks)
    assert exc.value.message_dict["tasks"] == ["第2项督办事项：督办事项须填写责任单位或部门。"]
    assert not JointMeeting.objects.exists() and not MeetingTask.objects.exists()
    meeting = services.create_meeting(MEETING, by=world.xuanwu_staff, tasks=tasks[:1])
    assert (meeting.level, meeting.district.name, meeting.tasks.count()) == ("district", "玄武区", 1)
    assert meeting.attendee_list == ["区房产局", "区城管局"]


def test_meeting_level_follows_the_unit_and_scope(client, world):
    city = services.create_meeting({**MEETING, "chair": "分管副市长"}, by=world.city_admin)
    street = services.create_meeting(MEETING, by=world.meiyuan_clerk)
    assert (city.level, street.level, street.street.name) == ("city", "street", "梅园新村街道")
    assert set(JointMeeting.objects.visible_to(world.xuanwu_staff)) == {street}
    assert set(JointMeeting.objects.visible_to(world.auditor)) == {city, street}
    assert not JointMeeting.objects.visible_to(world.gulou_staff).exists()
    client.force_login(world.gulou_staff)
    assert client.get(reverse("staffing:meeting_detail", args=[street.pk])).status_code == 404


def test_overdue_tasks_and_status(world):
    meeting = services.create_meeting(
        MEETING,
        by=world.meiyuan_clerk,
        tasks=[
            {"description": "甲", "owner": "社区", "due_date": "2024-03-10"},
            {"description": "乙", "owner": "社区", "due_date": "2024-05-10"},
        ],
    )
    first, second = meeting.tasks.order_by("due_date")
    today = dt.date(2024, 4, 1)
    assert list(services.overdue_tasks(world.meiyuan_clerk, today)) == [first]
    assert list(services.overdue_tasks(world.xuanwu_staff, today)) == [first]
    assert not services.overdue_tasks(world.ninghai_clerk, today).exists()
    with pytest.raises(ValidationError) as exc:
        services.update_task_status(first, {"status": "done"}, by=world.meiyuan_clerk)
    assert exc.value.messages == ["办结的事项须填写办结日期。"]
    with pytest.raises(PermissionDenied):
        services.update_task_status(first, {"status": "done", "done_on": "2024-03-20"}, by=world.xuanwu_staff)
    services.update_task_status(first, {"status": "done", "done_on": "2024-03-20"}, by=world.meiyuan_clerk)
    assert list(services.overdue_tasks(world.meiyuan_clerk, dt.date(2024, 6, 1))) == [second]
    with pytest.raises(ValidationError) as exc:
        services.add_task(meeting, {"description": "丙", "owner": "", "due_date": ""}, by=world.meiyuan_clerk)
    assert exc.value.message_dict == {
        "owner": ["督办事项须填写责任单位或部门。"],
        "due_date": ["督办事项须填写办结期限。"],
    }


def test_district_targets_and_progress(world):
    xuanwu = District.objects.get(name="玄武区")
    with pytest.raises(PermissionDenied):
        services.set_target(
            {"district": xuanwu.pk, "year": 2024, "indicator": "coverage", "target": "90"}, by=world.xuanwu_staff
        )
    with pytest.raises(ValidationError) as exc:
        services.set_target(
            {"district": xuanwu.pk, "year": 2024, "indicator": "coverage", "target": "120"}, by=world.city_admin
        )
    assert exc.value.messages == ["目标值须为0至100之间的数，最多两位小数。"]
    target = services.set_target(
        {"district": xuanwu.pk, "year": 2024, "indicator": "coverage", "target": "90"}, by=world.city_admin
    )
    # 玄武区 of the world: 8 estates, the 4 unrenovated under 基本服务保障 and the 4 renovated under 公益性物业托管: no gap
    assert str(progress_rows([target], 2024)[0].actual) == "100.00"
    world.estates["MY101"].management_mode = "none"
    world.estates["MY101"].save()
    row = progress_rows([target], 2024)[0]
    assert (str(row.actual), row.met, str(row.gap)) == ("87.50", False, "2.50")
    staffing_target = services.set_target(
        {"district": xuanwu.pk, "year": 2024, "indicator": "staffing", "target": "50"}, by=world.city_admin
    )
    add_staff(xuanwu, 5)
    units = 1 + Street.objects.filter(district=xuanwu).count() + 4  # the district, its streets, 4 communities
    expected = (Decimal(100) / units).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert progress_rows([staffing_target], 2024)[0].actual == expected  # only the district meets its norm
    assert DistrictTarget.objects.count() == 2


def test_reassigning_a_street_moves_its_staff_and_meetings(world):
    from communities.services import reassign_street

    meiyuan = Street.objects.get(name="梅园新村街道")
    gulou = District.objects.get(name="鼓楼区")
    member = add_staff(meiyuan, 1)[0]
    advisor = add_staff(world.communities["MY1"], 1)[0]
    meeting = services.create_meeting(MEETING, by=world.meiyuan_clerk)
    reassign_street(meiyuan, gulou, by=world.city_admin)
    for row in (member, advisor, meeting):
        row.refresh_from_db()
        assert row.district_id == gulou.pk
    assert member.history.first().history_change_reason.startswith("街道调整")
    assert StaffMember.objects.visible_to(world.gulou_staff).count() == 2
    assert not StaffMember.objects.visible_to(world.xuanwu_staff).exists()


def test_a_closed_years_roster_is_read_only_but_later_facts_are_not(world):
    """Issue 13.4: a 到岗/离岗 date in a closed year, or a change of who was in post on 31 December
    of a closed year, is refused (Chinese, nothing written); a departure dated later, a name or
    a phone number, and a member arriving after the year are accepted."""
    from assessments.choices import YearStatus
    from assessments.models import AssessmentYear

    AssessmentYear.objects.create(year=2019, status=YearStatus.CLOSED)
    street = Street.objects.get(name="梅园新村街道")
    member = add_staff(street, since=dt.date(2018, 1, 1))[0]
    base = {"name": member.name, "post": "staff", "full_time": True, "since": "2018-01-01", "until": "", "phone": ""}
    for change in ({"until": "2019-12-30"}, {"since": "2020-01-01"}, {"full_time": False}, {"post": "deputy_director"}):
        with pytest.raises(ValidationError) as exc:
            services.update_staff(member, base | change, by=world.city_admin)
        assert any("2019年度考核已关闭" in m and "重新开放" in m for m in exc.value.messages), change
    for values in (
        {"name": "新人", "post": "staff", "since": "2019-03-01"},
        {"name": "早到", "post": "staff", "since": "2017-03-01", "until": "2020-06-30"},
    ):
        with pytest.raises(ValidationError, match="2019年度考核已关闭"):
            services.create_staff(values, by=world.city_admin, level="street", unit_pk=street.pk)
    assert list(StaffMember.objects.values_list("name", "since", "until", "full_time")) == [
        (member.name, dt.date(2018, 1, 1), None, True)
    ]
    services.update_staff(
        member, base | {"name": "改名", "phone": "025-84000000", "until": "2020-03-01"}, by=world.city_admin
    )
    services.create_staff(
        {"name": "次年", "post": "staff", "since": "2020-02-01"}, by=world.city_admin, level="street", unit_pk=street.pk
    )
    services.create_staff(
        {"name": "早离", "post": "staff", "since": "2016-01-01", "until": "2017-06-30"},
        by=world.city_admin,
        level="street",
        unit_pk=street.pk,
    )
    assert StaffMember.objects.count() == 3
