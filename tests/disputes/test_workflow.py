"""The dispute and repair workflows: who may take which step, time limits at the edge, bad
input refused with a Chinese message and nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from disputes import services
from disputes.models import Department, DisputeCase, DisputeEvent, EnforcementReferral, RepairRequest
from tests.disputes.helpers import closed_dispute, dispute, repair, sh, team

pytestmark = pytest.mark.django_db


def messages(exc: ValidationError) -> str:
    return " ".join(m for ms in exc.message_dict.values() for m in ms)


# --- transitions per role -----------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["meiyuan_clerk", "meiyuan_advisor", "city_admin"])
def test_handlers_take_the_mediation_steps(world, persona):
    case = dispute(world)
    user = world.users[persona]
    services.transition_dispute(case, "start", by=user, at=sh(2019, 3, 2, 9), note="约双方面谈")
    services.transition_dispute(case, "resolve", by=user, at=sh(2019, 3, 5, 16), note="达成协议")
    case.refresh_from_db()
    assert case.status == "resolved" and case.closed_datetime == sh(2019, 3, 5, 16)
    steps = list(case.events.values_list("action", "actor__username"))
    assert steps == [("received", "meiyuan_clerk"), ("start", persona), ("resolve", persona)]


@pytest.mark.parametrize("persona", ["xuanwu_staff", "auditor", "city_finance", "xuanwu_finance", "evaluator"])
def test_readers_may_not_take_steps(world, persona):
    case = dispute(world)
    with pytest.raises(PermissionDenied):
        services.transition_dispute(case, "start", by=world.users[persona])
    case.refresh_from_db()
    assert case.status == "received" and case.events.count() == 1


@pytest.mark.parametrize("persona", ["xinjiekou_clerk", "ninghai_clerk", "xinjiekou_advisor"])
def test_other_units_may_not_touch_the_case(world, persona):
    case = dispute(world)
    with pytest.raises(PermissionDenied):
        services.transition_dispute(case, "start", by=world.users[persona])


def test_community_advisor_only_in_its_own_community(world):
    other = dispute(world, estate="MY201")  # 梅园新村 community 2: not the advisor's
    with pytest.raises(PermissionDenied):
        services.transition_dispute(other, "start", by=world.meiyuan_advisor)
    services.transition_dispute(other, "start", by=world.meiyuan_clerk)  # the street clerk may


def test_advisor_may_not_refer_to_joint_enforcement(world):
    case = dispute(world)
    urban = Department.objects.get(code="urban_management")
    with pytest.raises(PermissionDenied):
        services.transition_dispute(
            case, "refer", by=world.meiyuan_advisor, at=sh(2020, 5, 1, 9), department=urban, due_on=dt.date(2020, 5, 31)
        )
    assert not EnforcementReferral.objects.exists()


def test_refused_transitions_say_why(world):
    case = dispute(world)
    with pytest.raises(ValidationError) as exc:
        services.transition_dispute(case, "resolve", by=world.meiyuan_clerk)
    assert "当前状态为“受理”，不能执行“调解成功”" in messages(exc.value)
    done = closed_dispute(world, sh(2019, 3, 1, 9), sh(2019, 3, 2, 9))
    for step in ("start", "resolve", "terminate"):
        with pytest.raises(ValidationError):
            services.transition_dispute(done, step, by=world.meiyuan_clerk)
    with pytest.raises(ValidationError):
        services.transition_dispute(case, "reopen", by=world.meiyuan_clerk)


def test_refer_creates_the_referral_with_the_department_in_force(world):
    case = dispute(world, at=sh(2020, 4, 28, 9))
    old, new = Department.objects.get(code="quality_supervision"), Department.objects.get(code="market_regulation")
    with pytest.raises(ValidationError) as exc:
        services.transition_dispute(
            case, "refer", by=world.meiyuan_clerk, at=sh(2020, 5, 1, 9), department=old, due_on=dt.date(2020, 5, 31)
        )
    assert "请改选“市场监管”" in messages(exc.value)
    assert not EnforcementReferral.objects.exists()
    services.transition_dispute(
        case,
        "refer",
        by=world.meiyuan_clerk,
        at=sh(2020, 5, 1, 9),
        department=new,
        due_on=dt.date(2020, 5, 31),
        note="无证经营",
    )
    case.refresh_from_db()
    referral = EnforcementReferral.objects.get()
    assert case.status == "referred" and case.referred_department == new
    assert (
        referral.dispute == case
        and referral.referred_on == dt.date(2020, 5, 1)
        and referral.street_id == case.street_id
    )


def test_a_2018_referral_may_go_to_a_department_renamed_in_2019(world):
    case = dispute(world, at=sh(2018, 6, 1, 9))
    old = Department.objects.get(code="environmental_protection")
    services.transition_dispute(
        case, "refer", by=world.meiyuan_clerk, at=sh(2018, 6, 2, 9), department=old, due_on=dt.date(2018, 6, 30)
    )
    assert EnforcementReferral.objects.get().department.name == "环保"


# --- time limits ----------------------------------------------------------------------------------
def test_dispute_limit_exactly_and_one_minute_past(world):
    case = dispute(world, at=sh(2019, 3, 1, 9, 0))
    assert case.limit_hours == 15 * 24
    deadline = sh(2019, 3, 16, 9, 0)
    assert case.expected_datetime == deadline
    assert not case.is_overdue(deadline)
    assert case.is_overdue(deadline + dt.timedelta(minutes=1))
    on_time = closed_dispute(world, sh(2019, 3, 1, 9), deadline)
    late = closed_dispute(world, sh(2019, 3, 1, 9), deadline + dt.timedelta(minutes=1))
    assert on_time.closed_on_time is True and late.closed_on_time is False


@pytest.mark.parametrize(("urgency", "hours"), [("urgent", 24), ("normal", 72)])
def test_repair_limit_exactly_and_one_minute_past(world, urgency, hours):
    crew = team(world)
    reported = sh(2019, 4, 1, 8, 0)
    exact, late = repair(world, at=reported, urgency=urgency), repair(world, at=reported, urgency=urgency)
    assert exact.expected_datetime == reported + dt.timedelta(hours=hours)
    assert not exact.is_overdue(exact.expected_datetime) and exact.is_overdue(
        exact.expected_datetime + dt.timedelta(minutes=1)
    )
    for case, done in ((exact, exact.expected_datetime), (late, late.expected_datetime + dt.timedelta(minutes=1))):
        services.dispatch_repair(case, by=world.meiyuan_clerk, team=crew, at=reported)
        services.complete_repair(case, by=world.meiyuan_clerk, at=done)
        case.refresh_from_db()
    assert exact.completed_on_time is True and late.completed_on_time is False


def test_dispute_received_31_december_closed_5_january(world):
    case = closed_dispute(world, sh(2019, 12, 31, 16), sh(2020, 1, 5, 9))
    assert case.requested_datetime.year == 2019 and case.closed_on_time is True  # within 15 days


# --- bad input: a Chinese message, nothing written -------------------------------------------------
def _nothing_written():
    return DisputeCase.objects.count() == 0 and RepairRequest.objects.count() == 0 and DisputeEvent.objects.count() == 0


def test_close_before_receive_is_refused(world):
    case = dispute(world, at=sh(2019, 3, 10, 9))
    services.transition_dispute(case, "start", by=world.meiyuan_clerk, at=sh(2019, 3, 10, 10))
    with pytest.raises(ValidationError) as exc:
        services.transition_dispute(case, "resolve", by=world.meiyuan_clerk, at=sh(2019, 3, 9, 9))
    assert "不能早于受理时间" in messages(exc.value)
    case.refresh_from_db()
    assert case.status == "mediating" and case.closed_datetime is None and case.events.count() == 2


def test_repair_completed_before_reported_is_refused(world):
    case = repair(world, at=sh(2019, 4, 1, 8))
    services.dispatch_repair(case, by=world.meiyuan_clerk, team=team(world), at=sh(2019, 4, 1, 9))
    with pytest.raises(ValidationError) as exc:
        services.complete_repair(case, by=world.meiyuan_clerk, at=sh(2019, 3, 31, 8))
    assert "不能早于" in messages(exc.value)
    case.refresh_from_db()
    assert case.status == "dispatched" and case.completed_datetime is None


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"service_code": "noise"}, "类别不存在"),
        ({"party_phone": "12345"}, "联系电话应为11位手机号码或固定电话号码"),
        ({"party_phone": "138123456789"}, "联系电话应为11位手机号码或固定电话号码"),
        ({"party_phone": "电话号码"}, "联系电话应为11位手机号码或固定电话号码"),
        ({"requested_datetime": "future"}, "日期不合理：应在 1949年10月1日至今之间。"),
        ({"channel": "wechat"}, "受理方式不存在"),
    ],
)
def test_bad_dispute_input(world, kwargs, text):
    from django.utils import timezone

    if kwargs.get("requested_datetime") == "future":
        kwargs["requested_datetime"] = timezone.now() + dt.timedelta(days=1)
    args = {"by": world.meiyuan_clerk, "estate": world.estates["MY101"], "service_code": "parking"} | kwargs
    with pytest.raises(ValidationError) as exc:
        services.create_dispute(**args)
    assert text in messages(exc.value)
    assert _nothing_written()


def test_phone_number_is_not_echoed_in_the_message(world):
    with pytest.raises(ValidationError) as exc:
        services.create_dispute(
            by=world.meiyuan_clerk, estate=world.estates["MY101"], service_code="parking", party_phone="1597654321x"
        )
    assert "1597654321" not in messages(exc.value)


@pytest.mark.parametrize(
    ("persona", "estate"), [("meiyuan_clerk", "XJK101"), ("meiyuan_clerk", "NH101"), ("meiyuan_advisor", "MY201")]
)
def test_case_for_an_estate_outside_the_users_unit(world, persona, estate):
    with pytest.raises(ValidationError) as exc:
        services.create_repair(
            by=world.users[persona], estate=world.estates[estate], service_code="drain", urgency="urgent"
        )
    assert messages(exc.value) == "小区不存在或不在您的辖区内。"
    assert _nothing_written()


def test_unknown_estate(world):
    with pytest.raises(ValidationError) as exc:
        services.create_repair(by=world.meiyuan_clerk, estate=999999, service_code="drain", urgency="urgent")
    assert messages(exc.value) == "小区不存在或不在您的辖区内。"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("138 1234 5678", "13812345678"),
        ("+86 13812345678", "13812345678"),
        ("025-84123456", "025-84123456"),
        ("02584123456", "025-84123456"),
        ("0510-81234567", "0510-81234567"),
        ("84123456", "84123456"),
        ("", ""),
    ],
)
def test_phone_numbers_are_normalised(raw, stored):
    from disputes.validation import normalise_phone

    assert normalise_phone(raw) == stored


def test_repair_steps_in_order_and_cost_in_fen(world):
    case = repair(world, at=sh(2019, 4, 1, 8))
    with pytest.raises(ValidationError):
        services.record_arrival(case, by=world.meiyuan_clerk)  # not dispatched yet
    with pytest.raises(ValidationError):
        services.dispatch_repair(case, by=world.meiyuan_clerk, team=team(world, street="新街口街道", name="新街口队"))
    crew = team(world)
    services.dispatch_repair(case, by=world.meiyuan_clerk, team=crew, at=sh(2019, 4, 1, 8, 10))
    with pytest.raises(ValidationError):
        services.record_arrival(case, by=world.meiyuan_clerk, at=sh(2019, 4, 1, 8, 5))  # before dispatch
    services.record_arrival(case, by=world.meiyuan_clerk, at=sh(2019, 4, 1, 8, 40))
    for bad in ("-1", "12.345", "abc"):
        with pytest.raises(ValidationError):
            services.complete_repair(case, by=world.meiyuan_clerk, at=sh(2019, 4, 1, 11), cost=bad)
    services.complete_repair(case, by=world.meiyuan_clerk, at=sh(2019, 4, 1, 11), cost="350.50")
    case.refresh_from_db()
    assert case.cost_fen == 35050 and case.status == "completed" and case.completed_on_time
    with pytest.raises(ValidationError):
        services.record_repair_satisfaction(case, by=world.meiyuan_clerk, satisfaction="great")
    services.record_repair_satisfaction(case, by=world.meiyuan_clerk, satisfaction="satisfied", note="及时")
    case.refresh_from_db()
    assert case.get_satisfaction_display() == "满意"
    assert [e.action for e in case.events.all()] == ["received", "dispatch", "arrive", "complete", "satisfaction"]


def test_satisfaction_only_when_closed(world):
    case = dispute(world)
    with pytest.raises(ValidationError):
        services.record_dispute_satisfaction(case, by=world.meiyuan_clerk, satisfaction="satisfied")
    done = closed_dispute(world, sh(2019, 3, 1, 9), sh(2019, 3, 2, 9))
    services.record_dispute_satisfaction(done, by=world.meiyuan_advisor, satisfaction="fairly")
    done.refresh_from_db()
    assert done.satisfaction == "fairly"


def test_referral_feedback_and_overdue(world):
    urban = Department.objects.get(code="urban_management")
    referral = services.create_referral(
        by=world.meiyuan_clerk,
        estate=world.estates["MY101"],
        department=urban,
        problem="占道",
        referred_on=dt.date(2020, 5, 1),
        due_on=dt.date(2020, 5, 31),
    )
    assert referral.is_overdue(dt.date(2020, 6, 1)) and not referral.is_overdue(dt.date(2020, 5, 31))
    with pytest.raises(ValidationError):
        services.answer_referral(referral, by=world.meiyuan_clerk, answered_on=dt.date(2020, 4, 30), feedback="已处理")
    with pytest.raises(ValidationError):
        services.answer_referral(referral, by=world.meiyuan_clerk, answered_on=dt.date(2020, 5, 20), feedback="")
    with pytest.raises(PermissionDenied):
        services.answer_referral(
            referral, by=world.meiyuan_advisor, answered_on=dt.date(2020, 5, 20), feedback="已处理"
        )
    services.accept_referral(referral, by=world.meiyuan_clerk, accepted_on=dt.date(2020, 5, 3))
    services.answer_referral(referral, by=world.meiyuan_clerk, answered_on=dt.date(2020, 5, 20), feedback="已拆除")
    referral.refresh_from_db()
    assert referral.status == "answered" and not referral.is_overdue(dt.date(2021, 1, 1))


def test_filing_review(world):
    from communities.models import PropertyCommittee

    committee = PropertyCommittee.objects.create(
        estate=world.estates["MY101"],
        name="梅园1-1物管会",
        formed_on=dt.date(2019, 5, 1),
        term_start=dt.date(2019, 5, 1),
        term_end=dt.date(2022, 4, 30),
    )
    with pytest.raises(ValidationError) as exc:
        services.create_filing(
            by=world.meiyuan_clerk,
            estate=world.estates["MY101"],
            kind="committee_formed",
            summary="成立备案",
            applicant="物管会",
            submitted_on=dt.date(2019, 5, 10),
        )
    assert "须选择物管会" in messages(exc.value)
    with pytest.raises(ValidationError):  # a committee of another estate
        services.create_filing(
            by=world.meiyuan_clerk,
            estate=world.estates["MY102"],
            kind="committee_formed",
            summary="成立备案",
            applicant="物管会",
            submitted_on=dt.date(2019, 5, 10),
            committee=committee,
        )
    with pytest.raises(PermissionDenied):
        services.create_filing(
            by=world.meiyuan_advisor,
            estate=world.estates["MY101"],
            kind="committee_formed",
            summary="成立备案",
            applicant="物管会",
            submitted_on=dt.date(2019, 5, 10),
            committee=committee,
        )
    filing = services.create_filing(
        by=world.meiyuan_clerk,
        estate=world.estates["MY101"],
        kind="committee_formed",
        summary="成立备案",
        applicant="物管会",
        submitted_on=dt.date(2019, 5, 10),
        committee=committee,
    )
    with pytest.raises(ValidationError):
        services.decide_filing(filing, by=world.meiyuan_clerk, status="correction")  # needs a reason
    services.decide_filing(filing, by=world.meiyuan_clerk, status="correction", note="缺成员名单")
    services.decide_filing(filing, by=world.meiyuan_clerk, status="submitted", note="已补正")
    with pytest.raises(ValidationError):
        services.decide_filing(filing, by=world.meiyuan_clerk, status="accepted", decided_on=dt.date(2019, 5, 1))
    services.decide_filing(filing, by=world.meiyuan_clerk, status="accepted", decided_on=dt.date(2019, 5, 20))
    filing.refresh_from_db()
    assert filing.status == "accepted"
    with pytest.raises(ValidationError):
        services.decide_filing(
            filing, by=world.meiyuan_clerk, status="refused", decided_on=dt.date(2019, 5, 21), note="x"
        )


def test_stations_are_kept_by_their_own_street(world):
    from communities.models import Street

    meiyuan = Street.objects.get(name="梅园新村街道")
    station = services.save_station(
        by=world.meiyuan_clerk,
        street=meiyuan,
        kind="mediation",
        name="梅园新村街道物业管理矛盾调解站",
        address="长江路1号",
        phone="025-84000000",
        hours="周一至周五 8:30-17:30",
        staff_on_duty="张三 调解员\n李四 调解员",
    )
    assert station.staff_lines == ["张三 调解员", "李四 调解员"]
    with pytest.raises(PermissionDenied):
        services.save_station(
            by=world.xinjiekou_clerk, street=meiyuan, kind="repair", name="x", address="x", phone="1", hours="x"
        )
    with pytest.raises(PermissionDenied):
        services.save_station(
            by=world.xuanwu_staff, street=meiyuan, kind="repair", name="x", address="x", phone="1", hours="x"
        )
    with pytest.raises(ValidationError):
        services.save_station(
            by=world.meiyuan_clerk, street=meiyuan, kind="repair", name="", address="", phone="", hours=""
        )
    with pytest.raises(ValidationError) as exc:
        services.save_team(by=world.meiyuan_clerk, street=meiyuan, name="委托队", kind="public_welfare", phone="1")
    assert "所属企业" in messages(exc.value)
