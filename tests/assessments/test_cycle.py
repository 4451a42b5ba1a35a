from decimal import Decimal

import pytest
from django.core.management import call_command

from assessments.models import CycleRun, EstateResult, UnitResult

from .conftest import worked_example_inputs

pytestmark = pytest.mark.django_db


def current(estate, year=2019):
    return EstateResult.objects.get(estate=estate, year=year, is_current=True)


def test_worked_example_scores_exactly(world, example_estate, capsys):
    worked_example_inputs(example_estate, world.meiyuan_clerk)
    call_command("run_cycle", "2019")
    out = capsys.readouterr().out
    assert "已完成" in out
    r = current(example_estate)
    assert (r.management, r.effectiveness, r.fee, r.size, r.total, r.grade) == (
        Decimal("45.00"),
        Decimal("20.00"),
        Decimal("20.00"),
        Decimal("8.00"),
        Decimal("93.00"),
        "三星",
    )
    assert (r.category, r.building_area, r.scheme_version, r.inspections_counted, r.fee_rate) == (
        "renovated",
        Decimal("32600.50"),
        1,
        2,
        Decimal("92.00"),
    )
    # every other estate of the world has no inspection: not assessed
    others = EstateResult.objects.filter(year=2019, is_current=True).exclude(estate=example_estate)
    assert others.count() == 12 and set(others.values_list("grade", flat=True)) == {"未参加考核"}
    assert set(others.values_list("total", flat=True)) == {None}


def test_second_run_supersedes_and_gives_same_rows(world, example_estate):
    worked_example_inputs(example_estate, world.meiyuan_clerk)
    call_command("run_cycle", "2019")
    call_command("run_cycle", "2019")
    first, second = CycleRun.objects.order_by("pk")
    assert not first.is_current and first.superseded_at and second.is_current
    fields = [f.name for f in EstateResult._meta.fields if f.name not in ("id", "run", "is_current")]
    rows = lambda run: sorted(EstateResult.objects.filter(run=run).values_list(*fields))  # noqa: E731
    assert rows(first) == rows(second)
    assert EstateResult.objects.filter(year=2019, is_current=True).count() == 13
    unit_fields = [f.name for f in UnitResult._meta.fields if f.name not in ("id", "run", "is_current")]
    urows = lambda run: sorted(UnitResult.objects.filter(run=run).values_list(*unit_fields))  # noqa: E731
    assert urows(first) == urows(second)
