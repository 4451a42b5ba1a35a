"""A closed year is read-only (issue 13.4 and its second "done when"): every write dated in a
closed assessment year is refused with a Chinese message and writes nothing, through the pages,
the API, the imports and the services, for every input kind; and the closed year's exports
(results, allocation workbook, unit assessment sheets) are byte for byte the same after every
kind of edit a user could try, refused or accepted (only docProps timestamps normalised)."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.http import QueryDict
from django.urls import reverse
from rest_framework.test import APIClient

from assessments import services as assessments
from assessments import unit_exports
from assessments.errors import Refused
from assessments.models import AssessmentYear, FeeRate, Inspection
from assessments.unit_assessment import compute_year
from communities import services as registry
from communities.models import Estate, Street
from core.spreadsheets.writer import XlsxWriter
from core.years import ensure_year_open, message, year_of
from disputes import services as cases
from disputes.models import (
    Department,
    DisputeCase,
    DisputeEvent,
    EnforcementReferral,
    Filing,
    RepairEvent,
    RepairRequest,
)
from staffing import services as staffing
from staffing.models import DistrictTarget, JointMeeting, MeetingTask, StaffMember
from tests.assessments.conftest import worked_example_inputs
from tests.disputes.helpers import closed_dispute, completed_repair, dispute, repair, sh
from tests.spreadsheets import xlsx
from tests.staffing.helpers import add_staff

pytestmark = pytest.mark.django_db
CLOSED = "2019年度考核已关闭"
REOPEN = "请市房产局先重新开放该年度"


@pytest.fixture
def closed_2019(world, example_estate):
    """2019 with every kind of input, run, published, closed, and its unit sheets computed."""
    worked_example_inputs(example_estate, world.meiyuan_clerk)
    closed_dispute(world, sh(2019, 3, 1, 9), sh(2019, 3, 5, 9), estate="MY101")
    closed_dispute(world, sh(2019, 6, 1, 9), sh(2019, 6, 9, 9), estate="NH101", by="ninghai_clerk")
    open_case = dispute(world, estate="MY102", at=sh(2019, 12, 20, 9))  # still open when the year closes
    completed_repair(world, sh(2019, 4, 1, 8), sh(2019, 4, 1, 12))
    open_repair = repair(world, estate="MY102", at=sh(2019, 12, 30, 8))
    open_referral = cases.create_referral(
        by=world.meiyuan_clerk,
        estate=world.estates["MY101"],
        problem="占道",
        department=Department.objects.order_by("pk").first(),
        referred_on=dt.date(2019, 11, 1),
        due_on=dt.date(2019, 12, 31),
    )
    meiyuan = Street.objects.get(name="梅园新村街道")
    add_staff(meiyuan, 4, since=dt.date(2018, 1, 1))
    add_staff(world.communities["MY1"], 1, since=dt.date(2019, 2, 1))
    staffing.create_meeting(
        {
            "title": "2019年联席会议",
            "chair": "副市长",
            "date": dt.date(2019, 5, 1),
            "attendees": "市房产局",
            "topics": "物业管理",
        },
        by=world.city_admin,
        tasks=[{"description": "督办", "owner": "玄武区", "due_date": dt.date(2019, 6, 1)}],
    )
    call_command("run_cycle", "2019")
    assessments.publish_year(2019, by=world.city_admin)
    AssessmentYear.objects.filter(year=2019).update(appeal_deadline=dt.date(2020, 1, 1))
    assessments.close_year(2019, by=world.city_admin)
    compute_year(2019, by=world.city_admin)
    return {"open_case": open_case, "open_repair": open_repair, "open_referral": open_referral, "meiyuan": meiyuan}


# --- the exports, normalised -----------------------------------------------------------------------
DOCPROPS_TIME = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def members(data: bytes) -> dict[str, bytes]:
    """The workbook's parts, the creation and modification times of docProps/core.xml blanked."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    if "docProps/core.xml" in parts:
        parts["docProps/core.xml"] = DOCPROPS_TIME.sub(rb"\1\3", parts["docProps/core.xml"])
    return parts


def exports(world, tmp_path, tag: str) -> dict[str, dict[str, bytes]]:
    out = {}
    for command in ("export_results", "export_allocations"):
        path = tmp_path / f"{command}-{tag}.xlsx"
        call_command(command, "2019", "--out", str(path))
        out[command] = members(path.read_bytes())
    workbook, buffer = XlsxWriter(), io.BytesIO()
    assert unit_exports.write(workbook, world.city_admin, QueryDict("year=2019"), lambda *a, **k: None) > 0
    workbook.save(buffer)
    out["unit_assessment"] = members(buffer.getvalue())
    return out


