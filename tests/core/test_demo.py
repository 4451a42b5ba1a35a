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
    assert EstateResult.objects.filter(year=2019, is_current=True, repairs_on_time__lt=models.F("repairs_reported")).exists()

    # Issue 7, done when: the city dashboard of the demo data renders every chart with data
    # (in a browser, offline: tests/e2e/test_dashboard.py).
    from django.urls import reverse

    from accounts.models import User
    from tests.core.test_dashboards import CHART_KEYS, chart_data

    client.force_login(User.objects.get(username="shi_admin"))
    data = chart_data(client.get(reverse("core:home")).content.decode())
    assert set(data) == set(CHART_KEYS)
    for key, spec in data.items():
        assert spec["categories"] and any(v for s in spec["series"] for v in s["data"]), key
