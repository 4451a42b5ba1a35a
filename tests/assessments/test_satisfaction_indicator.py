"""The optional satisfaction indicator of the scheme (效能效果：满意度分值, issue 17): points ×
the estate's satisfaction rate of the year over rated cases; 0 in the shipped scheme."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.errors import Refused
from assessments.models import EstateResult, Scheme
from assessments.scoring import load_rules, score_estate
from assessments.views import _scheme_initial
from disputes import services as cases
from disputes.effectiveness import case_counts, satisfaction_counts
from tests.disputes.helpers import closed_dispute, completed_repair, sh

from .conftest import add_fee_rate, add_inspection

pytestmark = pytest.mark.django_db

FULL_RENOVATED = {"cleanliness": 15, "order": 15, "greening": 10, "facilities": 10}
FULL_UNRENOVATED = {"cleanliness": 20, "order": 20, "greening": 10}


def _cents(value: Fraction) -> Decimal:
    """An independent rounding for the expected figures: Decimal's own ROUND_HALF_UP."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@pytest.fixture
def rated(world):
    """MY101 (renovated) in 2019: 2 disputes (1 resolved), 3 repairs (2 on time) and 4 ratings
    of them (满意, 不满意, 基本满意, 满意 → 3 of 4 satisfied); a rated repair of 2018 and one of
    another estate that must not count. MY102 (unrenovated): one repair on time, not rated."""
    clerk = world.meiyuan_clerk
    d1 = closed_dispute(world, sh(2019, 3, 1, 10), sh(2019, 3, 5, 16))  # resolved
    d2 = closed_dispute(world, sh(2019, 6, 1, 9), sh(2019, 6, 3, 9), outcome="terminate")
    r1 = completed_repair(world, sh(2019, 4, 1, 8), sh(2019, 4, 1, 20))  # on time
    completed_repair(world, sh(2019, 4, 2, 8), sh(2019, 4, 4, 8))  # 48 h for an urgent repair: late, not rated
    r3 = completed_repair(world, sh(2019, 5, 1, 8), sh(2019, 5, 1, 12))  # on time
    cases.record_dispute_satisfaction(d1, by=clerk, satisfaction="satisfied")
    cases.record_dispute_satisfaction(d2, by=clerk, satisfaction="dissatisfied")
    cases.record_repair_satisfaction(r1, by=clerk, satisfaction="fairly")
    cases.record_repair_satisfaction(r3, by=clerk, satisfaction="satisfied")
    old = completed_repair(world, sh(2018, 11, 1, 8), sh(2018, 11, 1, 12))  # reported in 2018
    cases.record_repair_satisfaction(old, by=clerk, satisfaction="dissatisfied")
    other = completed_repair(world, sh(2019, 7, 1, 8), sh(2019, 7, 1, 12), estate="MY201")
    cases.record_repair_satisfaction(other, by=clerk, satisfaction="dissatisfied")
    completed_repair(world, sh(2019, 8, 1, 8), sh(2019, 8, 1, 12), estate="MY102")  # not rated
    for code, scores in (("MY101", FULL_RENOVATED), ("MY102", FULL_UNRENOVATED)):
        add_inspection(world.estates[code], clerk, dt.date(2019, 5, 10), scores)
        add_fee_rate(world.estates[code], clerk, 2019, "95")
    return world


def _weigh_satisfaction(world, points="5"):
    """The shipped scheme with 5 points taken from the repair indicator for satisfaction."""
    scheme = Scheme.objects.get(version=1)
    return services.update_scheme(
        scheme,
        by=world.city_admin,
        fields={"repair_points": Decimal("10") - Decimal(points), "satisfaction_points": Decimal(points)},
    )


def _current(world, code):
    return EstateResult.objects.get(estate=world.estates[code], year=2019, is_current=True)


def test_the_shipped_scheme_weighs_no_satisfaction_and_reads_none(rated):
    scheme = Scheme.objects.get(version=1)
    assert scheme.satisfaction_points == Decimal("0")
    with CaptureQueriesContext(connection) as queries:
        call_command("run_cycle", "2019")
    # the cycle of a scheme without satisfaction points never reads the ratings
    assert not [q for q in queries.captured_queries if '"satisfaction"' in q["sql"]]
    # 10 × 1/2 (disputes) + 10 × 2/3 (repairs): the ratings change nothing
    assert (
        _current(rated, "MY101").effectiveness == _cents(10 * Fraction(1, 2) + 10 * Fraction(2, 3)) == Decimal("11.67")
    )
    assert _current(rated, "MY102").effectiveness == Decimal("20.00")