def inputs_fingerprint():
    """Everything a refused write could have touched."""
    models = (
        Inspection,
        FeeRate,
        DisputeCase,
        DisputeEvent,
        RepairRequest,
        RepairEvent,
        EnforcementReferral,
        Filing,
        StaffMember,
        JointMeeting,
        MeetingTask,
        DistrictTarget,
    )
    return {m.__name__: sorted(tuple(str(v) for v in row) for row in m.objects.values_list()) for m in models}


def import_refused(capsys, command: str, path, *args) -> None:
    """The command refuses the whole file and says why, row by row, in Chinese."""
    capsys.readouterr()
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command(command, str(path), *args)
    assert refused(capsys.readouterr().err)


def refused(text: str) -> bool:
    return CLOSED in text and REOPEN in text


# --- the rule itself -------------------------------------------------------------------------------
def test_the_rule_reads_dates_in_shanghai_and_names_the_way_out(world, closed_2019):
    assert year_of(sh(2020, 1, 1, 7)) == 2020 and year_of(dt.datetime(2019, 12, 31, 17, tzinfo=dt.UTC)) == 2020
    ensure_year_open(dt.date(2020, 1, 1), sh(2020, 1, 1, 0))
    with pytest.raises(ValidationError) as exc:
        ensure_year_open(dt.datetime(2019, 12, 31, 15, 59, tzinfo=dt.UTC), field="at")  # 23:59 in Nanjing
    assert exc.value.message_dict == {"at": [message(2019)]} and refused(message(2019))
    assessments.reopen_year(2019, by=world.city_admin, reason="更正")
    ensure_year_open(dt.date(2019, 6, 1))  # reopened: writable again


