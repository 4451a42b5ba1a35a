"""subsidies/demo.py moves the closed years' sheets of the districts with demo staff through
confirmation and approval and records payments; a year without a current run is left alone."""

from __future__ import annotations

import random

import pytest

from accounts.choices import Role
from communities.models import District
from subsidies import demo
from subsidies.models import AllocationSheet, Disbursement
from tests.factories import make_user

from .helpers import close_year, example_estate, run_year, sheet, worked_example_inputs

pytestmark = pytest.mark.django_db


def _demo_users():
    make_user("shi_admin", Role.CITY_ADMIN)
    make_user("shi_admin2", Role.CITY_ADMIN)
    make_user("shi_caizheng", Role.CITY_FINANCE)
    make_user("xuanwu_fang", Role.DISTRICT_STAFF, District.objects.get(name="玄武区"))
    make_user("xuanwu_caizheng", Role.DISTRICT_FINANCE, District.objects.get(name="玄武区"))


def test_demo_does_nothing_without_runs(db):
    _demo_users()
    demo.build(random.Random(1), {})
    assert not AllocationSheet.objects.exists()


def test_demo_approves_and_pays(world):
    _demo_users()
    estate = example_estate(world)
    worked_example_inputs(estate, world.meiyuan_clerk)
    run_year(2019, "shi_admin")
    run_year(2018)  # open year: left as drafts
    close_year(2019, world.city_admin)
    demo.build(random.Random(1), {})
    s = sheet(2019, "玄武区")
    assert s.status == "approved" and s.approved_by.username == "shi_admin2"
    shares = dict(Disbursement.objects.filter(sheet=s).values_list("share", "amount_fen"))
    assert shares["city"] == s.city_fen and 0 < shares["district"] < s.district_fen
    assert sheet(2019, "鼓楼区").status == "draft"  # no demo staff there in this test
    assert set(AllocationSheet.objects.filter(year=2018).values_list("status", flat=True)) == {"draft"}
