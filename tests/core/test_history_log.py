"""Issue 20 point 20: the central change log (变更记录) — who, what, when, old → new — for
city_admin and the auditor, filterable by user, kind, unit and date, paged, exported to .xlsx."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from communities.models import Estate
from core.audit import PAGE_SIZE
from core.history import acting_as
from core.models import Job
from tests.conftest import login

pytestmark = pytest.mark.django_db
URL = "/history/"


def rename(estate: Estate, name: str, by):
    with acting_as(by):
        estate.name = name
        estate.save()


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def rows(html: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    return [text(row) for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)] if body else []


def test_the_page_lists_a_change_with_old_and_new(client, world):
    estate = world.estates["MY101"]
    old = estate.name
    rename(estate, "梅园新村示范小区", world.users["xuanwu_staff"])
    login(client, world.users["auditor"])
    assert reverse("core:history_log") == URL
    html = client.get(URL, {"user": world.users["xuanwu_staff"].pk}).content.decode()
    found = rows(html)
    assert len(found) == 1
    row = found[0]
    assert "小区" in row and "修改" in row and world.users["xuanwu_staff"].display_name in row
    assert f"小区名称 ： {old} → 梅园新村示范小区" in row
    assert "共 1 条记录" in text(html)


def test_the_menu_offers_it_to_the_city_admin_and_the_auditor_only(client, world):
    for persona, shown in (("city_admin", True), ("auditor", True), ("xuanwu_staff", False), ("meiyuan_clerk", False)):
        login(client, world.users[persona])
        html = client.get(reverse("dashboards:home")).content.decode()
        assert (f'href="{URL}"' in html) is shown, persona


def test_other_roles_are_refused(client, world):
    # roles.md: the change history is the city housing bureau's and the auditor's.
    for persona in ("xuanwu_staff", "meiyuan_clerk", "city_finance"):
        login(client, world.users[persona])
        assert client.get(URL).status_code == 403
        assert client.post(reverse("core:history_export")).status_code == 403


def test_filters_user_kind_unit_and_dates(client, world):
    staff, clerk, gulou = world.users["xuanwu_staff"], world.users["meiyuan_clerk"], world.users["gulou_staff"]
    rename(world.estates["MY101"], "甲小区", staff)
    rename(world.estates["MY102"], "乙小区", clerk)
    rename(world.estates["NH101"], "丙小区", gulou)
    with acting_as(staff):
        community = world.communities["MY1"]
        community.name = "梅园新村第一社区"
        community.save()
    login(client, world.users["city_admin"])

    def shown(**params) -> str:
        response = client.get(URL, params)
        assert response.status_code == 200
        return " | ".join(rows(response.content.decode()))

    by_staff = shown(user=staff.pk)
    assert "甲小区" in by_staff and "梅园新村第一社区" in by_staff and "乙小区" not in by_staff
    estates_only = shown(user=staff.pk, kind="communities.Estate")
    assert "甲小区" in estates_only and "梅园新村第一社区" not in estates_only
    xuanwu = shown(district=world.estates["MY101"].district_id, kind="communities.Estate")
    assert "甲小区" in xuanwu and "乙小区" in xuanwu and "丙小区" not in xuanwu
    street = shown(street=world.estates["NH101"].street_id)
    assert "丙小区" in street and "甲小区" not in street
    # Dates: move the clerk's change back a month; a range ending last week leaves the rest out.
    last = Estate.history.filter(history_user=clerk).latest("history_date")
    Estate.history.filter(history_id=last.history_id).update(history_date=timezone.now() - dt.timedelta(days=30))
    week_ago = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    old = shown(date_to=week_ago, kind="communities.Estate")
    assert "乙小区" in old and "甲小区" not in old
    recent = shown(date_from=week_ago, kind="communities.Estate", district=world.estates["MY101"].district_id)
    assert "甲小区" in recent and "乙小区" not in recent


def test_bad_filters_say_so_and_list_nothing(client, world):
    login(client, world.users["auditor"])
    response = client.get(URL, {"date_from": "2026-05-01", "date_to": "2026-04-01", "kind": "no.Such"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "截止日期不能早于起始日期。" in html and "is-invalid" in html
    assert "选择一个有效的选项" in html
    assert "共 " not in text(html)
    response = client.post(reverse("core:history_export") + "?date_from=abc")
    assert response.status_code == 400 and not Job.objects.exists()


def test_the_list_is_paged(client, world):
    staff = world.users["xuanwu_staff"]
    estate = world.estates["MY101"]
    for i in range(PAGE_SIZE + 3):
        rename(estate, f"第{i}次改名小区", staff)
    login(client, world.users["auditor"])
    first = client.get(URL, {"user": staff.pk}).content.decode()
    assert len(rows(first)) == PAGE_SIZE and f"共 {PAGE_SIZE + 3} 条记录" in text(first)
    assert f"第{PAGE_SIZE + 2}次改名小区" in rows(first)[0]  # newest first
    second = client.get(URL, {"user": staff.pk, "page": 2}).content.decode()
    assert len(rows(second)) == 3 and "第0次改名小区" in " ".join(rows(second))


def test_export_writes_each_change_and_keeps_formula_text_as_text(client, world, django_capture_on_commit_callbacks):
    staff = world.users["xuanwu_staff"]
    estate = world.estates["MY101"]
    old = estate.name
    rename(estate, '=HYPERLINK("http://x")', staff)
    login(client, world.users["auditor"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("core:history_export") + f"?user={staff.pk}")
    job = Job.objects.get(kind="export_history")
    assert response.status_code == 302 and response["Location"] == reverse("core:job_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert job.created_by == world.users["auditor"]
    sheet = load_workbook(io.BytesIO(job.output_file.read())).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "变更记录（共 1 条）"
    assert "筛选条件：操作人：" in values[1][0]
    assert values[2] == ["时间", "操作人", "账号", "记录类型", "记录", "操作", "字段", "原值", "新值", "原因"]
    data = values[3]
    assert data[1:9] == [
        staff.display_name,
        staff.username,
        "小区",
        data[4],
        "修改",
        "小区名称",
        old,
        '=HYPERLINK("http://x")',
    ]
    assert isinstance(data[0], dt.datetime)
    cell = sheet.cell(row=4, column=9)
    assert cell.data_type == "s" and cell.quotePrefix
    assert len(values) == 4


def test_residents_phone_and_name_stay_masked(client, world):
    from tests.disputes.helpers import dispute

    clerk = world.users["meiyuan_clerk"]
    case = dispute(world, party_name="张三丰", party_phone="13812345678")
    with acting_as(clerk):
        case.party_phone = "13987654321"
        case.save()
    login(client, world.users["auditor"])
    html = client.get(URL, {"user": clerk.pk, "kind": "disputes.DisputeCase"}).content.decode()
    changed = " ".join(rows(html))
    assert "联系电话 ： 138****5678 → 139****4321" in changed
    assert "13812345678" not in html and "13987654321" not in html and "张三丰" not in html


def test_time_stamps_read_in_local_time():
    from core.history import display_value
    from core.models import Job

    when = dt.datetime(2026, 12, 5, 22, 15, 1, 553959, tzinfo=dt.UTC)
    assert display_value(Job._meta.get_field("finished_at"), when, {}) == "2026年12月6日 06:15"
    assert display_value(Job._meta.get_field("finished_at"), dt.date(2020, 5, 1), {}) == "2020年5月1日"
