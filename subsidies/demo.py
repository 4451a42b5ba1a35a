"""扶持资金 of the demo city: after the assessments demo (which runs the cycles and closes the
years, and whose runs computed the draft sheets), the sheets of the districts that have demo
staff go through confirmation and approval, and the finance bureaus record payments, so the
finance pages have data. Robust: a year without a current run, or not closed, is left alone."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import User
from assessments.models import AssessmentYear, CycleRun
from core.history import acting_as
from core.money import split_shares

from . import services
from .choices import SheetStatus
from .models import AllocationSheet, Disbursement, SheetEvent

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _on(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI)


def _dated_steps(sheet, run, rng, paid_on: dt.date) -> None:
    """The steps of a closed year's sheet on the dates they would have had, in the months after
    the year's closing (computed in January, confirmed in February, approved in March, paid in
    April), not on the day the demo loads."""
    year, computed = run.year, run.finished_at or sheet.computed_at
    confirmed = _on(dt.date(year + 1, 2, rng.randint(10, 26)), 10)
    approved = _on(dt.date(year + 1, 3, rng.randint(5, 25)), 15)
    AllocationSheet.objects.filter(pk=sheet.pk).update(
        computed_at=computed, confirmed_at=confirmed, approved_at=approved, updated_at=approved
    )
    for action, moment in (
        ("computed", computed),
        ("recomputed", computed),
        ("confirmed", confirmed),
        ("approved", approved),
    ):
        SheetEvent.objects.filter(sheet=sheet, action=action).update(at=moment)
    settled = _on(paid_on, 16)
    SheetEvent.objects.filter(sheet=sheet, action="settled").update(at=settled)
    AllocationSheet.objects.filter(pk=sheet.pk, settled_at__isnull=False).update(settled_at=settled)
    Disbursement.objects.filter(sheet=sheet).update(created_at=settled, updated_at=settled)


DISTRICT_STAFF = {"玄武区": "xuanwu_fang", "鼓楼区": "gulou_fang", "秦淮区": "qinhuai_fang"}
DISTRICT_FINANCE = {"玄武区": "xuanwu_caizheng", "鼓楼区": "gulou_caizheng", "秦淮区": "qinhuai_caizheng"}


def _user(username):
    return User.objects.filter(username=username, is_active=True).first()


def build(rng, ctx) -> None:
    from decimal import Decimal

    city_admins = [u for u in (_user("shi_admin"), _user("shi_admin2")) if u]
    city_finance = _user("shi_caizheng")
    closed = set(AssessmentYear.objects.filter(status="closed").values_list("year", flat=True))
    runs = {r.year: r for r in CycleRun.objects.filter(is_current=True, year__in=closed)}
    if not runs or not city_admins:
        return
    latest = max(runs)
    today = timezone.localdate()
    for year in sorted(runs):
        run = runs[year]
        approver = next((u for u in city_admins if u.pk != run.created_by_id), None)
        if approver is None:
            continue
        for sheet in AllocationSheet.objects.filter(year=year, version=1, status=SheetStatus.DRAFT).select_related(
            "district"
        ):
            staff = _user(DISTRICT_STAFF.get(sheet.district.name, ""))
            if staff is None:
                continue
            with acting_as(staff):
                sheet = services.confirm_sheet(sheet, by=staff)
            with acting_as(approver):
                sheet = services.approve_sheet(sheet, by=approver)
            paid_on = min(dt.date(year + 1, 4, 15), today)
            _dated_steps(sheet, run, rng, paid_on)
            if city_finance and sheet.city_fen:
                with acting_as(city_finance):
                    services.record_disbursement(
                        sheet,
                        by=city_finance,
                        amount=sheet.city_fen,
                        date=paid_on,
                        document_no=f"宁财建〔{year + 1}〕{rng.randint(10, 99)}号",
                    )
            finance = _user(DISTRICT_FINANCE.get(sheet.district.name, ""))
            if finance and sheet.district_fen:
                # the latest year: the district has paid a first instalment only
                amount = sheet.district_fen if year < latest else split_shares(sheet.district_fen, Decimal("0.6"))[0]
                if amount:
                    with acting_as(finance):
                        services.record_disbursement(
                            sheet,
                            by=finance,
                            amount=amount,
                            date=paid_on,
                            document_no=f"{sheet.district.short_name or sheet.district.name}财〔{year + 1}〕{rng.randint(1, 9)}号",
                        )
            _dated_steps(sheet, run, rng, paid_on)
