"""Pages and API: finance never sees a draft; frozen sheets refuse edits (page and API) with a
message and nothing changed; a district user confirming another district's sheet gets 404;
the background export; budget and what-if (nothing saved); policies."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Job
from subsidies import services
from subsidies.models import Allocation, AllocationSheet, Disbursement, Policy

from .helpers import close_year, example_estate, fen, run_year, sheet, worked_example_inputs

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Post to the export page and run the job it queues on commit, as the worker would."""

    def post(client, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("subsidies:export"), data)

    return post


@pytest.fixture
def year2019(world):
    estate = example_estate(world)
    worked_example_inputs(estate, world.meiyuan_clerk)
    run_year(2019, "city_admin")
    close_year(2019, world.city_admin)
    return sheet(2019, "玄武区")


def test_finance_never_sees_a_draft(client, world, year2019):
    s = year2019
    for user in (world.city_finance, world.xuanwu_finance):
        client.force_login(user)
        assert client.get(reverse("subsidies:sheet_detail", args=[s.pk])).status_code == 404
        assert client.get(reverse("subsidies:sheet_print", args=[s.pk])).status_code == 404
        page = client.get(reverse("subsidies:index") + "?year=2019").content.decode()
        assert "117,361.80" not in page and "尚未经市级审核" in page
        assert client.get(f"/api/allocation-sheets/{s.pk}/").status_code == 404
        assert client.get("/api/allocations/").json()["count"] == 0
    client.force_login(world.xuanwu_staff)
    assert "117,361.80" in client.get(reverse("subsidies:sheet_detail", args=[s.pk])).content.decode()
    services.confirm_sheet(s, by=world.xuanwu_staff)
    services.approve_sheet(s, by=world.city_admin2)
    client.force_login(world.city_finance)
    assert "117,361.80" in client.get(reverse("subsidies:sheet_detail", args=[s.pk])).content.decode()


def test_confirm_and_approve_through_the_pages(client, world, year2019):
    s = year2019
    client.force_login(world.gulou_staff)
    assert client.post(reverse("subsidies:sheet_confirm", args=[s.pk])).status_code == 404
    client.force_login(world.xuanwu_staff)
    r = client.post(reverse("subsidies:sheet_confirm", args=[s.pk]), follow=True)
    assert "已确认" in r.content.decode()
    client.force_login(world.city_admin)  # started the run
    r = client.post(reverse("subsidies:sheet_approve", args=[s.pk]), follow=True)
    assert "另一位" in r.content.decode()
    s.refresh_from_db()
    assert s.status == "confirmed"
    client.force_login(world.city_admin2)
    r = client.post(reverse("subsidies:sheet_approve", args=[s.pk]), follow=True)
    assert "分配表已冻结" in r.content.decode()
    s.refresh_from_db()
    assert (s.status, s.approved_by) == ("approved", world.city_admin2)
    page = client.get(reverse("subsidies:sheet_print", args=[s.pk])).content.decode()
    assert "审批表" in page and "（盖章）" in page and "市房产局乙" in page and "（草稿）" not in page


