"""The sheet workflow: confirm (district, closed year) → approve (another city_admin), frozen
after; two approvals at once give exactly one; disbursements within the outstanding balance."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from assessments.errors import Refused
from core.errors import OutOfScope
from subsidies import services
from subsidies.models import AllocationSheet, Disbursement, SheetEvent

from .helpers import close_year, example_estate, fen, run_year, sheet, worked_example_inputs


def _ready(world, closed=True):
    estate = example_estate(world)
    worked_example_inputs(estate, world.meiyuan_clerk)
    run_year(2019, "city_admin")
    if closed:
        close_year(2019, world.city_admin)
    return sheet(2019, "玄武区")


@pytest.mark.django_db
def test_confirm_needs_a_closed_year_and_the_own_district(world):
    s = _ready(world, closed=False)
    with pytest.raises(Refused, match="尚未关闭"):
        services.confirm_sheet(s, by=world.xuanwu_staff)
    close_year(2019, world.city_admin)
    with pytest.raises(Refused):
        services.confirm_sheet(s, by=world.gulou_staff)
    with pytest.raises(OutOfScope):
        services.sheet_for_write(world.gulou_staff, s.pk)
    with pytest.raises(Refused):
        services.confirm_sheet(s, by=world.city_admin)  # the district's step
    s = services.confirm_sheet(s, by=world.xuanwu_staff)
    assert (s.status, s.confirmed_by) == ("confirmed", world.xuanwu_staff) and s.confirmed_at
    with pytest.raises(Refused, match="已被确认"):
        services.confirm_sheet(_stale(s), by=world.xuanwu_staff2)


def _stale(s):
    s.status = "draft"
    return s


@pytest.mark.django_db
def test_the_starter_of_the_current_run_does_not_approve(world):
    s = services.confirm_sheet(_ready(world), by=world.xuanwu_staff)
    with pytest.raises(Refused, match="另一位"):
        services.approve_sheet(s, by=world.city_admin)
    with pytest.raises(Refused):
        services.approve_sheet(s, by=world.city_finance)
    s = services.approve_sheet(s, by=world.city_admin2)
    assert (s.status, s.approved_by) == ("approved", world.city_admin2) and s.approved_at
    assert list(SheetEvent.objects.filter(sheet=s).values_list("action", flat=True)) == [
        "computed",
        "confirmed",
        "approved",
    ]
    with pytest.raises(Refused, match="已冻结"):
        services.confirm_sheet(s, by=world.xuanwu_staff)
    with pytest.raises(Refused, match="已冻结"):
        services.approve_sheet(s, by=world.city_admin2)


@pytest.mark.django_db
def test_a_run_started_by_the_system_binds_nobody(world):
    estate = example_estate(world)
    worked_example_inputs(estate, world.meiyuan_clerk)
    run_year(2019)  # the system account
    close_year(2019, world.city_admin)
    s = services.confirm_sheet(sheet(2019, "玄武区"), by=world.xuanwu_staff)
    assert services.approve_sheet(s, by=world.city_admin).status == "approved"


@pytest.mark.django_db
def test_disbursements_within_the_outstanding_balance_then_settled(world):
    s = services.confirm_sheet(_ready(world), by=world.xuanwu_staff)
    today = dt.date.today()
    s = services.approve_sheet(s, by=world.city_admin2)
    with pytest.raises(Refused, match="超过"):
        services.record_disbursement(s, by=world.city_finance, amount="29340.46", date=today, document_no="宁财2020-1")
    with pytest.raises(Refused):
        services.record_disbursement(s, by=world.city_finance, amount="abc", date=today, document_no="宁财2020-1")
    with pytest.raises(Refused):
        services.record_disbursement(s, by=world.city_finance, amount="1.001", date=today, document_no="x")
    with pytest.raises(Refused):
        services.record_disbursement(s, by=world.city_admin, amount="1", date=today, document_no="x")
    with pytest.raises(OutOfScope):
        services.record_disbursement(s, by=world.gulou_finance, amount="1", date=today, document_no="x")
    assert Disbursement.objects.count() == 0
    services.record_disbursement(s, by=world.city_finance, amount="29,340.45", date=today, document_no="宁财2020-1")
    assert services.outstanding(s, "city") == 0 and services.outstanding(s, "district") == fen("88021.35")
    services.record_disbursement(s, by=world.xuanwu_finance, amount="80000", date=today, document_no="玄财1")
    s.refresh_from_db()
    assert s.settled_at is None
    services.record_disbursement(s, by=world.xuanwu_finance, amount="8021.35", date=today, document_no="玄财2")
    s.refresh_from_db()
    assert s.settled_at is not None


@pytest.mark.django_db
def test_no_disbursement_on_a_sheet_not_approved(world):
    s = services.confirm_sheet(_ready(world), by=world.xuanwu_staff)
    with pytest.raises(Refused, match="尚未经市级审核"):
        services.record_disbursement(s, by=world.city_finance, amount="1", date=dt.date.today(), document_no="x")


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_approvals_give_exactly_one(require_postgres, django_db_serialized_rollback):
    # serialized_rollback: the flush after this test would otherwise drop the migrated units and policies
    from tests.factories import build_world

    world = build_world()
    s = services.confirm_sheet(_ready(world), by=world.xuanwu_staff)
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(user):
        try:
            mine = AllocationSheet.objects.get(pk=s.pk)  # both read it confirmed
            barrier.wait()
            services.approve_sheet(mine, by=user)
            outcomes.append("ok")
        except Refused as exc:
            outcomes.append(exc.message)
        finally:
            connection.close()

    # city_admin started the run, so use two other city admins
    from accounts.choices import Role
    from tests.factories import make_user

    a, b = make_user("city_admin3", Role.CITY_ADMIN), make_user("city_admin4", Role.CITY_ADMIN)
    threads = [threading.Thread(target=approve, args=(u,)) for u in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1, outcomes
    assert SheetEvent.objects.filter(sheet_id=s.pk, action="approved").count() == 1
    s.refresh_from_db()
    assert s.status == "approved" and s.approved_by in (a, b)


@pytest.mark.django_db
def test_the_starter_of_a_run_carried_over_by_an_appeal_does_not_approve(world):
    """Issue 13.1: city_admin A runs the year, district staff re-score an upheld appeal (a new
    current run that carries every other estate over from A's run); A still may not approve."""
    from assessments import services as assessments_services
    from assessments.cycle import execute_until_settled
    from assessments.models import AssessmentYear, CycleRun

    estate = example_estate(world)
    worked_example_inputs(estate, world.meiyuan_clerk)
    run_year(2019, "city_admin")
    assessments_services.publish_year(2019, by=world.city_admin)
    appeal = assessments_services.file_appeal(by=world.meiyuan_clerk, estate=estate, year=2019, reason="收缴率有误")
    assessments_services.decide_appeal(appeal, by=world.xuanwu_staff, uphold=True, note="核实")
    rescore = assessments_services.rescore_appeal(appeal, by=world.xuanwu_staff)
    execute_until_settled(rescore.pk)
    assert CycleRun.objects.get(year=2019, is_current=True).created_by == world.xuanwu_staff
    AssessmentYear.objects.filter(year=2019).update(appeal_deadline=dt.date(2000, 1, 1))
    assessments_services.close_year(2019, by=world.city_admin)

    s = sheet(2019, "玄武区")
    assert s.run_id == rescore.pk
    s = services.confirm_sheet(s, by=world.xuanwu_staff)
    # the page says it before A tries, and the POST is refused with the same message
    client = Client()
    client.force_login(world.city_admin)
    page = client.get(reverse("subsidies:sheet_detail", args=[s.pk])).content.decode()
    assert "其结果经申诉复核沿用至本表" in page and "申诉复核计分" in page
    response = client.post(reverse("subsidies:sheet_approve", args=[s.pk]), follow=True)
    assert response.status_code == 200 and "另一位市房产局用户审核" in response.content.decode()
    with pytest.raises(Refused, match="另一位市房产局用户审核") as exc:
        services.approve_sheet(s, by=world.city_admin)
    assert "申诉复核" in str(exc.value)
    s.refresh_from_db()
    assert s.status == "confirmed" and not SheetEvent.objects.filter(sheet=s, action="approved").exists()
    s = services.approve_sheet(s, by=world.city_admin2)
    assert (s.status, s.approved_by) == ("approved", world.city_admin2)
