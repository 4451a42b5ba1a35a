"""三级考核 (policy-defaults.md §3c) on a closed year: the items from roll-ups, disputes, staffing and
coverage, the assessor's 日常工作 and sign-off, ranks, the command and the export."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from assessments import services
from assessments.errors import Refused
from assessments.models import AssessmentYear
from assessments.unit_assessment import compute_sheet, enter_daily, sign_off
from assessments.unit_models import UnitScore, UnitSheet
from communities.models import Community, District, Estate, Street
from core.models import Job
from tests.assessments.conftest import worked_example_inputs
from tests.disputes.helpers import closed_dispute, sh
from tests.staffing.helpers import add_staff

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def closed_2019(world, example_estate):
    """The worked example (示例小区, 93.00) assessed in 2019 and the year closed; 3 disputes in
    宁海路街道 (鼓楼区) received in 2019, 2 mediated by 31 December, 1 only in January."""
    worked_example_inputs(example_estate, world.meiyuan_clerk)
    closed_dispute(world, sh(2019, 3, 1, 9), sh(2019, 3, 5, 9), estate="NH101", by="ninghai_clerk")
    closed_dispute(world, sh(2019, 6, 1, 9), sh(2019, 6, 9, 9), estate="NH101", by="ninghai_clerk")
    closed_dispute(world, sh(2019, 12, 30, 9), sh(2020, 1, 5, 9), estate="NH102", by="ninghai_clerk")
    call_command("run_cycle", "2019")
    services.publish_year(2019, by=world.city_admin)
    AssessmentYear.objects.filter(year=2019).update(appeal_deadline=dt.date(2020, 1, 1))
    services.close_year(2019, by=world.city_admin)
    return 2019


def recorded_in(estate, when):
    """Date every change-history record of `estate` at `when` (as if the registry had been told
    then): the unit assessment reads the registry as of 31 December of its year."""
    Estate.history.filter(id=estate.pk).update(history_date=when)


def score_of(sheet, unit) -> UnitScore:
    return sheet.scores.get(**{f"{sheet.level}_id": unit.pk})


def items(score) -> tuple:
    return (score.estate_score, score.dispute_score, score.staffing_score, score.coverage_score, score.total)


def test_only_a_closed_year_is_assessed(world, example_estate):
    worked_example_inputs(example_estate, world.meiyuan_clerk)
    call_command("run_cycle", "2019")
    with pytest.raises(Refused, match="尚未关闭"):
        compute_sheet(2019, "district", None, by=world.city_admin)
    assert not UnitSheet.objects.exists()


def test_city_sheet_of_districts(world, closed_2019):
    xuanwu, gulou = District.objects.get(name="玄武区"), District.objects.get(name="鼓楼区")
    add_staff(xuanwu, 5, since=dt.date(2019, 1, 1))
    add_staff(xuanwu, 2, since=dt.date(2020, 2, 1), name="次年到岗")  # not in post on 31 December 2019
    add_staff(gulou, 3, since=dt.date(2018, 5, 1))
    world.estates["NH102"].management_mode = "none"  # unrenovated without basic services: a coverage gap
    world.estates["NH102"].save()
    recorded_in(world.estates["NH102"], sh(2019, 6, 1, 9))  # the registry said so in 2019 (read as of 31 December)
    sheet = compute_sheet(2019, "district", None, by=world.city_admin)
    x, g = score_of(sheet, xuanwu), score_of(sheet, gulou)
    # 40 × 93.00 ÷ 100; no disputes; 5 of 5–7; 9 estates, no gap
    assert items(x) == (D("37.20"), D("20.00"), D("15.00"), D("15.00"), D("87.20"))
    assert (x.mean_score, x.staff_counted, x.staff_minimum, x.estates, x.estates_covered) == (D("93.00"), 5, 5, 9, 9)
    # nothing assessed; 20 × 2/3; 15 × 3/5; 15 × 3/4
    assert items(g) == (D("0.00"), D("13.33"), D("9.00"), D("11.25"), D("33.58"))
    assert (g.disputes_received, g.disputes_resolved) == (3, 2)
    other = score_of(sheet, District.objects.get(name="秦淮区"))  # no estate, case or staff
    assert items(other) == (D("0.00"), D("20.00"), D("0.00"), D("15.00"), D("35.00"))
    districts = District.objects.count()
    assert sheet.scores.count() == districts
    assert (x.rank, other.rank, g.rank) == (1, 2, districts)  # the others share rank 2


def test_street_and_community_sheets(world, closed_2019):
    meiyuan = Street.objects.get(name="梅园新村街道")
    add_staff(meiyuan, 4, since=dt.date(2019, 1, 1))
    streets = compute_sheet(2019, "street", District.objects.get(name="玄武区"), by=world.xuanwu_staff)
    m = score_of(streets, meiyuan)
    # a street with fewer than 100 estates (unrecorded: its 5 registered ones): 3–5, 4 counted
    assert items(m) == (D("37.20"), D("20.00"), D("15.00"), D("15.00"), D("87.20")) and m.rank == 1
    communities = compute_sheet(2019, "community", meiyuan, by=world.meiyuan_clerk)
    my1, my2 = score_of(communities, world.communities["MY1"]), score_of(communities, world.communities["MY2"])
    assert items(my1) == (D("37.20"), D("20.00"), D("0.00"), D("15.00"), D("72.20"))
    assert items(my2)[0] == D("0.00") and (my1.rank, my2.rank) == (1, 2)
    assert communities.district.name == "玄武区" and communities.street == meiyuan


def test_daily_work_sign_off_and_rights(world, closed_2019):
    meiyuan = Street.objects.get(name="梅园新村街道")
    sheet = compute_sheet(2019, "community", meiyuan, by=world.meiyuan_clerk)
    my1, my2 = score_of(sheet, world.communities["MY1"]), score_of(sheet, world.communities["MY2"])
    for value in ("10.5", "abc", "3.25", "-1"):
        with pytest.raises(Refused, match="日常工作得分须为0至10之间的数，最多一位小数"):
            enter_daily(my2, value, "好", by=world.meiyuan_clerk)
    with pytest.raises(Refused, match="请填写日常工作评价"):
        enter_daily(my2, "8", " ", by=world.meiyuan_clerk)
    for user in (world.xinjiekou_clerk, world.xuanwu_staff, world.city_admin, world.auditor):
        with pytest.raises(PermissionDenied):
            enter_daily(my2, "8", "好", by=user)
    with pytest.raises(Refused, match="还有2个单位未录入日常工作"):
        sign_off(sheet, by=world.meiyuan_clerk)
    enter_daily(my2, "9.5", "台账齐全", by=world.meiyuan_clerk)
    my2.refresh_from_db()
    assert my2.total == D("44.50") and my2.daily_by == world.meiyuan_clerk  # 0 + 20 + 0 + 15 + 9.5
    enter_daily(my1, "0", "未按时报送", by=world.meiyuan_clerk)
    sign_off(sheet, by=world.meiyuan_clerk)
    sheet.refresh_from_db()
    assert sheet.signed_off_by == world.meiyuan_clerk and sheet.is_signed_off
    with pytest.raises(Refused, match="已签批"):
        compute_sheet(2019, "community", meiyuan, by=world.meiyuan_clerk)
    with pytest.raises(Refused, match="已签批"):
        enter_daily(my2, "5", "改", by=world.meiyuan_clerk)
    assert UnitScore.objects.get(pk=my2.pk).daily_score == D("9.5")


def test_recomputing_keeps_daily_work(world, closed_2019):
    sheet = compute_sheet(2019, "district", None, by=world.city_admin)
    xuanwu = District.objects.get(name="玄武区")
    enter_daily(score_of(sheet, xuanwu), "7.5", "按时报送", by=world.city_admin)
    add_staff(xuanwu, 5, since=dt.date(2019, 1, 1))
    sheet = compute_sheet(2019, "district", None, by=world.city_admin)
    x = score_of(sheet, xuanwu)
    assert (x.daily_score, x.staffing_score, x.total) == (D("7.5"), D("15.00"), D("94.70"))


def test_command_assesses_every_unit_and_export(client, world, closed_2019, django_capture_on_commit_callbacks):
    call_command("run_unit_assessment", "2019")
    assert UnitScore.objects.filter(level="district").count() == District.objects.count()
    assert UnitScore.objects.filter(level="street").count() == Street.objects.count()
    assert UnitScore.objects.filter(level="community").count() == Community.objects.count()
    assert not UnitScore.objects.filter(rank__isnull=True).exists()
    client.force_login(world.xuanwu_staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assessments:unit_assessment_export", args=[2019]))
    job = Job.objects.filter(created_by=world.xuanwu_staff).latest("id")
    assert job.status == "succeeded", job.error
    with job.output_file.open("rb") as fh:
        wb = openpyxl.load_workbook(fh)
    assert wb.sheetnames == ["街道考核", "社区考核"]  # a district does not read the city's sheet of districts
    rows = list(wb["街道考核"].iter_rows(values_only=True))
    header = rows[2]
    data = [dict(zip(header, r, strict=False)) for r in rows[3:]]
    assert {r["区"] for r in data} == {"玄武区"}
    meiyuan = next(r for r in data if r["被考核单位"] == "梅园新村街道")
    assert (meiyuan["老旧小区考核结果"], meiyuan["排名"], meiyuan["签批"]) == (37.2, 1, "未签批")


def test_sheet_pages_are_scoped(client, world, closed_2019):
    call_command("run_unit_assessment", "2019")
    xuanwu = District.objects.get(name="玄武区")
    meiyuan = Street.objects.get(name="梅园新村街道")
    sheet_url = reverse("assessments:unit_assessment_sheet", args=[2019, f"street-{xuanwu.pk}"])
    client.force_login(world.xuanwu_staff)
    html = client.get(sheet_url).content.decode()
    assert "梅园新村街道" in html and "37.20" in html and "签批" in html
    client.force_login(world.gulou_staff)
    assert client.get(sheet_url).status_code == 404
    client.force_login(world.meiyuan_clerk)
    assert client.get(reverse("assessments:unit_assessment_sheet", args=[2019, "district"])).status_code == 404
    html = client.get(reverse("assessments:unit_assessment_index")).content.decode()
    assert f"community-{meiyuan.pk}" in html


def test_coverage_reads_the_registry_of_31_december_not_todays(world, closed_2019):
    """Issue 13.5: an estate's management mode changed after 2019 was closed leaves the 2019
    community sheet as it was (15.00), re-computed or not; the sheet names the run it read."""
    from communities import services as registry

    meiyuan = Street.objects.get(name="梅园新村街道")
    sheet = compute_sheet(2019, "community", meiyuan, by=world.meiyuan_clerk)
    before = {s.community_id: (items(s), s.estates, s.estates_covered) for s in sheet.scores.all()}
    my1 = score_of(sheet, world.communities["MY1"])
    assert my1.coverage_score == D("15.00") and my1.estates_covered == my1.estates
    recorded_in(Estate.objects.get(code="SL001"), sh(2019, 2, 1, 9))
    estate = Estate.objects.get(code="SL001")
    values = {f: getattr(estate, f) for f in registry.ESTATE_FIELDS if f not in ("community", "service_firm")}
    values |= {"community": estate.community_id, "service_firm": "", "management_mode": "none"}
    registry.update_estate(estate, values, by=world.xuanwu_staff, expected_version=estate.version)
    assert Estate.objects.get(code="SL001").management_mode == "none"  # today's registry: a coverage gap
    again = compute_sheet(2019, "community", meiyuan, by=world.meiyuan_clerk)
    after = {s.community_id: (items(s), s.estates, s.estates_covered) for s in again.scores.all()}
    assert after == before
    assert score_of(again, world.communities["MY1"]).coverage_score == D("15.00")
    assert again.cycle_run.year == 2019 and again.cycle_run.is_current
