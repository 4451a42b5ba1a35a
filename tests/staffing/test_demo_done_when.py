"""The issue's done-when on the demo city: the compliance report per district and street with its
gaps and its .xlsx; the coverage report lists exactly the estates that break clause 八's rules."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from communities.coverage import findings
from communities.models import District, Estate, ServiceContract, Street
from core.models import Job
from staffing.compliance import compliance_report
from staffing.services import overdue_tasks

pytestmark = pytest.mark.django_db


def test_done_when_on_the_demo_city(client, db, django_capture_on_commit_callbacks):
    """One demo city (load_demo takes a while), three checks."""
    call_command("load_demo")
    demo = User.objects.get(username="shi_admin")
    check_compliance_report(client, demo, django_capture_on_commit_callbacks)
    client.logout()
    check_coverage_report(client, demo)
    check_unit_assessment(demo)


def check_compliance_report(client, demo, django_capture_on_commit_callbacks):
    report = compliance_report(demo)
    districts, streets = report.by_level("district"), report.by_level("street")
    assert len(districts) == District.objects.count() and len(streets) == Street.objects.count()
    assert any(r.gap for r in districts) and any(r.gap for r in streets) and any(r.excess for r in streets)
    assert any(r.deputy is False for r in streets) and any(r.estate_count >= 100 for r in streets)
    page = client.get(reverse("staffing:compliance"))  # anonymous: to the login page
    assert page.status_code == 302
    client.force_login(demo)
    html = client.get(reverse("staffing:compliance")).content.decode()
    first_gap = next(r for r in streets if r.gap)
    assert first_gap.unit.name in html and f"缺编{first_gap.gap}人" in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staffing:export", args=["staffing_compliance"]), {"query": ""})
    job = Job.objects.filter(created_by=demo).latest("id")
    assert job.status == "succeeded", job.error
    with job.output_file.open("rb") as fh:
        wb = openpyxl.load_workbook(fh)
    rows = list(wb["明细"].iter_rows(values_only=True))
    data = [dict(zip(rows[2], r, strict=False)) for r in rows[3:]]
    exported = {
        (r["层级"], r["单位"]): (r["最少人数"], r["计入人数（专职）"], r["缺编人数"], r["超出人数"]) for r in data
    }
    assert exported == {
        (r.level_label, r.unit.name): (r.minimum, r.counted, r.gap, r.excess) for r in districts + streets
    }


def breaks_rules(estate, contracts, today) -> bool:
    """Clause 八 as spec/domain.md states it, written independently of communities.coverage."""
    renovated = estate.category in ("renovated", "affordable")
    mode = estate.management_mode
    active = [c for c in contracts if c.start_date <= today <= (c.terminated_on or c.end_date) and today <= c.end_date]
    parties = {c.entrusted_by for c in active}
    if renovated and mode in ("basic_service", "none"):
        return True
    if not renovated and mode == "none":
        return True
    if not renovated and mode == "market":
        return True
    if mode == "public_welfare" and (not parties & {"district", "street"} or "owners" in parties):
        return True
    if mode == "market" and (parties != {"owners"}):
        return True
    if mode in ("self_managed", "none") and parties:
        return True
    if mode == "basic_service" and "owners" in parties:
        return True
    return any(min(c.end_date, c.terminated_on or c.end_date) <= today + dt.timedelta(days=90) for c in active)


def check_coverage_report(client, demo):
    today = dt.date.today()
    by_estate: dict = {}
    for c in ServiceContract.objects.all():
        by_estate.setdefault(c.estate_id, []).append(c)
    expected = {e.code for e in Estate.objects.all() if breaks_rules(e, by_estate.get(e.pk, []), today)}
    found = {f.estate.code for f in findings(Estate.objects.all())}
    assert found == expected and len(found) > 50
    client.force_login(demo)
    page = client.get(reverse("staffing:coverage"))
    assert page.context["found_count"] == len(expected)
    assert overdue_tasks(demo).exists()  # the demo's meetings have tasks past their due date


def check_unit_assessment(demo):
    """The demo city's closed year 2019 (assessments/demo.py), then 三级考核: every district, street
    and community has its items, a total and a rank."""
    from decimal import Decimal

    from assessments.models import AssessmentYear
    from assessments.unit_models import UnitScore
    from communities.models import Community

    year = 2019
    assert AssessmentYear.objects.get(year=year).status == "closed"
    call_command("run_unit_assessment", str(year))
    for level, units in (
        ("district", District.objects.count()),
        ("street", Street.objects.count()),
        ("community", Community.objects.count()),
    ):
        scores = UnitScore.objects.filter(year=year, level=level)
        assert scores.count() == units
        assert not scores.filter(rank__isnull=True).exists() and scores.filter(rank=1).exists()
        for s in scores:
            assert s.total == s.estate_score + s.dispute_score + s.staffing_score + s.coverage_score
            assert Decimal("0") <= s.staffing_score <= Decimal("15") and Decimal("0") <= s.coverage_score <= Decimal(
                "15"
            )
            assert s.estate_score == (
                Decimal("0.00") if s.mean_score is None else (s.mean_score * 40 / 100).quantize(Decimal("0.01"))
            )
    # the assessed estates of the demo give the main districts an estate item, and their cases a dispute item
    main = UnitScore.objects.filter(year=year, level="district", district__is_main_urban=True)
    assert all(s.estate_score > 0 for s in main)
    assert UnitScore.objects.filter(year=year, dispute_score__lt=Decimal("20")).exists()
