"""The demo city's third-party evaluation (issue 19, "Done when"): the deviation report flags the
streets the demo makes lenient, and its figures equal an independent computation from the
inspection rows (means in Decimal, p by integrating Student's t density numerically)."""

import math
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command

from accounts.models import User
from assessments.demo import LENIENT_STREETS
from assessments.models import Inspection
from assessments.third_party import deviation_report, draw_sample, engaged_estates
from assessments.third_party_models import Engagement
from communities.models import Estate

pytestmark = pytest.mark.django_db


def t_tail_by_integration(t: float, df: int) -> float:
    """P(T > t) = 1/2 − ∫₀ᵗ f(x) dx, Simpson's rule over 4000 intervals."""
    c = math.gamma((df + 1) / 2) / (math.sqrt(df * math.pi) * math.gamma(df / 2))
    f = lambda x: c * (1 + x * x / df) ** (-(df + 1) / 2)  # noqa: E731
    n, h = 4000, t / 4000
    s = f(0) + f(t) + sum((4 if i % 2 else 2) * f(i * h) for i in range(1, n))
    return 0.5 - s * h / 3


def independent(year: int) -> dict:
    sums = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    street_of = {}
    for estate_id, street, source, tenths in Inspection.objects.filter(
        year=year, status="approved", source__in=["street", "third_party"]
    ).values_list("estate_id", "street__name", "source", "total_tenths"):
        sums[estate_id][source][0] += tenths
        sums[estate_id][source][1] += 1
        street_of[estate_id] = street
    pairs = defaultdict(list)
    for estate_id, by in sums.items():
        if "street" in by and "third_party" in by:
            means = {k: Decimal(total) / count / 10 for k, (total, count) in by.items()}
            pairs[street_of[estate_id]].append((means["street"], means["third_party"]))
    out = {}
    for street, rows in pairs.items():
        n = len(rows)
        d = [s - t for s, t in rows]
        q = lambda v: v.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)  # noqa: E731
        p = None
        if n >= 2:
            mean = sum(float(x) for x in d) / n
            sd = math.sqrt(sum((float(x) - mean) ** 2 for x in d) / (n - 1))
            if sd > 0:
                p = t_tail_by_integration(mean / (sd / math.sqrt(n)), n - 1)
        out[street] = (
            n,
            q(sum(s for s, _ in rows) / n),
            q(sum(t for _, t in rows) / n),
            q(sum(d) / n),
            sum(1 for x in d if x > 10),
            p,
        )
    return out


def test_demo_deviation_report_flags_the_lenient_streets():
    call_command("load_demo")
    for year in (2019, 2020):
        rows = deviation_report(year)
        expected = independent(year)
        assert {r.street_name for r in rows} == set(expected)
        for r in rows:
            n, street, third, diff, high, p = expected[r.street_name]
            assert (r.compared, r.street_mean, r.third_party_mean, r.mean_difference, r.high_estates) == (
                n,
                street,
                third,
                diff,
                high,
            ), (year, r.street_name)
            if p is not None:
                assert r.p == pytest.approx(p, abs=1e-6), (year, r.street_name)
        flagged = {r.street_name for r in rows if r.flagged}
        assert set(LENIENT_STREETS) <= flagged, (year, flagged)

    # the demo evaluator sees exactly its engagements' samples, drawn again from their seeds
    pinggu = User.objects.get(username="pinggu")
    sampled = set()
    for engagement in Engagement.objects.all():
        ids = sorted(engagement.sample.values_list("estate_id", flat=True))
        districts = list(engagement.districts.values_list("pk", flat=True))
        assert draw_sample(engagement.seed, engagement.sample_percent, engaged_estates(districts)) == ids
        sampled |= set(ids)
    assert set(Estate.objects.visible_to(pinggu).values_list("id", flat=True)) == sampled
