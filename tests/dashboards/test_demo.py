"""load_demo builds a city big enough to show the product, with a login for every role."""

import pytest
from django.core.management import call_command
from django.db import models

from accounts.choices import Role
from accounts.models import User
from communities.models import Estate

pytestmark = pytest.mark.django_db


def test_load_demo_builds_the_city_once(capsys):
    call_command("load_demo")
    assert Estate.objects.count() >= 2000
    roles = set(User.objects.filter(is_system=False).values_list("role", flat=True))
    assert roles == set(Role.values)
    assert User.objects.filter(role=Role.CITY_ADMIN, is_system=False).count() >= 2
    admin = User.objects.get(username="shi_admin")
    assert admin.check_password("Nanjing@2017")
    count = Estate.objects.count()
    call_command("load_demo")
    assert Estate.objects.count() == count
    assert "跳过" in capsys.readouterr().out


def test_load_demo_gives_the_dashboards_their_data(client):
    """Three years run through the real cycle (2018 and 2019 closed, 2020 open), inspections
    in every state, appeals, and cases of which some are open past their limit."""
    from django.utils import timezone

    from assessments.models import Appeal, AssessmentYear, CycleRun, EstateResult, FeeRate, Inspection
    from disputes.models import DisputeCase, EnforcementReferral, RepairRequest
    from disputes.stats import overdue

    call_command("load_demo")
    assert dict(AssessmentYear.objects.values_list("year", "status")) == {2018: "closed", 2019: "closed", 2020: "open"}
    current = {run.year: run for run in CycleRun.objects.filter(is_current=True)}
    assert set(current) == {2018, 2019, 2020}
    assert all(run.status == "succeeded" for run in current.values())
    assert current[2019].kind == "appeal"  # the upheld appeal was re-scored
    for year in (2018, 2019, 2020):
        grades = set(EstateResult.objects.filter(year=year, is_current=True).values_list("grade", flat=True))
        assert {"三星", "二星", "一星", "不达标", "未参加考核"} <= grades
        assert FeeRate.objects.filter(year=year).exists()
    statuses = set(Inspection.objects.filter(year=2020).values_list("status", flat=True))
    assert {"approved", "rejected", "submitted", "draft"} <= statuses
    assert set(Appeal.objects.values_list("status", flat=True)) == {"upheld", "rejected"}
    now = timezone.now()
    assert overdue(RepairRequest.objects.all(), now).exists() and overdue(DisputeCase.objects.all(), now).exists()
    assert RepairRequest.objects.filter(completed_datetime__gt=models.F("expected_datetime")).exists()
    assert EnforcementReferral.objects.exists()
    # Effectiveness read the cases: some estate lost points for late repairs.
    assert EstateResult.objects.filter(
        year=2019, is_current=True, repairs_on_time__lt=models.F("repairs_reported")
    ).exists()

    # Issue 7, done when: the city dashboard of the demo data renders every chart with data
    # (in a browser, offline: tests/e2e/test_dashboard.py).
    from django.urls import reverse

    from accounts.models import User
    from tests.dashboards.test_dashboards import CHART_KEYS, chart_data

    client.force_login(User.objects.get(username="shi_admin"))
    data = chart_data(client.get(reverse("dashboards:home") + "?view=dashboard").content.decode())
    assert set(data) == set(CHART_KEYS)
    for key, spec in data.items():
        assert spec["categories"] and any(v for s in spec["series"] for v in s["data"]), key

    believable_to_a_nanjing_official()


# Generous boxes (latitude, longitude) around each district, drawn independently of the demo's
# own table: an estate of 玄武区 must not lie in 溧水 (31.6 N 119.0 E).
DISTRICT_BOXES = {
    "玄武区": ((32.02, 32.11), (118.77, 118.89)),
    "秦淮区": ((31.97, 32.05), (118.75, 118.85)),
    "建邺区": ((31.94, 32.06), (118.67, 118.77)),
    "鼓楼区": ((32.03, 32.13), (118.71, 118.80)),
    "浦口区": ((31.90, 32.20), (118.45, 118.75)),
    "栖霞区": ((32.05, 32.25), (118.80, 119.10)),
    "雨花台区": ((31.90, 32.01), (118.68, 118.82)),
    "江宁区": ((31.65, 32.00), (118.60, 119.10)),
    "六合区": ((32.20, 32.55), (118.60, 119.05)),
    "溧水区": ((31.45, 31.80), (118.85, 119.25)),
    "高淳区": ((31.20, 31.45), (118.75, 119.25)),
    "江北新区": ((32.05, 32.30), (118.55, 118.90)),
}
# What each repair category is about, in words a resident would use.
REPAIR_WORDS = {
    "water_pipe": ("水",),
    "drain": ("堵", "返水", "满溢", "下水"),
    "power": ("电", "灯"),
    "roof": ("渗", "漏"),
    "lift": ("电梯",),
}


def believable_to_a_nanjing_official():
    """Issue 15.8: descriptions follow their category, estates lie in their district, communities
    are named after their own street, and a closed year's sheet steps fall in the months after
    the year, not on the day the demo was loaded."""
    import datetime as dt

    from django.utils import timezone

    from assessments.models import AssessmentYear
    from communities.models import Community, Estate
    from disputes.models import RepairRequest
    from subsidies.models import AllocationSheet

    for category, description in RepairRequest.objects.values_list("service_code", "description").distinct():
        words = REPAIR_WORDS.get(category)
        if words:
            assert any(w in description for w in words), (category, description)
        if category != "lift":
            assert "电梯" not in description, (category, description)

    for district, lat, lng in Estate.objects.values_list("district__name", "latitude", "longitude"):
        (lat_low, lat_high), (lng_low, lng_high) = DISTRICT_BOXES[district]
        assert lat_low <= float(lat) <= lat_high and lng_low <= float(lng) <= lng_high, (district, lat, lng)

    for name, street_short, street_name in Community.objects.values_list("name", "street__short_name", "street__name"):
        base = street_short or street_name.removesuffix("街道").removesuffix("镇")
        assert name.startswith(base), (name, street_name)
    assert Community.objects.values("name").distinct().count() == Community.objects.count()

    today = timezone.localdate()
    closed = dict(AssessmentYear.objects.filter(status="closed").values_list("year", "closed_at"))
    sheets = AllocationSheet.objects.filter(year__in=closed, approved_at__isnull=False)
    assert sheets.exists()
    for sheet in sheets:
        for moment in (sheet.confirmed_at, sheet.approved_at):
            day = timezone.localdate(moment)
            assert closed[sheet.year] <= moment and day.year == sheet.year + 1 and day < today, (sheet, moment)
        assert sheet.confirmed_at < sheet.approved_at
        assert timezone.localdate(sheet.computed_at) < dt.date(sheet.year + 1, 12, 31)
