"""Points 3, 4 and 8: the tracking page, 无效 with its reason, the rating, the call-back list,
the satisfaction rates, the notifications."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from disputes import services as cases
from disputes.models import RepairRequest
from residents import services
from tests.disputes.helpers import team
from tests.residents.helpers import MOBILE

pytestmark = pytest.mark.django_db


def _report(entry, room="301", phone=MOBILE, kind="repair", code="water_pipe"):
    return services.submit_report(
        entry=entry,
        kind=kind,
        service_code=code,
        urgency="urgent" if kind == "repair" else "",
        description="厨房水管爆裂",
        building="3",
        unit="2",
        room=room,
        name="李四",
        phone=phone,
        photos=[],
    )


def _completed(world, entry):
    repair = _report(entry)
    clerk = world.users["meiyuan_clerk"]
    crew = repair.street.repair_teams.first() or team(world)
    cases.dispatch_repair(
        repair, by=clerk, team=crew, note="内部：张师傅 13511112222 负责", public_note="维修人员将在两小时内上门。"
    )
    cases.record_arrival(repair, by=clerk)
    cases.add_repair_note(repair, by=clerk, note="内部备注：物业不配合")
    cases.complete_repair(repair, by=clerk, note="内部：更换阀门", public_note="已更换阀门，恢复供水。")
    repair.refresh_from_db()
    return repair, crew


def _track(client, case):
    return client.get(reverse("residents:track", args=[case.tracking_token])).content.decode()


def test_the_tracking_page_shows_the_steps_and_public_notes_only(client, world, entry):
    repair, crew = _completed(world, entry)
    page = _track(client, repair)
    for text in (
        "已受理",
        "已派单",
        "处理中",
        "已完成",
        "维修人员将在两小时内上门。",
        "已更换阀门，恢复供水。",
        "梅园新村街道应急维修服务站",
        repair.number,
    ):
        assert text in page, text
    for secret in (
        "张师傅",
        "13511112222",
        "物业不配合",
        MOBILE,
        "李四",
        crew.phone,
        world.users["meiyuan_clerk"].display_name,
        "内部",
    ):
        assert secret not in page, secret
    steps = page[page.index("办理经过") :]
    assert steps.index("已受理") < steps.index("已派单") < steps.index("处理中") < steps.index("已完成")


def test_an_unknown_tracking_token_is_a_404(client, world):
    response = client.get(reverse("residents:track", args=["nothing-here"]))
    assert response.status_code == 404 and "查询链接不存在或已失效" in response.content.decode()


def test_the_clerk_marks_a_duplicate_invalid_and_the_resident_sees_why(client, world, entry):
    first = _report(entry)
    second = _report(entry, phone="13800001111")
    assert second.duplicate_of == first
    client.force_login(world.users["meiyuan_clerk"])
    response = client.post(
        reverse("disputes:repair_step", args=[second.pk]),
        {"step": "invalid", "reason": "duplicate", "duplicate_number": first.number, "version": second.version},
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == "invalid" and second.completed_datetime and second.duplicate_of == first
    assert RepairRequest.objects.count() == 2  # nothing deleted
    page = _track(client, second)
    assert "重复报告" in page and first.number in page
    # an invalid report counts in no rate
    from disputes.stats import rates

    assert rates(RepairRequest.objects.filter(pk=second.pk)).total == 0


def test_invalid_needs_a_reason_and_a_duplicate_of_the_same_street(world, entry):
    repair = _report(entry)
    clerk = world.users["meiyuan_clerk"]
    foreign_estate = next(
        e for e in world.estates.values() if e.street_id != repair.street_id and e.district_id == repair.district_id
    )
    other = cases.create_repair(
        by=world.users["xinjiekou_clerk"], estate=foreign_estate, service_code="drain", urgency="normal"
    )
    with pytest.raises(ValidationError) as bad:
        cases.mark_invalid(repair, by=clerk, reason="bored")
    assert "请选择无效原因。" in str(bad.value)
    with pytest.raises(ValidationError) as foreign:
        cases.mark_invalid(repair, by=clerk, reason="duplicate", duplicate_number=other.number)
    assert "请填写本街道的另一件案件编号" in str(foreign.value)
    with pytest.raises(ValidationError):
        cases.mark_invalid(repair, by=clerk, reason="duplicate", duplicate_number=repair.number)
    repair.refresh_from_db()
    assert repair.status == "open" and not repair.invalid_reason


def test_rating_once_within_the_days_and_dissatisfied_goes_to_the_callback_list(
    client, world, entry, caplog, django_capture_on_commit_callbacks
):
    repair, _crew = _completed(world, entry)
    url = reverse("residents:track", args=[repair.tracking_token])
    caplog.set_level(logging.INFO, logger="residents.notify")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"satisfaction": "dissatisfied", "comment": "还在渗水"})
    assert response.status_code == 302
    repair.refresh_from_db()
    assert repair.satisfaction == "dissatisfied" and repair.satisfaction_source == "resident"
    assert repair.callback_status == "pending"
    assert "梅园新村街道、玄武区" in caplog.text and repair.number in caplog.text and MOBILE not in caplog.text
    again = client.post(url, {"satisfaction": "satisfied"})
    assert again.status_code == 400 and "不能评价" in again.content.decode()
    repair.refresh_from_db()
    assert repair.satisfaction == "dissatisfied"
    client.force_login(world.users["meiyuan_clerk"])
    listing = client.get(reverse("disputes:callback_list")).content.decode()
    assert repair.number in listing and "还在渗水" in listing
    client.force_login(world.users["xinjiekou_clerk"])
    assert repair.number not in client.get(reverse("disputes:callback_list")).content.decode()


def test_no_rating_before_the_close_nor_after_rating_days(client, world, entry, settings):
    open_case = _report(entry, room="1")
    response = client.post(reverse("residents:track", args=[open_case.tracking_token]), {"satisfaction": "satisfied"})
    assert response.status_code == 400
    open_case.refresh_from_db()
    assert not open_case.satisfaction
    repair, _ = _completed(world, entry)
    settings.RATING_DAYS = 15
    RepairRequest.objects.filter(pk=repair.pk).update(
        requested_datetime=timezone.now() - dt.timedelta(days=20),
        expected_datetime=timezone.now() - dt.timedelta(days=19),
        completed_datetime=timezone.now() - dt.timedelta(days=15, minutes=1),
    )
    repair.refresh_from_db()
    assert not cases.may_rate(repair)
    assert (
        client.post(reverse("residents:track", args=[repair.tracking_token]), {"satisfaction": "fairly"}).status_code
        == 400
    )


def test_a_callback_may_reopen_the_repair_which_keeps_its_receipt_time(client, world, entry):
    repair, _crew = _completed(world, entry)
    services.rate(repair, satisfaction="dissatisfied", comment="没修好")
    received, deadline = repair.requested_datetime, repair.expected_datetime
    client.force_login(world.users["meiyuan_clerk"])
    empty = client.post(reverse("disputes:callback_record", args=["repairs", repair.pk]), {"note": ""})
    assert empty.status_code == 400 and "请填写回访记录。" in empty.content.decode()
    response = client.post(
        reverse("disputes:callback_record", args=["repairs", repair.pk]),
        {"note": "居民反映仍漏水，安排复修", "reopen": "on"},
    )
    assert response.status_code == 302
    repair.refresh_from_db()
    assert repair.status == "dispatched" and repair.completed_datetime is None and repair.reopened_count == 1
    assert repair.requested_datetime == received and repair.expected_datetime == deadline
    assert repair.callback_status == "done" and not repair.satisfaction
    assert "重新办理" in _track(client, repair)


def test_a_callback_may_record_the_satisfaction_heard_on_the_phone(world, entry):
    repair, _crew = _completed(world, entry)
    services.rate(repair, satisfaction="dissatisfied")
    cases.record_callback(repair, by=world.users["meiyuan_clerk"], note="已沟通，表示基本满意", satisfaction="fairly")
    repair.refresh_from_db()
    assert repair.satisfaction == "fairly" and repair.satisfaction_source == "callback"


def test_satisfaction_rates_count_rated_cases_only(client, world, entry):
    from disputes.stats import satisfaction_by

    for choice in ("satisfied", "fairly", "dissatisfied"):
        repair, _ = _completed(world, entry)
        services.rate(repair, satisfaction=choice)
    _completed(world, entry)  # not rated: not counted
    found = satisfaction_by([RepairRequest.objects.all()], "street_id")
    line = found[world.estates["MY101"].street_id]
    assert (line.rated, line.satisfied, line.fairly, line.dissatisfied) == (3, 1, 1, 1)
    assert str(line.rate) == "66.7"
    client.force_login(world.users["xuanwu_staff"])
    home = client.get(reverse("disputes:home")).content.decode()
    assert "满意率（已评价）" in home and "66.7" in home


def test_a_dispute_request_is_followed_and_rated_like_a_repair(client, world, entry):
    case = _report(entry, kind="dispute", code="neighbours")
    clerk = world.users["meiyuan_clerk"]
    cases.transition_dispute(case, "start", by=clerk, note="内部：双方情绪激动", public_note="调解员已联系双方。")
    cases.transition_dispute(case, "resolve", by=clerk, public_note="双方达成协议。")
    page = _track(client, case)
    for text in (
        "已受理（梅园新村街道物业管理矛盾调解站）",
        "处理中（调解中）",
        "调解员已联系双方。",
        "已调解",
        "双方达成协议。",
    ):
        assert text in page, text
    assert "情绪激动" not in page and "请评价处理结果" in page
    response = client.post(reverse("residents:track", args=[case.tracking_token]), {"satisfaction": "satisfied"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.satisfaction == "satisfied" and case.callback_status == ""


def test_invalid_reports_count_in_no_yearly_effectiveness(world, entry):
    from disputes.effectiveness import case_counts

    kept = _report(entry, room="1")
    spam = _report(entry, room="2")
    cases.mark_invalid(spam, by=world.users["meiyuan_clerk"], reason="spam", note="测试信息")
    year = timezone.localtime(kept.requested_datetime).year
    counts = case_counts(year)[entry.estate_id]
    assert counts.repairs_reported == 1 and counts.repairs_on_time == 0
    spam.refresh_from_db()
    assert spam.status == "invalid" and spam.invalid_note == "测试信息"