def test_editing_a_frozen_sheet_is_refused_page_and_api(client, world, year2019):
    s = year2019
    row = Allocation.objects.get(sheet=s)
    client.force_login(world.xuanwu_staff)
    r = client.patch(f"/api/allocations/{row.pk}/", {"payee": "某物业公司"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["payee"] == "某物业公司"
    services.confirm_sheet(s, by=world.xuanwu_staff)
    services.approve_sheet(s, by=world.city_admin2)
    r = client.post(reverse("subsidies:allocation_payee", args=[row.pk]), {"payee": "另一家"}, follow=True)
    assert "已冻结" in r.content.decode()
    r = client.patch(f"/api/allocations/{row.pk}/", {"payee": "另一家"}, content_type="application/json")
    assert r.status_code == 409 and "已冻结" in r.json()["detail"]
    row.refresh_from_db()
    assert row.payee == "某物业公司"
    client.force_login(world.auditor)
    assert (
        client.patch(f"/api/allocations/{row.pk}/", {"payee": "x"}, content_type="application/json").status_code == 403
    )


def test_disbursement_page_refuses_above_the_balance(client, world, year2019):
    s = year2019
    services.confirm_sheet(s, by=world.xuanwu_staff)
    services.approve_sheet(s, by=world.city_admin2)
    client.force_login(world.city_finance)
    url = reverse("subsidies:disbursement_new", args=[s.pk])
    today = timezone.localdate().isoformat()
    r = client.post(
        url, {"date": today, "amount": "29340.46", "document_no": "宁财1", "direction": "payment"}, follow=True
    )
    assert "超过待拨付余额 29,340.45 元" in r.content.decode()
    r = client.post(
        url, {"date": "2019-13-01", "amount": "1", "document_no": "宁财1", "direction": "payment"}, follow=True
    )
    assert "未保存" in r.content.decode()
    assert Disbursement.objects.count() == 0
    r = client.post(
        url, {"date": today, "amount": "29,340.45", "document_no": "宁财1", "direction": "payment"}, follow=True
    )
    assert "已录入市级承担拨付 29,340.45 元" in r.content.decode()
    d = Disbursement.objects.get()
    assert (d.share, d.amount_fen, d.district.name) == ("city", fen("29340.45"), "玄武区")
    client.force_login(world.gulou_finance)
    assert client.post(url, {"date": today, "amount": "1", "document_no": "x"}).status_code == 404


def test_a_bad_payment_entry_shows_every_message_beside_its_field_at_once(client, world, year2019):
    """A future date, an amount that is not a number and no 文号: one round, each box marked,
    the typed values kept, nothing written."""
    s = year2019
    services.confirm_sheet(s, by=world.xuanwu_staff)
    services.approve_sheet(s, by=world.city_admin2)
    client.force_login(world.city_finance)
    r = client.post(
        reverse("subsidies:disbursement_new", args=[s.pk]),
        {"date": "2999-01-01", "amount": "两万", "document_no": "", "direction": "payment"},
    )
    html = r.content.decode()
    assert r.status_code == 400
    for message in ("日期不合理", "金额格式不正确。", "请填写文号。"):
        assert message in html, message
    for name in ("date", "amount", "document_no"):
        assert re.search(rf'<input[^>]*name="{name}"[^>]*is-invalid|<input[^>]*is-invalid[^>]*name="{name}"', html), (
            name
        )
    assert 'value="两万"' in html
    assert Disbursement.objects.count() == 0


def test_background_export_for_finance_lists_unapproved_districts_without_amounts(client, world, year2019, on_commit):
    s = year2019
    client.force_login(world.city_finance)
    r = on_commit(client, {"year": "2019"})
    job = Job.objects.get(kind="export_allocations")
    assert r.status_code == 302 and r["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.status == "succeeded" and job.output_file
    wb = openpyxl.load_workbook(io.BytesIO(job.output_file.read()))
    rows = list(wb["汇总"].iter_rows(values_only=True))
    xuanwu = next(r for r in rows if r[0] == "玄武区")
    assert xuanwu[1] == "草稿" and xuanwu[2:] == (None,) * 7
    assert len(list(wb["管理扶持明细"].iter_rows(values_only=True))) == 3  # title, header, 合计
    assert "草稿" not in rows[0][0]
    # approved: the amounts appear
    services.confirm_sheet(s, by=world.xuanwu_staff)
    services.approve_sheet(s, by=world.city_admin2)
    on_commit(client, {"year": "2019"})
    job = Job.objects.filter(kind="export_allocations").latest("pk")
    wb = openpyxl.load_workbook(io.BytesIO(job.output_file.read()))
    rows = list(wb["管理扶持明细"].iter_rows(values_only=True))
    assert rows[2][4] == "SL001" and float(rows[2][10]) == 117361.80 and rows[-1][1] == "合计"
    r = client.get(reverse("core:job_download", args=[job.pk]))
    assert r.status_code == 200


def test_export_of_a_year_never_run_says_so(client, world, on_commit):
    client.force_login(world.city_admin)
    on_commit(client, {"year": "2017"})
    job = Job.objects.get(kind="export_allocations")
    assert job.status == "failed" and "还没有考核计分结果" in job.error


def test_old_export_files_are_purged(client, world, year2019, on_commit):
    from core.retention import purge_job_files as purge_old_exports

    client.force_login(world.city_admin)
    on_commit(client, {"year": "2019"})
    job = Job.objects.get(kind="export_allocations")
    assert purge_old_exports() == 0
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    assert purge_old_exports() == 1
    job.refresh_from_db()
    assert not job.output_file


def test_budget_and_what_if_save_nothing(client, world, year2019):
    s = year2019
    services.confirm_sheet(s, by=world.xuanwu_staff)
    services.approve_sheet(s, by=world.city_admin2)
    services.record_disbursement(
        s, by=world.city_finance, amount="29340.45", date=timezone.localdate(), document_no="1"
    )
    client.force_login(world.city_finance)
    page = client.get(reverse("subsidies:budget")).content.decode()
    assert "budget-chart" in page and "echarts.min.js" in page and "88,021.35" in page  # outstanding
    before = (AllocationSheet.objects.count(), Allocation.objects.count(), Policy.objects.count())
    r = client.get(reverse("subsidies:what_if"), {"run": "1", "year": "2019", "rate_三星": "4.00", "city_share": "0.5"})
    body = r.content.decode()
    # 32,600.50 × 4.00 = 130,402.00 beside the real 117,361.80; city half 65,201.00
    assert "130,402.00" in body and "117,361.80" in body and "65,201.00" in body
    r = client.get(reverse("subsidies:what_if"), {"run": "1", "year": "2019", "rate_三星": "abc"})
    assert "须为数字" in r.content.decode()
    assert (AllocationSheet.objects.count(), Allocation.objects.count(), Policy.objects.count()) == before
    assert Allocation.objects.get(sheet=s).amount_fen == fen("117361.80")
    client.force_login(world.xuanwu_staff)
    assert client.get(reverse("subsidies:what_if")).status_code == 403


def test_city_admin_edits_a_policy_or_adds_the_next_period(client, world):
    policy = Policy.objects.get(kind="management")
    client.force_login(world.city_admin)
    page = client.get(reverse("subsidies:policy_detail", args=[policy.pk])).content.decode()
    assert "3.60" in page
    data = {
        "kind": "management",
        "name": "2021—2023年管理扶持",
        "source_document": "新文件",
        "valid_from_year": "2021",
        "valid_to_year": "2023",
        "districts": [d.pk for d in policy.districts.all()],
        "categories": ["renovated", "unrenovated"],
        "city_share": "0.25",
        "rate_3": "4.00",
        "rate_2": "3.00",
        "rate_1": "1.50",
        "active": "on",
        "as_new": "1",
    }
    r = client.post(reverse("subsidies:policy_detail", args=[policy.pk]), data)
    assert r.status_code == 302
    new = Policy.objects.get(name="2021—2023年管理扶持")
    assert {x.grade: str(x.rate) for x in new.rates.all()} == {"三星": "4.00", "二星": "3.00", "一星": "1.50"}
    policy.refresh_from_db()
    assert policy.valid_to_year == 2020 and str(policy.rates.get(grade="三星").rate) == "3.60"  # unchanged
    bad = dict(data, valid_to_year="2019", as_new="")
    r = client.post(reverse("subsidies:policy_detail", args=[new.pk]), bad)
    assert r.status_code == 400 and "截止年度不能早于起始年度" in r.content.decode()
    client.force_login(world.city_finance)
    assert client.post(reverse("subsidies:policy_detail", args=[new.pk]), data).status_code == 403


def test_finance_lands_on_the_latest_year_it_may_see_and_is_told_so(client, world, year2019):
    from communities.models import District

    services.confirm_sheet(year2019, by=world.xuanwu_staff)
    services.approve_sheet(year2019, by=world.city_admin2)
    AllocationSheet.objects.create(district=District.objects.get(name="玄武区"), year=2020)  # a draft
    client.force_login(world.city_finance)
    page = client.get(reverse("subsidies:index")).content.decode()
    assert "2019年度补贴分配表" in page and "117,361.80" in page
    assert 'id="landed-note"' in page and "2020 年度的分配表尚未经市级审核" in page
    # asked for 2020 explicitly: 2020, no landing note
    page = client.get(reverse("subsidies:index") + "?year=2020").content.decode()
    assert "2020年度补贴分配表" in page and 'id="landed-note"' not in page
    # city_admin sees the draft: lands on 2020 with no note
    client.force_login(world.city_admin)
    page = client.get(reverse("subsidies:index")).content.decode()
    assert "2020年度补贴分配表" in page and 'id="landed-note"' not in page


def test_index_says_which_policy_covers_which_districts_and_lists_the_others(client, world, year2019):
    from communities.models import District

    District.objects.get_or_create(code="320115", defaults={"name": "江宁区"})
    client.force_login(world.city_admin)
    page = client.get(reverse("subsidies:index") + "?year=2019").content.decode()
    coverage = page[page.index('id="policy-coverage"') :].split("</p>")[0]
    assert "管理扶持" in coverage and "宁政办发" in coverage and "玄武区" in coverage and "不适用" in coverage
    assert "江宁区" not in coverage
    row = page[page.index("江宁区") :].split("</tr>")[0]
    assert "不适用" in row and "不覆盖" in row
    # a district user sees only its own district: no 不适用 rows of other districts
    client.force_login(world.xuanwu_staff)
    assert "江宁区" not in client.get(reverse("subsidies:index") + "?year=2019").content.decode()


def test_finance_export_names_the_district_counts_drafts_and_offers_only_readable_districts(
    client, world, year2019, on_commit
):
    from communities.models import District

    xuanwu = District.objects.get(name="玄武区")
    client.force_login(world.city_finance)
    page = client.get(reverse("subsidies:index") + "?year=2019").content.decode()
    select = page[page.index('id="district"') :].split("</select>")[0]
    assert "玄武区" not in select  # its sheet is a draft finance cannot read
    r = on_commit(client, {"year": "2019", "district": str(xuanwu.pk)})
    assert not Job.objects.exists() and "未生成" in client.get(r["Location"]).content.decode()
    # the whole workbook: the job says how many are not approved
    on_commit(client, {"year": "2019"})
    job = Job.objects.get()
    assert "未经市级审核 6 个（仅列状态，金额空白）" in job.result["summary"], job.result["summary"]
    services.confirm_sheet(year2019, by=world.xuanwu_staff)
    services.approve_sheet(year2019, by=world.city_admin2)
    page = client.get(reverse("subsidies:index") + "?year=2019").content.decode()
    assert "玄武区" in page[page.index('id="district"') :].split("</select>")[0]
    on_commit(client, {"year": "2019", "district": str(xuanwu.pk)})
    job = Job.objects.latest("pk")
    assert job.output_name == "玄武区2019年度补贴分配表.xlsx" and "已生成玄武区2019年度" in job.result["summary"]
    assert "未经市级审核" not in job.result["summary"]
    wb = openpyxl.load_workbook(io.BytesIO(job.output_file.read()))
    for name in ("汇总", "管理扶持明细", "整治扶持明细", "考核结果"):
        ws = wb[name]
        assert ws["A1"].value.startswith("玄武区2019年度"), ws["A1"].value
        assert ws.freeze_panes == "A3"  # title, header: the rows scroll under the header


def test_what_if_keeps_the_scenario_and_adds_the_total_and_a_chart(client, world, year2019):
    import json
    import re

    client.force_login(world.city_admin)
    page = client.get(reverse("subsidies:what_if"), {"year": "2019"}).content.decode()
    assert 'value="3.60"' in page and 'value="0.25"' in page  # the policy's values before a run
    r = client.get(
        reverse("subsidies:what_if"), {"run": "1", "year": "2019", "rate_三星": "4.00", "city_share": "0.30"}
    )
    body = r.content.decode()
    # the form shows what was computed, not the policy again
    assert re.search(r'name="rate_三星"[^>]*value="4.00"', body) and re.search(
        r'name="city_share"[^>]*value="0.30"', body
    )
    assert 'value="3.60"' not in body
    # 合计 row and the city-wide change: 32,600.50 × (4.00 − 3.60) = 13,040.20
    total = body[body.index('id="whatif-sum"') :].split("</tr>")[0]
    assert "117,361.80" in total and "130,402.00" in total and "+13,040.20" in total
    assert "增减 <strong>+13,040.20</strong>" in body
    # the chart: real against scenario per district
    data = json.loads(body.split('<script id="whatif-data" type="application/json">')[1].split("</script>")[0])
    i = data["districts"].index("玄武区")
    assert [s["name"] for s in data["series"]] == ["实际合计", "测算合计"]
    assert (data["series"][0]["data"][i], data["series"][1]["data"][i]) == ("117361.80", "130402.00")
    assert 'id="whatif-chart"' in body and "subsidies/subsidies.js" in body


def test_a_step_that_would_be_refused_is_disabled_with_the_rules_reason(client, world, year2019):
    """Issue 20 point 13: the page asks the same rule as the service (approve_refusal)."""
    s = year2019
    services.confirm_sheet(s, by=world.xuanwu_staff)
    client.force_login(world.city_admin)  # started the current run
    page = client.get(reverse("subsidies:sheet_detail", args=[s.pk])).content.decode()
    assert 'disabled aria-describedby="approve-refusal"' in page
    assert "暂不能审核：本表数据来自您发起的" in page
    client.force_login(world.city_admin2)
    page = client.get(reverse("subsidies:sheet_detail", args=[s.pk])).content.decode()
    assert "市级审核通过" in page and "approve-refusal" not in page
