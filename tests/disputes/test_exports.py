"""Exports of the lists: a job per export, scoped, masked per requester, numbers as numbers."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Job
from tests.disputes.helpers import completed_repair, dispute, repair, sh

pytestmark = pytest.mark.django_db


def export(client, world, persona, list_name, query="", capture=None):
    client.force_login(world.users[persona])
    with capture(execute=True):
        response = client.post(reverse("disputes:export", args=[list_name]), {"query": query})
    assert response.status_code == 302
    job = Job.objects.filter(created_by=world.users[persona]).latest("id")
    assert job.status == "succeeded", job.error
    with job.output_file.open("rb") as fh:
        wb = openpyxl.load_workbook(fh)
    return job, wb


def header_and_rows(ws):
    rows = list(ws.iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r and r[0] == "序号")
    header = rows[at]
    return header, [dict(zip(header, r, strict=False)) for r in rows[at + 1 :]]


def test_dispute_export_is_scoped_and_masked(client, world, django_capture_on_commit_callbacks):
    dispute(world, party_name="王小明", party_phone="13812345678", description='=HYPERLINK("x")')
    dispute(world, estate="XJK101", by="xinjiekou_clerk", party_phone="13912345678")
    dispute(world, estate="NH101", by="ninghai_clerk")
    job, wb = export(client, world, "meiyuan_clerk", "disputes", capture=django_capture_on_commit_callbacks)
    header, rows = header_and_rows(wb["矛盾纠纷台账"])
    assert header[:6] == ("序号", "区", "街道", "社区", "小区编码", "小区名称")
    assert [r["联系电话"] for r in rows] == ["13812345678"]
    assert rows[0]["情况描述"] == '=HYPERLINK("x")'  # text, not a formula
    assert wb["矛盾纠纷台账"].cell(row=3, column=1).value == 1 and isinstance(rows[0]["受理时间"], dt.datetime)
    assert job.output_name.startswith("矛盾纠纷台账_")

    _, wb = export(client, world, "xuanwu_staff", "disputes", capture=django_capture_on_commit_callbacks)
    _, rows = header_and_rows(wb["矛盾纠纷台账"])
    assert [r["街道"] for r in rows] == ["梅园新村街道", "新街口街道"]  # official street-code order
    assert {r["联系电话"] for r in rows} == {"138****5678", "139****5678"}
    assert "王**" in {r["当事人"] for r in rows}


def test_export_follows_the_page_filters(client, world, django_capture_on_commit_callbacks):
    repair(world, at=sh(2019, 4, 1, 8))
    completed_repair(world, sh(2019, 5, 1, 8), sh(2019, 5, 1, 10), cost="88.80")
    repair(world, at=sh(2020, 4, 1, 8), urgency="normal")
    _, wb = export(
        client,
        world,
        "city_admin",
        "repairs",
        query="year=2019&urgency=urgent",
        capture=django_capture_on_commit_callbacks,
    )
    _, rows = header_and_rows(wb["应急维修台账"])
    assert len(rows) == 2
    done = next(r for r in rows if r["状态"] == "已完成")
    assert str(done["维修费用(元)"]) == "88.8" and done["是否按时"] == "是"
    assert next(r for r in rows if r["状态"] != "已完成")["是否按时"] == "已逾期"


def test_overdue_export(client, world, django_capture_on_commit_callbacks):
    repair(world, at=timezone.now() - dt.timedelta(hours=30))
    repair(world, at=timezone.now() - dt.timedelta(hours=1))
    _, wb = export(
        client,
        world,
        "xuanwu_staff",
        "overdue_repairs",
        query="kind=repairs",
        capture=django_capture_on_commit_callbacks,
    )
    _, rows = header_and_rows(wb["逾期应急维修"])
    assert len(rows) == 1 and rows[0]["逾期(小时)"] == 6


def test_department_and_station_exports(client, world, django_capture_on_commit_callbacks):
    from disputes import services
    from disputes.models import Department

    services.create_referral(
        by=world.meiyuan_clerk,
        estate=world.estates["MY101"],
        department=Department.objects.get(code="water"),
        problem="积水",
        referred_on=dt.date(2020, 5, 1),
        due_on=dt.date(2020, 5, 31),
    )
    services.save_station(
        by=world.meiyuan_clerk,
        street=world.estates["MY101"].street,
        kind="mediation",
        name="梅园新村街道物业管理矛盾调解站",
        address="长江路1号",
        phone="025-84000000",
        hours="工作日",
    )
    _, wb = export(client, world, "xuanwu_staff", "departments", capture=django_capture_on_commit_callbacks)
    _, rows = header_and_rows(wb["按部门统计"])
    water = next(r for r in rows if r["执法部门"] == "水务")
    assert water["移交数"] == 1 and water["逾期"] == 1
    assert rows[-1]["执法部门"] == "合计" and rows[-1]["移交数"] == 1
    _, wb = export(client, world, "meiyuan_advisor", "stations", capture=django_capture_on_commit_callbacks)
    _, rows = header_and_rows(wb["两站一中心"])
    assert [r["名称"] for r in rows] == ["梅园新村街道物业管理矛盾调解站"]
    _, wb = export(client, world, "gulou_staff", "stations", capture=django_capture_on_commit_callbacks)
    assert header_and_rows(wb["两站一中心"])[1] == []


def test_export_job_arguments_hold_no_personal_data(client, world, django_capture_on_commit_callbacks):
    dispute(world, party_phone="13812345678")
    job, _ = export(
        client, world, "meiyuan_clerk", "disputes", query="status=received", capture=django_capture_on_commit_callbacks
    )
    assert job.params == {"query": "status=received"}
