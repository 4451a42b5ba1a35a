"""Helpers for the dashboard tests: inputs for a year's cycle, and cases, in a test world."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

FULL_SCORES = {
    "renovated": {"cleanliness": 14, "order": 13, "greening": 9, "facilities": 8},
    "unrenovated": {"cleanliness": 18, "order": 17, "greening": 10},
}


def scores_for(estate) -> dict:
    from assessments.models import ChecklistItem, Scheme

    scheme = Scheme.objects.for_year(2019)
    items = ChecklistItem.objects.filter(scheme=scheme, category=estate.category)
    return {i.code: int(i.max_points) - 2 for i in items}


def assessed_year(world, year: int = 2019, estates=None):
    """An inspection of each estate (approved) and a run of the cycle: current results."""
    from assessments import cycle
    from assessments.models import Inspection

    for estate in estates or world.estates.values():
        scores = scores_for(estate)
        Inspection(
            estate=estate,
            date=dt.date(year, 5, 1),
            inspector_name="检查员",
            status="approved",
            scores={k: str(v) for k, v in scores.items()},
            total_tenths=sum(scores.values()) * 10,
            created_by=world.city_admin,
        ).save()
    return cycle.run_in_process(year, by=world.city_admin)


def overdue_repair(world, code: str):
    from disputes import services

    return services.create_repair(
        by=world.city_admin,
        estate=world.estates[code],
        service_code="water_pipe",
        urgency="urgent",
        requested_datetime=timezone.now() - dt.timedelta(hours=30),
    )
