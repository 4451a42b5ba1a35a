"""Writing computed lines into a district's sheet: draft or adjustment version, rows, totals."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from django.db import connection
from django.db.models import Max
from django.utils import timezone

from ..choices import PolicyKind, SheetKind, SheetStatus
from ..models import Allocation, AllocationSheet, SheetEvent
from .lines import ZERO_AREA, Line


def approved_state(year: int, district_id: int) -> dict[tuple, Allocation]:
    """(estate, kind) → the approved row in force: the original's, overridden by each approved
    adjustment in turn (adjustment rows carry the corrected amounts, not only the difference)."""
    state = {}
    sheets = AllocationSheet.objects.filter(year=year, district_id=district_id, status=SheetStatus.APPROVED).order_by(
        "version"
    )
    for sheet in sheets:
        for row in sheet.rows.all():
            state[(row.estate_id, row.kind)] = row
    return state


def _recompute_district(year, district_id, lines, run, by) -> str:
    latest = (
        AllocationSheet.objects.select_for_update()
        .filter(year=year, district_id=district_id)
        .order_by("-version")
        .first()
    )
    now = timezone.now()
    if latest is None or (latest.kind == SheetKind.ORIGINAL and latest.status != SheetStatus.APPROVED):
        sheet = latest or AllocationSheet(year=year, district_id=district_id, version=1)
        _reset(sheet, run, now)
        sheet.save()
        Allocation.objects.filter(sheet=sheet)._raw_delete(Allocation.objects.db)
        _write_rows(sheet, lines)
        SheetEvent.objects.create(
            sheet=sheet, action="recomputed" if latest else "computed", by=by, note=_run_note(run)
        )
        return "drafts"
    # The district's sheet was approved: differences go into an adjustment version.
    state = approved_state(year, district_id)
    diffs = _differences(lines, state)
    if latest.status == SheetStatus.APPROVED:
        if not diffs:
            return "unchanged"
        last = AllocationSheet.objects.filter(year=year, district_id=district_id).aggregate(v=Max("version"))["v"]
        sheet = AllocationSheet(year=year, district_id=district_id, version=last + 1, kind=SheetKind.ADJUSTMENT)
    else:
        sheet = latest  # an open adjustment: recomputed in place
        sheet.rows.all().delete()
        if not diffs:
            sheet.delete()
            return "unchanged"
    _reset(sheet, run, now)
    sheet.reason = _reopen_reason(year)
    sheet.save()
    _write_rows(sheet, diffs)
    SheetEvent.objects.create(sheet=sheet, action="computed", by=by, note=_run_note(run))
    return "adjustments"


def _reset(sheet, run, now):
    sheet.status = SheetStatus.DRAFT
    sheet.run = run
    sheet.computed_at = now
    sheet.confirmed_by = sheet.confirmed_at = None


def _run_note(run) -> str:
    return f"依据{run.title}（#{run.pk}）" if run is not None else ""


def _reopen_reason(year: int) -> str:
    from assessments.models import YearEvent

    event = YearEvent.objects.filter(year__year=year, action="reopen").order_by("-at", "-id").first()
    return event.reason if event else ""


def _differences(lines: list[Line], state: dict) -> list[Line]:
    """Per (estate, kind): the corrected line beside what was approved, where they differ; an
    approved row with no corrected line becomes a line of zero (追回 of all of it)."""
    out = []
    seen = set()
    for line in lines:
        seen.add(line.key)
        old = state.get(line.key)
        prev = (old.amount_fen, old.city_fen, old.district_fen) if old else (0, 0, 0)
        if prev != (line.amount_fen, line.city_fen, line.district_fen):
            out.append(replace(line, previous=prev))
    for key, old in state.items():
        if key in seen or old.amount_fen == 0:
            continue
        out.append(
            Line(
                estate_id=old.estate_id,
                district_id=old.district_id,
                street_id=old.street_id,
                community_id=old.community_id,
                kind=old.kind,
                policy_id=old.policy_id,
                area=old.area,
                score=old.score,
                grade=old.grade,
                rate=old.rate,
                renovation_year=old.renovation_year,
                tranche=old.tranche,
                grant_total_fen=old.grant_total_fen,
                amount_fen=0,
                city_fen=0,
                district_fen=0,
                payee=old.payee,
                contract_id=old.contract_id,
                payee_contract=old.payee_contract,
                payee_basis=old.payee_basis,
                previous=(old.amount_fen, old.city_fen, old.district_fen),
            )
        )
    return out


ROW_COLUMNS = (
    "sheet_id",
    "estate_id",
    "district_id",
    "street_id",
    "community_id",
    "kind",
    "policy_id",
    "area",
    "score",
    "grade",
    "rate",
    "renovation_year",
    "tranche",
    "grant_total_fen",
    "amount_fen",
    "city_fen",
    "district_fen",
    "previous_fen",
    "previous_city_fen",
    "previous_district_fen",
    "payee",
    "contract_id",
    "payee_contract",
    "payee_basis",
)


def _row_values(sheet_id: int, ln: Line) -> tuple:
    return (
        sheet_id,
        ln.estate_id,
        ln.district_id,
        ln.street_id,
        ln.community_id,
        ln.kind,
        ln.policy_id,
        ln.area,
        ln.score,
        ln.grade,
        ln.rate,
        ln.renovation_year,
        ln.tranche,
        ln.grant_total_fen,
        ln.amount_fen,
        ln.city_fen,
        ln.district_fen,
        *ln.previous,
        ln.payee,
        ln.contract_id,
        ln.payee_contract,
        ln.payee_basis,
    )


def _write_rows(sheet: AllocationSheet, lines: list[Line]):
    """The sheet's rows in one COPY on PostgreSQL (a district has tens of thousands at city
    scale and this runs inside the cycle's job), bulk_create elsewhere; then its totals."""
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {Allocation._meta.db_table} ({', '.join(ROW_COLUMNS)}) FROM STDIN") as copy,
        ):
            for ln in lines:
                copy.write_row(_row_values(sheet.pk, ln))
    else:
        Allocation.objects.bulk_create(
            [Allocation(**dict(zip(ROW_COLUMNS, _row_values(sheet.pk, ln), strict=True))) for ln in lines],
            batch_size=2000,
        )
    set_totals(sheet, lines)
    sheet.save()


def set_totals(sheet: AllocationSheet, lines) -> None:
    """Totals are sums of the rows (for an adjustment, of the differences), in fen."""
    management = startup = city = district = 0
    city_pay = city_recover = district_pay = district_recover = 0
    areas: dict[int, Decimal] = {}
    for ln in lines:
        d_amount = ln.amount_fen - ln.previous[0]
        d_city = ln.city_fen - ln.previous[1]
        d_district = ln.district_fen - ln.previous[2]
        if ln.kind == PolicyKind.MANAGEMENT:
            management += d_amount
        else:
            startup += d_amount
        city += d_city
        district += d_district
        city_pay += max(d_city, 0)
        city_recover += max(-d_city, 0)
        district_pay += max(d_district, 0)
        district_recover += max(-d_district, 0)
        areas[ln.estate_id] = ln.area
    sheet.management_fen, sheet.startup_fen = management, startup
    sheet.total_fen, sheet.city_fen, sheet.district_fen = management + startup, city, district
    sheet.city_pay_fen, sheet.city_recover_fen = city_pay, city_recover
    sheet.district_pay_fen, sheet.district_recover_fen = district_pay, district_recover
    sheet.estates = len(areas)
    sheet.area = sum(areas.values(), ZERO_AREA)
