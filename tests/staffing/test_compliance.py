"""The staffing norms at their edges, the report's totals and its scope (clause 五)."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from django.urls import reverse

from communities.models import District, Street
from core.models import Job
from staffing.compliance import compliance_report
from tests.staffing.helpers import add_staff

pytestmark = pytest.mark.django_db


def street_row(world, street_name, estates=None, **kw):
    street = Street.objects.get(name=street_name)
    if estates is not None:
        Street.objects.filter(pk=street.pk).update(residential_estate_count=estates)
        street.refresh_from_db()
    report = compliance_report(world.city_admin, street=street, **kw)
    return next(r for r in report.rows if r.level == "street")


@pytest.mark.parametrize(
    "estates, staff, gap, excess, status",
    [
        (99, 2, 1, 0, "缺编1人"),
        (99, 3, 0, 0, "达标"),
        (99, 5, 0, 0, "达标"),
        (99, 7, 0, 2, "超出2人"),
        (100, 2, 3, 0, "缺编3人"),
        (100, 3, 2, 0, "缺编2人"),
        (100, 5, 0, 0, "达标"),
        (100, 7, 0, 0, "达标"),  # ≥ 100 estates: at least 5, no maximum
    ],
)
def test_street_norm_at_its_edges(world, estates, staff, gap, excess, status):
    add_staff(Street.objects.get(name="梅园新村街道"), staff)
    row = street_row(world, "梅园新村街道", estates)
    assert (row.gap, row.excess, row.status) == (gap, excess, status)
    assert row.range_label == ("3–5人" if estates < 100 else "至少5人")


def test_part_time_and_deputy_director_are_not_counted(world):
    street = Street.objects.get(name="梅园新村街道")
    add_staff(street, 2)
    add_staff(street, 3, full_time=False, name="兼职")
    add_staff(street, 1, post="deputy_director", name="副主任")
    row = street_row(world, "梅园新村街道", 40)
    assert (row.counted, row.part_time, row.deputy, row.gap) == (2, 3, True, 1)
    assert row.deputy_label == "已配备"


def test_deputy_director_missing_is_a_separate_check(world):
    add_staff(Street.objects.get(name="梅园新村街道"), 4)
    row = street_row(world, "梅园新村街道", 10)
    assert row.status == "达标" and row.deputy is False and row.deputy_label == "未配备"


def test_staff_who_left_or_not_yet_arrived_are_not_counted(world):
    street = Street.objects.get(name="梅园新村街道")
    add_staff(street, 3)
    add_staff(street, 2, until=dt.date(2021, 6, 30), name="离岗")
    add_staff(street, 2, since=dt.date(2099, 1, 1), name="未到岗")
    assert street_row(world, "梅园新村街道", 10).counted == 3


def test_district_and_community_norms(world):
    xuanwu = District.objects.get(name="玄武区")
    add_staff(xuanwu, 4)
    community = world.communities["MY1"]
    add_staff(community, 3)
    add_staff(community, 1, post="staff", name="非辅导员")  # not the community's counted post
    report = compliance_report(world.city_admin, district=xuanwu, with_communities=True)
    district_row = next(r for r in report.rows if r.level == "district")
    assert (district_row.range_label, district_row.counted, district_row.status) == ("5–7人", 4, "缺编1人")
    my1 = next(r for r in report.rows if r.level == "community" and r.unit == community)
    assert (my1.range_label, my1.counted, my1.status) == ("1–2人", 3, "超出1人")
    my2 = next(r for r in report.rows if r.level == "community" and r.unit == world.communities["MY2"])
    assert my2.status == "缺编1人"


def test_unrecorded_estate_count_uses_the_registered_estates(world):
    row = street_row(world, "梅园新村街道")
    assert row.estate_count_recorded is False
    assert row.estate_count == 4  # the world's four old estates of 梅园新村街道
    assert row.range_label == "3–5人"


def test_report_totals_for_a_district(world):
    xuanwu = District.objects.get(name="玄武区")
    add_staff(xuanwu, 6)
    add_staff(Street.objects.get(name="梅园新村街道"), 3)
    add_staff(Street.objects.get(name="新街口街道"), 1)
    Street.objects.filter(district=xuanwu).update(residential_estate_count=20)
    report = compliance_report(world.city_admin, district=xuanwu)
    streets = Street.objects.filter(district=xuanwu).count()
    summary = {s["level"]: s for s in report.summary}
    assert summary["区"] == {**summary["区"], "units": 1, "meeting": 1, "short": 0, "counted": 6}
    s = summary["街道"]
    assert s["units"] == streets
    assert s["meeting"] == 1  # only 梅园新村 has its 3
    assert s["short"] == streets - 1
    assert s["missing"] == 2 + 3 * (streets - 2)
    assert s["required"] == 3 * streets and s["counted"] == 4
    assert s["no_deputy"] == streets


def test_scope_of_the_report(world):
    clerk_report = compliance_report(world.meiyuan_clerk)
    assert {r.level for r in clerk_report.rows} == {"street", "community"}
    assert {r.unit.name for r in clerk_report.rows if r.level == "street"} == {"梅园新村街道"}
    gulou_report = compliance_report(world.gulou_staff)
    assert {r.district.name for r in gulou_report.rows} == {"鼓楼区"}
    assert compliance_report(world.evaluator).rows == []


def test_pages_show_staff_only_within_scope(client, world):
    meiyuan = Street.objects.get(name="梅园新村街道")
    add_staff(meiyuan, 1, name="王梅园")
    client.force_login(world.meiyuan_clerk)
    assert "王梅园" in client.get(reverse("staffing:staff_list")).content.decode()
    page = client.get(reverse("staffing:compliance")).content.decode()
    assert "梅园新村街道" in page and "缺编2人" in page
    client.force_login(world.ninghai_clerk)
    assert "王梅园" not in client.get(reverse("staffing:staff_list")).content.decode()
    assert client.get(reverse("staffing:unit_staff", args=["street", meiyuan.pk])).status_code == 404


def test_compliance_export_for_the_city(client, world, django_capture_on_commit_callbacks):
    add_staff(District.objects.get(name="玄武区"), 5)
    client.force_login(world.city_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staffing:export", args=["staffing_compliance"]), {"query": ""})
    assert response.status_code == 302
    job = Job.objects.filter(created_by=world.city_admin).latest("id")
    assert job.status == "succeeded", job.error
    with job.output_file.open("rb") as fh:
        wb = openpyxl.load_workbook(fh)
    rows = list(wb["明细"].iter_rows(values_only=True))
    header = rows[2]
    data = [dict(zip(header, r, strict=False)) for r in rows[3:]]
    xuanwu = next(r for r in data if r["层级"] == "区" and r["单位"] == "玄武区")
    assert (xuanwu["计入人数（专职）"], xuanwu["缺编人数"], xuanwu["结论"]) == (5, 0, "达标")
    assert sum(1 for r in data if r["层级"] == "街道") == Street.objects.count()
    assert all(r["层级"] != "社区" for r in data)
    summary = list(wb["汇总"].iter_rows(values_only=True))
    assert summary[3][0] == "区" and summary[3][1] == District.objects.count()


def test_a_long_level_table_pages_on_its_own(client, world, monkeypatch):
    """A city-wide street table is paged (a thousand streets at national scale), each level by its
    own parameter; every street appears on exactly one page, with its link and its conclusion."""
    import re

    from staffing import views

    monkeypatch.setattr(views, "UNITS_PER_PAGE", 2)
    client.force_login(world.city_admin)
    streets = list(Street.objects.order_by("district__code", "code").values_list("pk", flat=True))
    seen = []
    for number in range(1, (len(streets) + 1) // 2 + 1):
        html = client.get(reverse("staffing:compliance"), {"page_street": number}).content.decode()
        seen += [int(pk) for pk in re.findall(r'href="/staffing/units/street/(\d+)/"', html)]
        assert "缺编" in html or "达标" in html
    assert seen == streets
    assert "page_street=2" in client.get(reverse("staffing:compliance")).content.decode()