def test_satisfaction_counts_are_the_rated_cases_of_the_year(rated):
    found = satisfaction_counts(2019)
    my101 = found[rated.estates["MY101"].pk]
    assert (my101.rated, my101.satisfied, my101.fairly, my101.dissatisfied) == (4, 2, 1, 1)
    assert str(my101.rate) == "75.0"  # the same 满意率 as the 两站一中心 page shows
    assert rated.estates["MY102"].pk not in found  # a case no one rated counts neither way
    assert found[rated.estates["MY201"].pk].rated == 1
    assert satisfaction_counts(2018)[rated.estates["MY101"].pk].dissatisfied == 1


def test_points_above_zero_weigh_the_rate_of_rated_cases(rated):
    _weigh_satisfaction(rated)
    call_command("run_cycle", "2019")
    r = _current(rated, "MY101")
    # D 10 × 1/2 + R 5 × 2/3 + S 5 × 3/4 = 12.0833… → 12.08, rounded once
    expected = _cents(10 * Fraction(1, 2) + 5 * Fraction(2, 3) + 5 * Fraction(3, 4))
    assert r.effectiveness == expected == Decimal("12.08")
    assert (r.management, r.fee, r.size) == (Decimal("50.00"), Decimal("20.00"), Decimal("8.00"))
    assert r.total == Decimal("90.08") and r.grade == "三星"
    # no rated case: the full satisfaction points, as no dispute gives the full dispute points
    assert _current(rated, "MY102").effectiveness == Decimal("20.00")


def test_the_cycle_and_score_estate_agree(rated):
    scheme = _weigh_satisfaction(rated, points="7.5")
    call_command("run_cycle", "2019")
    rules = load_rules(scheme)
    counts, ratings = case_counts(2019), satisfaction_counts(2019)
    results = EstateResult.objects.filter(year=2019, is_current=True, assessed=True)
    assert results.count() == 2
    for r in results:
        c, s = counts[r.estate_id], ratings.get(r.estate_id)
        score = score_estate(
            rules,
            category=r.category,
            building_area=r.building_area,
            inspections=r.inspections_counted,
            inspections_total_tenths=r.inspections_total_tenths,
            fee_rate=r.fee_rate,
            disputes_received=c.disputes_received,
            disputes_resolved=c.disputes_resolved,
            repairs_reported=c.repairs_reported,
            repairs_on_time=c.repairs_on_time,
            cases_rated=s.rated if s else 0,
            cases_satisfied=s.satisfied + s.fairly if s else 0,
        )
        assert (score.management, score.effectiveness, score.fee, score.size, score.total, score.grade) == (
            r.management,
            r.effectiveness,
            r.fee,
            r.size,
            r.total,
            r.grade,
        )
    # D 10 × 1/2 + R 2.5 × 2/3 + S 7.5 × 3/4 = 12.2916… → 12.29
    assert _current(rated, "MY101").effectiveness == _cents(
        10 * Fraction(1, 2) + Fraction(5, 2) * Fraction(2, 3) + Fraction(15, 2) * Fraction(3, 4)
    )


def test_score_estate_rules():
    scheme = Scheme.objects.get(version=1)
    shipped = load_rules(scheme)
    inputs = {
        "category": "renovated",
        "building_area": Decimal("30000"),
        "inspections": 1,
        "inspections_total_tenths": 500,
        "fee_rate": Decimal("95"),
        "disputes_received": 3,
        "disputes_resolved": 1,
        "repairs_reported": 0,
    }
    # points 0: a rating never moves the score
    assert score_estate(shipped, **inputs, cases_rated=5, cases_satisfied=0) == score_estate(shipped, **inputs)
    scheme.repair_points, scheme.satisfaction_points = Decimal("4"), Decimal("6")
    weighed = load_rules(scheme)
    # 10 × 1/3 + 4 × 1 (no repair) + 6 × 2/7 = 9.0476… → 9.05
    assert score_estate(weighed, **inputs, cases_rated=7, cases_satisfied=2).effectiveness == Decimal("9.05")
    # no rated case → the full 6 points
    assert score_estate(weighed, **inputs).effectiveness == _cents(10 * Fraction(1, 3) + 4 + 6)
    # every rated case dissatisfied → 0 of the 6
    assert score_estate(weighed, **inputs, cases_rated=2, cases_satisfied=0).effectiveness == _cents(
        10 * Fraction(1, 3) + 4
    )


