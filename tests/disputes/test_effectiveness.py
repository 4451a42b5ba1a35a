"""case_counts: what the yearly cycle reads for 效能效果 (policy-defaults.md §2)."""

from __future__ import annotations

import pytest

from disputes import services
from disputes.effectiveness import CaseCounts, case_counts
from disputes.models import TimeLimit
from tests.disputes.helpers import closed_dispute, completed_repair, dispute, repair, sh


@pytest.fixture
def known(world):
    """Estate MY101 with known cases around 2019; MY102 with one case; MY201 none."""
    clerk = world.meiyuan_clerk
    # disputes
    closed_dispute(world, sh(2019, 3, 1, 10), sh(2019, 3, 5, 16))  # resolved in 2019
    closed_dispute(world, sh(2019, 12, 31, 16), sh(2020, 1, 5, 9))  # received 31 Dec, closed 5 Jan
    closed_dispute(world, sh(2019, 12, 31, 9), sh(2019, 12, 31, 23, 59))  # resolved at the last minute
    closed_dispute(world, sh(2019, 6, 1, 9), sh(2019, 6, 3, 9), outcome="terminate")
    closed_dispute(world, sh(2019, 5, 1, 9), sh(2019, 5, 2, 9), outcome="terminate")
    services.transition_dispute(dispute(world, at=sh(2019, 7, 1, 9)), "start", by=clerk, at=sh(2019, 7, 2, 9))  # open
    closed_dispute(world, sh(2018, 12, 31, 23, 59), sh(2019, 1, 2, 9))  # received in 2018
    dispute(world, at=sh(2020, 1, 1, 0, 0))  # received in 2020
    # repairs (紧急 24 h, 一般 72 h)
    completed_repair(world, sh(2019, 4, 1, 8), sh(2019, 4, 2, 8))  # exactly 24 h: on time
    completed_repair(world, sh(2019, 4, 1, 8), sh(2019, 4, 2, 8, 1))  # 24 h 1 min: late
    completed_repair(world, sh(2019, 12, 31, 20), sh(2020, 1, 3, 20), urgency="normal")  # 72 h, next year: on time
    repair(world, at=sh(2019, 10, 1, 9))  # open: late
    repair(world, at=sh(2020, 1, 1, 0, 0))  # 2020
    completed_repair(world, sh(2018, 12, 31, 23), sh(2019, 1, 1, 1))  # 2018
    # another estate of the street
    completed_repair(world, sh(2019, 8, 1, 8), sh(2019, 8, 1, 12), estate="MY102")
    return world


def test_counts_of_an_estate_with_known_cases(known):
    counts = case_counts(2019)
    my101 = known.estates["MY101"].pk
    assert counts[my101] == CaseCounts(disputes_received=6, disputes_resolved=2, repairs_reported=4, repairs_on_time=2)
    assert counts[known.estates["MY102"].pk] == CaseCounts(repairs_reported=1, repairs_on_time=1)
    assert known.estates["MY201"].pk not in counts


def test_year_boundaries(known):
    my101 = known.estates["MY101"].pk
    # The dispute received 31 Dec 2018 23:59 belongs to 2018, and mediated on 2 Jan it is not
    # resolved in 2018; the repair of 31 Dec 2018 23:00, done at 01:00, is 2018 and on time.
    assert case_counts(2018)[my101] == CaseCounts(
        disputes_received=1, disputes_resolved=0, repairs_reported=1, repairs_on_time=1
    )
    # 1 January 2020 00:00 is 2020: one dispute and one repair, both open.
    assert case_counts(2020)[my101] == CaseCounts(
        disputes_received=1, disputes_resolved=0, repairs_reported=1, repairs_on_time=0
    )


def test_server_time_zone_does_not_move_the_year(known, settings):
    """Year boundaries are Shanghai midnight whatever TIME_ZONE says (policy-defaults.md §2)."""
    settings.TIME_ZONE = "UTC"
    my101 = known.estates["MY101"].pk
    assert case_counts(2019)[my101].disputes_received == 6
    assert case_counts(2018)[my101].disputes_received == 1


def test_estate_id_range_and_constant_queries(known, django_assert_num_queries):
    my101, my102 = known.estates["MY101"].pk, known.estates["MY102"].pk
    with django_assert_num_queries(2):
        only_102 = case_counts(2019, my102, my102)
    assert set(only_102) == {my102}
    assert set(case_counts(2019, None, my101)) == {my101}
    assert set(case_counts(2019, min(my101, my102), max(my101, my102))) == {my101, my102}
    assert case_counts(2017) == {}


def test_category_limit_overrides_the_urgency_default(world):
    """A category may set its own limit per urgency: 电梯故障 紧急 12 h."""
    TimeLimit.objects.create(case_type="repair", category="lift", urgency="urgent", hours=12, source="测试")
    lift = completed_repair(world, sh(2019, 5, 1, 8), sh(2019, 5, 1, 21), urgency="urgent")  # water pipe: 13 h fine
    assert lift.limit_hours == 24
    late = repair(world, at=sh(2019, 5, 2, 8), category="lift")
    assert late.limit_hours == 12 and late.expected_datetime == sh(2019, 5, 2, 20)
    normal_lift = repair(world, at=sh(2019, 5, 2, 8), category="lift", urgency="normal")
    assert normal_lift.limit_hours == 72


def test_limit_in_force_on_the_day_received(world):
    import datetime as dt

    TimeLimit.objects.filter(case_type="dispute").update(valid_to=dt.date(2020, 12, 31))
    TimeLimit.objects.create(case_type="dispute", hours=240, valid_from=dt.date(2021, 1, 1), source="测试")
    assert dispute(world, at=sh(2020, 12, 31, 23, 59)).limit_hours == 360
    assert dispute(world, at=sh(2021, 1, 1, 0, 0)).limit_hours == 240
