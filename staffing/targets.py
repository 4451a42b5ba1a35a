"""Progress of the district targets (区级目标完成情况), computed from the data of the year.

- 管理覆盖率: the district's estates without a coverage gap (communities.coverage) ÷ its estates, today;
- 物业费收缴率: the mean of the fee rates reported for the year (assessments.FeeRate);
- 星级小区占比: estates with a star ÷ estates assessed, from the year's current roll-up;
- 人员配备达标单位占比: the district authority, its streets and communities meeting their norm, today."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Count, Sum
from django.utils import timezone

from .choices import TargetIndicator, UnitLevel

HUNDREDTH = Decimal("0.01")


def percent(part: int | Fraction, whole: int) -> Decimal | None:
    if not whole:
        return None
    value = Fraction(part) * 100 / whole
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


@dataclass
class TargetRow:
    target: object
    actual: Decimal | None

    @property
    def met(self) -> bool | None:
        return None if self.actual is None else self.actual >= self.target.target

    @property
    def gap(self) -> Decimal | None:
        return None if self.actual is None else max(self.target.target - self.actual, Decimal("0.00"))


def actual(indicator: str, district_id: int, year: int) -> Decimal | None:
    from assessments.models import FeeRate, UnitResult
    from communities.coverage import gap_counts_for
    from communities.models import Community, District, Street

    if indicator == TargetIndicator.COVERAGE:
        estates, gaps = gap_counts_for(district_id=district_id)
        return percent(estates - gaps, estates)
    if indicator == TargetIndicator.FEE_COLLECTION:
        row = FeeRate.objects.filter(district_id=district_id, year=year).aggregate(total=Sum("rate"), n=Count("id"))
        if not row["n"]:
            return None
        return percent(Fraction(row["total"]) / 100, row["n"])
    if indicator == TargetIndicator.STAR_SHARE:
        result = UnitResult.objects.filter(
            year=year, is_current=True, level="district", district_id=district_id
        ).first()
        if result is None:
            return None
        return percent(result.three_star + result.two_star + result.one_star, result.assessed)
    if indicator == TargetIndicator.STAFFING:
        from .compliance import unit_rows

        today = timezone.localdate()
        rows = list(unit_rows(today, UnitLevel.DISTRICT, District.objects.filter(pk=district_id)).values())
        rows += unit_rows(today, UnitLevel.STREET, Street.objects.filter(district_id=district_id)).values()
        rows += unit_rows(today, UnitLevel.COMMUNITY, Community.objects.filter(district_id=district_id)).values()
        return percent(sum(1 for r in rows if r.meets_norm), len(rows))
    return None


def progress_rows(targets, year: int) -> list[TargetRow]:
    return [TargetRow(t, actual(t.indicator, t.district_id, year)) for t in targets]