def test_the_total_check_counts_the_satisfaction_points(world):
    scheme = Scheme.objects.get(version=1)
    with pytest.raises(Refused) as exc:
        services.update_scheme(scheme, by=world.city_admin, fields={"satisfaction_points": Decimal("5")})
    assert (
        "合计须为100分" in exc.value.errors["management_points"]
        and "现为105分" in exc.value.errors["management_points"]
    )
    with pytest.raises(Refused) as exc:
        services.update_scheme(
            scheme,
            by=world.city_admin,
            fields={"repair_points": Decimal("15"), "satisfaction_points": Decimal("-5")},
        )
    assert exc.value.errors["satisfaction_points"] == "分值不能为负数。"
    scheme.refresh_from_db()
    assert (scheme.repair_points, scheme.satisfaction_points) == (Decimal("10.00"), Decimal("0.00"))
    # a new version carries the points over
    scheme = services.update_scheme(
        scheme, by=world.city_admin, fields={"repair_points": Decimal("6"), "satisfaction_points": Decimal("4")}
    )
    new = services.new_scheme_version(scheme, by=world.city_admin, valid_from_year=2021)
    assert new.satisfaction_points == Decimal("4.00")


def _post(client, scheme, **changes):
    data = {k: "" if v is None else v for k, v in _scheme_initial(scheme).items()}
    data.update(changes)
    return client.post(reverse("assessments:scheme_detail", args=[scheme.pk]), data)


def test_the_scheme_page_shows_and_saves_the_field(client, world):
    scheme = Scheme.objects.get(version=1)
    client.force_login(world.city_admin)
    page = client.get(reverse("assessments:scheme_detail", args=[scheme.pk])).content.decode()
    assert "效能效果：满意度分值" in page and 'name="satisfaction_points"' in page
    assert "效能效果：满意度（已评价案件满意率）" in page and "（不计）" in page

    refused = _post(client, scheme, satisfaction_points="5")  # 105 in all
    assert refused.status_code == 400 and "各指标满分合计须为100分" in refused.content.decode()
    negative = _post(client, scheme, repair_points="15", satisfaction_points="-5")
    assert negative.status_code == 400 and "分值不能为负数。" in negative.content.decode()
    scheme.refresh_from_db()
    assert scheme.satisfaction_points == Decimal("0.00")

    saved = _post(client, scheme, repair_points="7", satisfaction_points="3")
    assert saved.status_code == 302
    scheme.refresh_from_db()
    assert (scheme.repair_points, scheme.satisfaction_points) == (Decimal("7.00"), Decimal("3.00"))
    assert scheme.history.first().satisfaction_points == Decimal("3.00")
    # other users see the points on the page, without the form
    client.force_login(world.xuanwu_staff)
    page = client.get(reverse("assessments:scheme_detail", args=[scheme.pk])).content.decode()
    assert "效能效果：满意度（已评价案件满意率）" in page and 'name="satisfaction_points"' not in page


def test_satisfaction_counts_take_two_queries_for_any_range(rated, django_assert_num_queries):
    my101, my201 = rated.estates["MY101"].pk, rated.estates["MY201"].pk
    with django_assert_num_queries(2):
        only = satisfaction_counts(2019, my101, my101)
    assert set(only) == {my101}
    with django_assert_num_queries(2):
        assert {my101, my201} <= set(satisfaction_counts(2019))


def test_weighing_satisfaction_adds_two_grouped_queries_to_the_cycle(rated):
    def cycle_queries():
        with CaptureQueriesContext(connection) as queries:
            call_command("run_cycle", "2019")
        return len(queries.captured_queries)

    cycle_queries()  # a first run: the later ones each supersede one
    shipped = cycle_queries()
    _weigh_satisfaction(rated)
    assert cycle_queries() == shipped + 2  # one chunk: the rated disputes and the rated repairs