# --- done when: every kind of edit, the exports unchanged ------------------------------------------
def test_a_closed_year_is_byte_for_byte_the_same_after_every_kind_of_edit(client, world, closed_2019, tmp_path, capsys):
    before = exports(world, tmp_path, "before")
    frozen = inputs_fingerprint()
    clerk, ninghai, city = world.meiyuan_clerk, world.ninghai_clerk, world.city_admin
    estate, sl001 = world.estates["MY101"], Estate.objects.get(code="SL001")
    department = Department.objects.order_by("pk").first()
    api = APIClient()
    api.force_authenticate(clerk)
    pages = client
    pages.force_login(clerk)

    def nothing_written():
        assert inputs_fingerprint() == frozen

    # 检查记录 — page, import, service
    r = pages.post(
        reverse("assessments:inspection_new"),
        {
            "estate_code": "SL001",
            "date": "2019-10-01",
            "inspector_name": "张三",
            "source": "street",
            "note": "",
            "action": "submit",
            "item_cleanliness": "15",
            "item_order": "15",
            "item_greening": "10",
            "item_facilities": "10",
        },
    )
    assert r.status_code in (200, 400) and refused(r.content.decode())
    import_refused(
        capsys,
        "import_inspections",
        (
            xlsx(
                tmp_path / "i.xlsx",
                [
                    {
                        "小区编码": "SL001",
                        "检查日期": "2019-10-01",
                        "检查人": "张三",
                        "保洁": 15,
                        "秩序": 15,
                        "绿化": 10,
                        "设施": 10,
                    }
                ],
                ["小区编码", "检查日期", "检查人", "保洁", "秩序", "绿化", "设施"],
            )
        ),
    )
    nothing_written()

    # 物业费收缴率 — page, import, service
    r = pages.post(reverse("assessments:fee_rate_new"), {"estate_code": "SL001", "year": "2019", "rate": "100"})
    assert refused(r.content.decode())
    import_refused(
        capsys,
        "import_fee_rates",
        (
            xlsx(
                tmp_path / "f.xlsx",
                [{"小区编码": "SL001", "年度": 2019, "物业费收缴率(%)": 100}],
                ["小区编码", "年度", "物业费收缴率(%)"],
            )
        ),
    )
    with pytest.raises(Refused) as exc:
        assessments.set_fee_rate(by=clerk, estate=sl001, year=2019, rate="100")
    assert refused(str(exc.value.errors))
    nothing_written()

    # 矛盾纠纷 — page, API (new case and a step of a case still open), import, service
    r = pages.post(
        reverse("disputes:dispute_create"),
        {"estate": estate.pk, "service_code": "parking", "requested_datetime": "2019-12-31T23:30"},
    )
    assert r.status_code == 200 and refused(r.content.decode())
    r = api.post(
        reverse("api:dispute-list"),
        {"estate_code": "MY101", "service_code": "parking", "requested_datetime": "2019-11-01T09:00:00+08:00"},
        format="json",
    )
    assert r.status_code == 400 and refused(str(r.data))
    case = closed_2019["open_case"]
    r = api.post(
        reverse("api:dispute-step", args=[case.pk]), {"step": "start", "at": "2019-12-31T10:00:00+08:00"}, format="json"
    )
    assert r.status_code == 400 and refused(str(r.data))
    r = api.post(
        reverse("api:dispute-step", args=[case.pk]),
        {"step": "note", "note": "补记", "at": "2019-12-31T10:00:00+08:00"},
        format="json",
    )
    assert r.status_code == 400 and refused(str(r.data))
    import_refused(
        capsys,
        "import_disputes",
        (
            xlsx(
                tmp_path / "d.xlsx",
                [
                    {
                        "小区编码": "MY101",
                        "受理日期": "2019-08-01",
                        "类别": "物业费",
                        "当事人": "王小明",
                        "联系电话": "13812345678",
                        "办结日期": None,
                        "办理结果": None,
                        "受理方式": None,
                        "移交部门": None,
                    }
                ],
                ["小区编码", "受理日期", "类别", "当事人", "联系电话", "办结日期", "办理结果", "受理方式", "移交部门"],
            )
        ),
        "--as",
        "meiyuan_clerk",
    )
    nothing_written()

    # 维修 — page, API (new request and a step of an open one), import
    r = pages.post(
        reverse("disputes:repair_create"),
        {
            "estate": estate.pk,
            "service_code": "water_pipe",
            "urgency": "urgent",
            "requested_datetime": "2019-07-01T08:00",
            "channel": "phone",
        },
    )
    assert r.status_code == 200 and refused(r.content.decode())
    r = api.post(
        reverse("api:repair-list"),
        {
            "estate_code": "MY101",
            "service_code": "drain",
            "urgency": "normal",
            "requested_datetime": "2019-07-01T08:00:00+08:00",
        },
        format="json",
    )
    assert r.status_code == 400 and refused(str(r.data))
    crew = cases.save_team(
        by=city, street=closed_2019["meiyuan"], name="梅园维修二队", kind="own", phone="025-84000002"
    )
    r = api.post(
        reverse("api:repair-step", args=[closed_2019["open_repair"].pk]),
        {"step": "dispatch", "team": crew.pk, "at": "2019-12-31T09:00:00+08:00"},
        format="json",
    )
    assert r.status_code == 400 and refused(str(r.data))
    import_refused(
        capsys,
        "import_repairs",
        (
            xlsx(
                tmp_path / "r.xlsx",
                [
                    {
                        "小区编码": "MY101",
                        "报修时间": "2019-05-01 08:00",
                        "类别": "水管爆裂",
                        "紧急程度": "紧急",
                        "完成时间": None,
                    }
                ],
                ["小区编码", "报修时间", "类别", "紧急程度", "完成时间"],
            )
        ),
        "--as",
        "meiyuan_clerk",
    )
    frozen = inputs_fingerprint()  # the new repair team is not an input of 2019

    # 联合执法 — API, service steps; 备案 — service
    r = api.post(
        reverse("api:referral-list"),
        {
            "estate_code": "MY101",
            "department": department.pk,
            "problem": "违建",
            "referred_on": "2019-09-01",
            "due_on": "2019-09-30",
        },
        format="json",
    )
    assert r.status_code == 400 and refused(str(r.data))
    referral = cases.create_referral(
        by=clerk,
        estate=estate,
        department=department,
        problem="违建",
        referred_on=dt.date(2020, 1, 2),
        due_on=dt.date(2020, 2, 1),
    )
    with pytest.raises(ValidationError, match=CLOSED):
        cases.create_filing(
            by=clerk,
            estate=estate,
            kind="committee_formed",
            summary="成立",
            applicant="社区",
            submitted_on=dt.date(2019, 10, 1),
            committee=None,
        )
    frozen = inputs_fingerprint()  # a referral dated 2020 is accepted
    assert referral.pk
    with pytest.raises(ValidationError, match=CLOSED):
        cases.accept_referral(closed_2019["open_referral"], by=clerk, accepted_on=dt.date(2019, 12, 31))
    with pytest.raises(ValidationError, match=CLOSED):
        cases.answer_referral(
            closed_2019["open_referral"], by=clerk, answered_on=dt.date(2019, 12, 31), feedback="已处理"
        )
    nothing_written()

    # 人员、联席会议、督办事项、区目标 — page and services
    staff_url = reverse("staffing:unit_staff", args=["street", closed_2019["meiyuan"].pk])
    r = pages.post(staff_url, {"name": "新人", "post": "staff", "since": "2019-06-01", "full_time": "on"})
    assert r.status_code == 200 and refused(r.content.decode())
    r = pages.post(staff_url, {"name": "老人", "post": "staff", "since": "2018-03-01", "full_time": "on"})
    assert r.status_code == 200 and refused(r.content.decode())  # would be in post on 31 December 2019
    member = StaffMember.objects.filter(street=closed_2019["meiyuan"]).order_by("pk").first()
    edit = reverse("staffing:staff_edit", args=[member.pk])
    for change in ({"until": "2019-10-01"}, {"full_time": ""}, {"since": "2020-01-01"}, {"post": "deputy_director"}):
        values = {
            "name": member.name,
            "post": member.post,
            "full_time": "on",
            "since": "2018-01-01",
            "until": "",
            "phone": "",
        } | change
        r = pages.post(edit, values)
        assert r.status_code == 200 and refused(r.content.decode()), change
    with pytest.raises(ValidationError, match=CLOSED):
        staffing.create_meeting(
            {
                "title": "补记会议",
                "chair": "副市长",
                "date": dt.date(2019, 11, 1),
                "attendees": "市房产局",
                "topics": "补记",
            },
            by=city,
        )
    meeting = JointMeeting.objects.get()
    with pytest.raises(ValidationError, match=CLOSED):
        staffing.add_task(meeting, {"description": "补记", "owner": "玄武区", "due_date": dt.date(2020, 3, 1)}, by=city)
    with pytest.raises(ValidationError, match=CLOSED):
        staffing.update_task_status(meeting.tasks.get(), {"status": "done", "done_on": dt.date(2019, 5, 30)}, by=city)
    with pytest.raises(ValidationError, match=CLOSED):
        staffing.set_target(
            {
                "district": str(world.estates["MY101"].district_id),
                "year": "2019",
                "indicator": TARGET_INDICATOR,
                "target": "90",
            },
            by=city,
        )
    nothing_written()

    # re-running or re-scoring the closed year
    with pytest.raises(CommandError):
        call_command("run_cycle", "2019")

    # --- writes the platform accepts: none reaches 2019 ---------------------------------------------
    values = {f: getattr(sl001, f) for f in registry.ESTATE_FIELDS if f not in ("community", "service_firm")}
    values |= {
        "community": sl001.community_id,
        "service_firm": "",
        "management_mode": "none",
        "building_area": Decimal("50000.00"),
        "category": "unrenovated",
        "renovation_year": None,
    }
    registry.update_estate(sl001, values, by=world.xuanwu_staff, expected_version=sl001.version)  # mode, area, category
    registry.create_estate(
        {
            "code": "NEW01",
            "name": "新登记小区",
            "community": world.communities["MY1"].pk,
            "building_area": "1000",
            "category": "renovated",
            "renovation_year": 2016,
            "management_mode": "none",
        },
        by=world.xuanwu_staff,
    )  # a coverage gap, registered today
    registry.create_community({"name": "新设社区", "street": closed_2019["meiyuan"].pk}, by=world.xuanwu_staff)
    member = StaffMember.objects.filter(street=closed_2019["meiyuan"]).order_by("pk").first()
    staffing.update_staff(
        member,
        {
            "name": member.name,
            "post": member.post,
            "full_time": True,
            "since": "2018-01-01",
            "until": "2020-03-01",
            "phone": "",
        },
        by=city,
    )  # left in 2020
    cases.transition_dispute(closed_2019["open_case"], "start", by=clerk, at=sh(2020, 1, 3, 9))
    cases.transition_dispute(closed_2019["open_case"], "resolve", by=clerk, at=sh(2020, 1, 5, 9))
    cases.create_dispute(
        by=ninghai, estate=world.estates["NH101"], service_code="parking", requested_datetime=sh(2020, 1, 2, 9)
    )
    compute_year(2019, by=city)  # every unsigned sheet computed again from 2019's facts

    after = exports(world, tmp_path, "after")
    assert after.keys() == before.keys()
    for name in before:
        assert after[name] == before[name], name
    # the comparison is of the real contents (not blanked): the estate and its score are in them
    sheets = b"".join(v for k, v in before["export_results"].items() if k.startswith("xl/"))
    assert "".join(f"&#{ord(c)};" for c in "示例小区").encode() in sheets


TARGET_INDICATOR = "coverage"
