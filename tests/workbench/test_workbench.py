"""工作台 (issue 18): each role's to-do items, their scope, links, order, and cost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.permission_matrix import PERSONAS
from tests.workbench.helpers import EXPECTED, build_todo, due_repair, inspection, with_staffing_gaps
from workbench import registry

pytestmark = pytest.mark.django_db


def counts(user):
    return {item.code: item.count for item in registry.todo_for(user)}


def test_every_persona_sees_its_kinds_with_the_counts_of_its_scope(world):
    build_todo(world)
    assert set(EXPECTED) == set(PERSONAS) - {"anonymous"}
    expected = with_staffing_gaps(EXPECTED, world.users)
    wrong = {p: counts(world.users[p]) for p in expected if counts(world.users[p]) != expected[p]}
    assert not wrong, wrong


def test_the_page_lists_the_items_overdue_first_with_links_that_work(client, world):
    rows = build_todo(world)
    client.force_login(world.xuanwu_staff)
    response = client.get("/workbench/")
    items = response.context["items"]
    # overdue first (repairs, referrals, tasks have an overdue row), then the rest
    states = [i.state for i in items]
    assert states == sorted(states, key=lambda s: s != "overdue") and states[0] == "overdue"
    repairs = next(i for i in items if i.code == "repairs_open")
    assert (repairs.overdue, repairs.due_soon) == (1, 1)
    assert repairs.remaining.startswith("已超")
    html = response.content.decode()
    assert "待审核检查" in html and "已超期 1" in html and "即将到期 1" in html
    for item in items:
        assert client.get(item.url).status_code == 200, item.url
    # the repairs link lands on a list holding exactly the open repairs of 玄武区
    listed = client.get(repairs.url).content.decode()
    assert rows["repair_soon"].number in listed and rows["repair_late"].number in listed
    # a single row links straight to its action: the appeal's page
    appeal = next(i for i in items if i.code == "appeals_pending")
    assert appeal.url == f"/assessments/appeals/{rows['appeal'].pk}/"
    assert 4 <= (appeal.earliest - timezone.now()).days <= 6  # the window's days left


def test_every_link_of_every_persona_opens(client, world):
    build_todo(world)
    for persona in EXPECTED:
        client.force_login(world.users[persona])
        for item in registry.todo_for(world.users[persona]):
            assert client.get(item.url).status_code == 200, (persona, item.code, item.url)


def test_a_street_clerks_repair_due_in_3_hours_is_due_soon_then_overdue(world):
    due_repair(world, "MY101", 3, "meiyuan_clerk")
    item = registry.todo_for(world.meiyuan_clerk)[0]
    assert (item.code, item.state, item.remaining) == ("repairs_open", "soon", "剩余 2小时")
    later = timezone.now() + dt.timedelta(hours=4)
    item = registry.todo_for(world.meiyuan_clerk, later)[0]
    assert (item.state, item.overdue) == ("overdue", 1) and item.remaining.startswith("已超")


def test_due_soon_follows_the_setting(world, settings):
    due_repair(world, "MY101", 30, "meiyuan_clerk")
    assert registry.todo_for(world.meiyuan_clerk)[0].state == "normal"
    settings.WORKBENCH_DUE_SOON_HOURS = 48
    assert registry.todo_for(world.meiyuan_clerk)[0].state == "soon"


def test_a_role_with_nothing_to_do_sees_an_empty_state(client, world):
    client.force_login(world.auditor)
    html = client.get("/workbench/").content.decode()
    assert "目前没有待办事项" in html and 'id="todo-list"' not in html


def test_finance_sees_what_it_can_pay_latest_year_first(client, world):
    rows = build_todo(world)
    client.force_login(world.city_finance)
    response = client.get("/workbench/")
    payments = {s.pk: (s.due_fen, s.paid_fen, s.unpaid_fen) for s in response.context["payments"]}
    assert payments == {rows["paid_xuanwu"].pk: (100_000, 100_000, 0), rows["unpaid_gulou"].pk: (50_000, 0, 50_000)}
    client.force_login(world.xuanwu_finance)
    payments = {s.pk: s.unpaid_fen for s in client.get("/workbench/").context["payments"]}
    assert payments == {rows["paid_xuanwu"].pk: 300_000}  # 鼓楼区's sheet is not in its scope


@pytest.mark.parametrize("persona", ["meiyuan_clerk", "xuanwu_staff", "city_admin", "city_finance"])
def test_the_number_of_queries_does_not_grow_with_the_data(client, world, persona):
    build_todo(world)
    client.force_login(world.users[persona])
    with CaptureQueriesContext(connection) as small:
        assert client.get("/workbench/").status_code == 200
    for i in range(6):
        due_repair(world, "MY101", -i - 1, "meiyuan_clerk")
        due_repair(world, "XJK102", i + 1, "xinjiekou_clerk")
        inspection(world, "MY102", "submitted")
        inspection(world, "MY101", "rejected", note="重填")
    with CaptureQueriesContext(connection) as large:
        assert client.get("/workbench/").status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_home_page_leads_with_the_workbench_and_the_dashboard_is_one_click_away(client, world):
    client.force_login(world.meiyuan_clerk)
    home = client.get("/")
    assert [t.name for t in home.templates][0] == "workbench/index.html"
    assert 'href="/?view=dashboard"' in home.content.decode()
    assert client.get("/?view=dashboard").templates[0].name == "dashboards/home.html"
    # a city leader may keep the dashboard as the home page (a per-user setting)
    client.force_login(world.city_admin)
    assert client.post("/workbench/home/", {"home": "dashboard"}).status_code == 302
    assert client.get("/").templates[0].name == "dashboards/home.html"
    assert client.get("/workbench/").templates[0].name == "workbench/index.html"
    assert client.post("/workbench/home/", {"home": "nonsense"}).status_code == 400
    client.force_login(world.meiyuan_clerk)  # the others keep theirs
    assert client.get("/").templates[0].name == "workbench/index.html"


def test_done_lists_what_the_user_did_in_seven_days(client, world):
    from assessments import services
    from core.history import acting_as

    insp = inspection(world, "MY101", "submitted")
    with acting_as(world.xuanwu_staff):  # as a request or a job records who acted
        services.review_inspection(insp, by=world.xuanwu_staff, approve=True)
    client.force_login(world.xuanwu_staff)
    done = client.get("/workbench/").context["done"]
    assert [(d["title"], d["records"]) for d in done] == [("检查记录", 1)]
    client.force_login(world.gulou_staff)
    assert client.get("/workbench/").context["done"] == []


def test_a_kind_registered_by_another_app_appears_for_its_roles(world):
    from accounts.choices import Role
    from disputes.models import DisputeCase
    from tests.disputes.helpers import dispute

    dispute(world, estate="MY101", at=timezone.now() - dt.timedelta(hours=1))
    kind = registry.register(
        registry.TodoKind(
            code="test_kind",
            title="测试待办",
            roles=frozenset({Role.COMMUNITY_ADVISOR}),
            queryset=lambda user: DisputeCase.objects.visible_to(user),
            url="/cases/disputes/",
        )
    )
    try:
        assert counts(world.meiyuan_advisor)["test_kind"] == 1
        assert "test_kind" not in counts(world.xinjiekou_advisor)  # out of scope: no item
        assert "test_kind" not in counts(world.meiyuan_clerk)  # not its role
    finally:
        registry._KINDS.pop(kind.code)


def test_resident_reports_lead_the_streets_list_and_a_dissatisfied_rating_waits_for_the_call_back(client, world):
    """居民自报: a waiting report is its street's work (not another street's), its link lists
    exactly it; 不满意 puts the case on the call-back kind until a clerk calls."""
    from disputes import services
    from disputes.models import RepairRequest
    from tests.disputes.helpers import completed_repair

    report = services.receive_resident_report(
        kind="repair",
        estate=world.estates["MY101"],
        service_code="water_pipe",
        urgency="urgent",
        description="楼道水管爆裂",
        phone="13800001234",
    )
    services.receive_resident_report(
        kind="dispute",
        estate=world.estates["MY102"],
        service_code="property_fee",
        description="物业费争议",
        phone="13800004321",
    )
    clerk = counts(world.meiyuan_clerk)
    assert clerk["resident_repairs_new"] == 1 and clerk["resident_disputes_new"] == 1
    assert "resident_repairs_new" not in counts(world.xinjiekou_clerk)
    assert counts(world.xuanwu_staff)["resident_repairs_new"] == 1
    assert "resident_repairs_new" not in counts(world.gulou_staff)
    client.force_login(world.meiyuan_clerk)
    listed = client.get(registry.get("resident_repairs_new").list_url(world.meiyuan_clerk))
    assert listed.status_code == 200 and report.number in listed.content.decode()

    done = completed_repair(world, timezone.now() - dt.timedelta(hours=5), timezone.now() - dt.timedelta(hours=1))
    RepairRequest.objects.filter(pk=done.pk).update(channel="resident", tracking_token="t" * 32)
    done.refresh_from_db()
    assert "callbacks_pending_repairs" not in counts(world.meiyuan_clerk)
    services.rate_by_resident(done, satisfaction="dissatisfied", comment="漏水未修好")
    assert counts(world.meiyuan_clerk)["callbacks_pending_repairs"] == 1
    assert counts(world.xuanwu_staff)["callbacks_pending_repairs"] == 1
    assert "callbacks_pending_repairs" not in counts(world.xinjiekou_clerk)
    services.record_callback(done, by=world.meiyuan_clerk, note="已电话联系，安排复查")
    assert "callbacks_pending_repairs" not in counts(world.meiyuan_clerk)


def test_a_street_short_of_staff_is_work_until_the_norm_is_met(world):
    """人员配备缺编的街道 agrees with the compliance page: 梅园新村街道 with nobody on staff is short;
    with three full-time staff (the norm's lower bound) it is not, and 玄武区 counts one fewer."""
    from staffing.models import StaffMember

    street = world.estates["MY101"].street
    before = counts(world.xuanwu_staff)["staffing_gaps"]
    assert counts(world.meiyuan_clerk)["staffing_gaps"] == 1
    for i in range(3):
        StaffMember.objects.create(
            level="street",
            district_id=street.district_id,
            street=street,
            name=f"专职{i}",
            post="staff",
            full_time=True,
            since=dt.date(2020, 1, 1),
        )
    assert "staffing_gaps" not in counts(world.meiyuan_clerk)
    assert counts(world.xuanwu_staff)["staffing_gaps"] == before - 1
