"""The yearly cycle (考核计分): start a run, execute it set-based and chunked, make it current.

A run walks the registry in chunks of estates ordered by id (keyset: no OFFSET). For each chunk
it reads, with one grouped query each, the counted inspections, the fee rates and the case
counts of the estates in that id range (and, only for a scheme with satisfaction points, the
rated cases: two more grouped queries), scores them in Python (exact Fractions) and writes the
chunk's results in one statement (COPY on PostgreSQL, bulk_create elsewhere). Roll-up
accumulators are kept per community (small), so memory stays flat as the estate count grows.
Only at the end, in one short transaction, do the new rows become current and the earlier run
superseded; then `cycle_run_finished` is sent, still inside that transaction.
"""

from __future__ import annotations

import io
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from fractions import Fraction

from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from accounts.rules import can
from communities.models import Estate
from core import jobs
from core.models import JobStatus
from core.rows import plain_rows
from disputes.effectiveness import NO_CASES, case_counts, satisfaction_counts
from disputes.stats import Satisfaction

from .choices import (
    COUNTED_STATUSES,
    GRADE_COLUMNS,
    Grade,
    InspectionSource,
    RunKind,
    ThirdPartyRule,
    UnitLevel,
    YearStatus,
)
from .errors import Refused
from .models import AssessmentYear, CycleRun, EstateResult, FeeRate, Inspection, Scheme, UnitResult
from .scoring import load_rules, round_score, score_estate
from .signals import cycle_run_finished

CHUNK_SIZE = 5000

RESULT_COLUMNS = (
    "run_id",
    "estate_id",
    "district_id",
    "street_id",
    "community_id",
    "year",
    "is_current",
    "assessed",
    "management",
    "effectiveness",
    "fee",
    "size",
    "total",
    "grade",
    "scheme_version",
    "category",
    "building_area",
    "renovation_year",
    "inspections_counted",
    "inspections_total_tenths",
    "fee_rate",
    "disputes_received",
    "disputes_resolved",
    "repairs_reported",
    "repairs_on_time",
)
NOT_RATED = Satisfaction()
# A result row is a tuple in RESULT_COLUMNS' order (what ResultWriter writes): its fields by name.
GRADE, TOTAL, AREA = (RESULT_COLUMNS.index(c) for c in ("grade", "total", "building_area"))
DISTRICT, STREET, COMMUNITY = (RESULT_COLUMNS.index(c) for c in ("district_id", "street_id", "community_id"))


# --- starting ----------------------------------------------------------------------------------
def year_row(year: int, *, lock: bool = False) -> AssessmentYear:
    row, _ = AssessmentYear.objects.get_or_create(year=year)
    if lock:
        row = AssessmentYear.objects.select_for_update().get(pk=row.pk)
    return row


def validate_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise Refused("年度格式不正确，请填写四位数年份，例如 2019。") from None
    this_year = timezone.localdate().year
    if year < 2000 or year > this_year:
        raise Refused(f"年度须在2000年到{this_year}年之间。")
    return year


def start_run(year, *, by, appeal=None, enqueue: bool = True) -> CycleRun:
    """Create a queued run for `year` and hand its id to the worker once committed.

    Refused (Chinese message, nothing written) for a closed year, a year no scheme covers, or
    while another run of the year is queued or running — the partial unique index
    `one_active_cycle_run_per_year` makes that last check race-free."""
    year = validate_year(year)
    if appeal is None and not can(by, "cycle"):
        raise Refused("只有市房产局可以发起考核计分。")
    state = year_row(year)
    if state.status == YearStatus.CLOSED:
        raise Refused(f"{year}年度已关闭，不能重新计分；如需更正，请先由市房产局说明原因后重新开放该年度。")
    if state.status == YearStatus.PUBLISHED and appeal is None:
        raise Refused(
            f"{year}年度考核结果正在公示，只能对获支持的申诉重新计分；如需整体重算，请先关闭后重新开放该年度。"
        )
    scheme = Scheme.objects.for_year(year)
    if scheme is None:
        raise Refused(f"没有适用于{year}年度的考核方案，请先在“考核方案”中设置适用年度。")
    fields = {"year": year, "scheme": scheme, "created_by": by, "kind": RunKind.FULL}
    if appeal is not None:
        current = CycleRun.objects.filter(year=year, is_current=True).first()
        if current is None:
            raise Refused("该年度还没有当前有效的考核结果，无法复核。")
        fields.update(
            kind=RunKind.APPEAL,
            appeal=appeal,
            rescore_estate_id=appeal.estate_id,
            based_on=current,
            scheme=current.scheme,
        )
    try:
        with transaction.atomic():
            run = CycleRun.objects.create(**fields)
    except IntegrityError:
        raise Refused(f"{year}年度已有计分任务正在进行，请等待其完成后再发起。") from None
    if enqueue:
        jobs.enqueue(run)
    return run


def execute(run_id: int) -> CycleRun | None:
    """Claim and run one cycle run (the Celery task and the command both come here)."""
    return jobs.execute(CycleRun, run_id, _handler)


def execute_until_settled(run_id: int) -> CycleRun | None:
    return jobs.execute_until_settled(CycleRun, run_id, _handler)


def _handler(run: CycleRun, report) -> dict:
    return compute_run(run, report)


# --- roll-up accumulators -------------------------------------------------------------------------
@dataclass
class Tally:
    """What a unit's roll-up needs: counts, Σ score×area and Σ area in hundredths (exact ints)."""

    district_id: int
    street_id: int | None = None
    community_id: int | None = None
    estates: int = 0
    assessed: int = 0
    grades: dict = field(default_factory=lambda: dict.fromkeys(GRADE_COLUMNS, 0))
    score_area: int = 0  # Σ score(cents) × area(cents)
    area: int = 0  # Σ area(cents) of assessed estates

    def add(self, grade: str, total, area):
        self.estates += 1
        self.grades[grade] += 1
        if total is not None:
            self.assessed += 1
            a = int(area * 100)
            self.score_area += int(total * 100) * a
            self.area += a

    def merge(self, other: Tally):
        self.estates += other.estates
        self.assessed += other.assessed
        for g, n in other.grades.items():
            self.grades[g] += n
        self.score_area += other.score_area
        self.area += other.area

    @property
    def mean(self):
        if not self.area:
            return None
        return round_score(Fraction(self.score_area, self.area * 100))


def ranks(tallies: list[tuple[str, Tally]]) -> dict[str, int]:
    """Competition ranking by mean, highest first, ties share a rank (1, 1, 3); no mean, no rank."""
    scored = sorted(((t.mean, key) for key, t in tallies if t.mean is not None), key=lambda x: x[0], reverse=True)
    out, previous, rank = {}, None, 0
    for position, (mean, key) in enumerate(scored, start=1):
        if mean != previous:
            rank, previous = position, mean
        out[key] = rank
    return out


# --- computing -----------------------------------------------------------------------------------
def _estate_chunk(after: int) -> list[tuple]:
    """The next CHUNK_SIZE estates after id `after`, by id (keyset pagination: one indexed query)."""
    return list(
        Estate.objects.filter(id__gt=after)
        .order_by("id")
        .values_list("id", "district_id", "street_id", "community_id", "category", "building_area", "renovation_year")[
            :CHUNK_SIZE
        ]
    )


def _chunks_with_inputs(read):
    """(chunk, read(chunk)) for each chunk of estates, by id.

    On PostgreSQL outside a transaction (a worker's run) the next chunk and its inputs are read
    on a second connection while this one is scored: reading was a fifth of a run, and the
    database waits on Python as much as Python on it, on two cores. The reads were never in one
    transaction (each is its own statement), so reading ahead sees what reading in turn would.
    Inside a transaction (a test's) the second connection would not see its rows: in turn."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        chunk = _estate_chunk(0)
        while chunk:
            yield chunk, read(chunk)
            chunk = _estate_chunk(chunk[-1][0])
        return

    def fetch(after):
        chunk = _estate_chunk(after)
        return chunk, (read(chunk) if chunk else None)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cycle-read") as pool:
        try:
            pending = pool.submit(fetch, 0)
            while True:
                chunk, inputs = pending.result()
                if not chunk:
                    return
                pending = pool.submit(fetch, chunk[-1][0])
                yield chunk, inputs
        finally:
            # the reading thread's connection is its own: closed there, once its last read is done
            pool.submit(connections.close_all).result()


def compute_run(run: CycleRun, report) -> dict:
    rules = load_rules(run.scheme)
    year = run.year
    # A retried attempt starts clean: the rows of an earlier attempt of this run go first.
    # (Raw deletes: nothing refers to a run's rows before the run is current.)
    EstateResult.objects.filter(run=run)._raw_delete(EstateResult.objects.db)
    UnitResult.objects.filter(run=run)._raw_delete(UnitResult.objects.db)

    started = time.perf_counter()
    total_estates = Estate.objects.count()
    communities: dict[int, Tally] = {}
    grade_counts = dict.fromkeys(GRADE_COLUMNS, 0)
    done = written = assessed = 0
    report(0, max(total_estates, 1), "读取检查记录、收缴率与案件数据……")
    writer = ResultWriter()
    run_id, version = run.pk, rules.version

    read_s = write_s = 0.0
    # 第三方评估计分规则 (clause 十): by default every counted inspection is averaged; a scheme
    # may let the third party's evaluations replace the street's own checks of the estates it
    # evaluated.
    replace_street = run.scheme.third_party_rule == ThirdPartyRule.REPLACE

    def read(chunk):
        """The chunk's inputs: the run it re-scores, inspections, fee rates, cases, ratings."""
        lo, hi = chunk[0][0], chunk[-1][0]
        previous = {}
        if run.kind == RunKind.APPEAL:
            previous = {
                r["estate_id"]: r
                for r in EstateResult.objects.filter(run_id=run.based_on_id, estate_id__gte=lo, estate_id__lte=hi)
                .order_by()
                .values(*[c for c in RESULT_COLUMNS if c not in ("run_id", "is_current")])
            }
        # COUNT(*), not COUNT(id): id is not in insp_year_estate_idx, and asking for it turned the
        # index-only scan into an index scan reading the table (77 → 30 ms a chunk at 220,000 estates).
        if replace_street:
            inspections = _counted_replacing_street(year, lo, hi)
        else:
            inspections = {
                estate_id: (n, s)
                for estate_id, n, s in plain_rows(
                    Inspection.objects.filter(
                        year=year, estate_id__gte=lo, estate_id__lte=hi, status__in=COUNTED_STATUSES
                    )
                    .values("estate_id")
                    .annotate(n=Count("*"), s=Sum("total_tenths"))
                    .values_list("estate_id", "n", "s")
                )
            }
        fees = dict(
            # order_by(): FeeRate's default ordering would join the estates and sort
            FeeRate.objects.filter(year=year, estate_id__gte=lo, estate_id__lte=hi)
            .order_by()
            .values_list("estate_id", "rate")
        )
        cases = case_counts(year, lo, hi)
        # 满意度 (optional): read only when the scheme weighs it, so the shipped scheme's cycle
        # makes the same queries as before.
        ratings = satisfaction_counts(year, lo, hi) if rules.satisfaction_cents else {}
        return previous, inspections, fees, cases, ratings

    chunks = _chunks_with_inputs(read)
    while True:
        # read_s: the time scoring waited for its inputs (all of the reading, read in turn)
        t_read = time.perf_counter()
        got = next(chunks, None)
        read_s += time.perf_counter() - t_read
        if got is None:
            break
        chunk, (previous, inspections, fees, cases, ratings) = got
        rows = []
        for estate_id, district_id, street_id, community_id, category, area, renovation_year in chunk:
            if run.kind == RunKind.APPEAL and estate_id != run.rescore_estate_id:
                old = previous.get(estate_id)
                if old is None:
                    continue  # not part of the run this one re-scores
                row = tuple(run_id if c == "run_id" else False if c == "is_current" else old[c] for c in RESULT_COLUMNS)
            else:
                n, s = inspections.get(estate_id, (0, 0))
                c = cases.get(estate_id, NO_CASES)
                rated = ratings.get(estate_id, NOT_RATED)
                rate = fees.get(estate_id)
                score = score_estate(
                    rules,
                    category=category,
                    building_area=area,
                    inspections=n,
                    inspections_total_tenths=s,
                    fee_rate=rate,
                    disputes_received=c.disputes_received,
                    disputes_resolved=c.disputes_resolved,
                    repairs_reported=c.repairs_reported,
                    repairs_on_time=c.repairs_on_time,
                    cases_rated=rated.rated,
                    cases_satisfied=rated.satisfied + rated.fairly,
                )
                values = (
                    (None,) * 5 + (Grade.NOT_ASSESSED.value,)
                    if score is None
                    else (score.management, score.effectiveness, score.fee, score.size, score.total, score.grade)
                )
                row = (
                    run_id,
                    estate_id,
                    district_id,
                    street_id,
                    community_id,
                    year,
                    False,
                    score is not None,
                    *values,
                    version,
                    category,
                    area,
                    renovation_year,
                    n,
                    s,
                    rate,
                    c.disputes_received,
                    c.disputes_resolved,
                    c.repairs_reported,
                    c.repairs_on_time,
                )
            rows.append(row)
            grade, total, used_area = row[GRADE], row[TOTAL], row[AREA]
            grade_counts[grade] += 1
            assessed += total is not None
            tally = communities.get(row[COMMUNITY])
            if tally is None:
                tally = communities[row[COMMUNITY]] = Tally(row[DISTRICT], row[STREET], row[COMMUNITY])
            tally.add(grade, total, used_area)
        t_write = time.perf_counter()
        writer.write(rows)
        write_s += time.perf_counter() - t_write
        written += len(rows)
        done += len(chunk)
        report(done, max(total_estates, 1), f"已计分 {done:,} / {total_estates:,} 个小区")

    scored = time.perf_counter()
    report(done, max(total_estates, 1), "汇总社区、街道、区……")
    _write_unit_results(run, communities)
    with transaction.atomic():
        _make_current(run, writer)
        run.estates_total, run.estates_assessed = written, assessed
        run.grade_counts = {str(k): v for k, v in grade_counts.items()}
        CycleRun.objects.filter(pk=run.pk).update(
            estates_total=written, estates_assessed=assessed, grade_counts=run.grade_counts
        )
        current = time.perf_counter()
        cycle_run_finished.send(sender=CycleRun, run=run)
    ended = time.perf_counter()
    timing = {
        "score_s": round(scored - started, 2),
        "read_s": round(read_s, 2),
        "write_s": round(write_s, 2),
        "current_s": round(current - scored, 2),
        "receivers_s": round(ended - current, 2),
    }
    return {"estates": written, "assessed": assessed, "grades": run.grade_counts, "timing": timing}


def _counted_replacing_street(year: int, lo: int, hi: int) -> dict:
    """Counted inspections per estate (count, Σ tenths) where an estate with a counted 第三方评估
    drops its 街道日常检查: the street's own scores give way to the outsider's."""
    by_source: dict[int, dict] = {}
    for estate_id, source, n, s in (
        Inspection.objects.filter(year=year, estate_id__gte=lo, estate_id__lte=hi, status__in=COUNTED_STATUSES)
        .values("estate_id", "source")
        .annotate(n=Count("*"), s=Sum("total_tenths"))
        .values_list("estate_id", "source", "n", "s")
    ):
        by_source.setdefault(estate_id, {})[source] = (n, s)
    out = {}
    for estate_id, sources in by_source.items():
        if InspectionSource.THIRD_PARTY in sources:
            sources.pop(InspectionSource.STREET, None)
        out[estate_id] = (sum(n for n, _ in sources.values()), sum(s for _, s in sources.values()))
    return out


def copy_rows(table: str, columns, rows):
    """COPY plain rows into `table` (PostgreSQL): the fastest write there is."""
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


class ResultWriter:
    """Writes a run's result rows chunk by chunk.

    On PostgreSQL each chunk is COPYed into a session-local staging table (no index, no
    constraint: the fastest write there is), and `finish` — inside the final transaction —
    moves them into the results table in one INSERT … SELECT, already current, so each row is
    written to the indexed table once. Elsewhere rows go straight in with bulk_create and are
    made current by `_make_current`."""

    STAGING = "assessments_cycle_staging"

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        if self.postgres:
            with connection.cursor() as cur:
                cur.execute(f"DROP TABLE IF EXISTS {self.STAGING}")
                cols = ", ".join(f"{c} {t}" for c, t in self._column_types())
                cur.execute(f"CREATE TEMP TABLE {self.STAGING} ({cols})")

    @staticmethod
    def _column_types():
        fields = {f.column: f for f in EstateResult._meta.concrete_fields}
        return [(c, fields[c].db_type(connection)) for c in RESULT_COLUMNS]

    def write(self, rows: list[tuple]):
        if not rows:
            return
        if self.postgres:
            copy_rows(self.STAGING, RESULT_COLUMNS, rows)
            return
        EstateResult.objects.bulk_create(
            [EstateResult(**dict(zip(RESULT_COLUMNS, row, strict=True))) for row in rows], batch_size=500
        )

    def make_current(self, run: CycleRun):
        """Inside the final transaction, after the earlier rows stopped being current: the
        run's rows become current (staged rows go in already current)."""
        if not self.postgres:
            EstateResult.objects.filter(run=run).update(is_current=True)
            return
        table = EstateResult._meta.db_table
        cols = ", ".join(RESULT_COLUMNS)
        select = ", ".join("true" if c == "is_current" else c for c in RESULT_COLUMNS)
        with connection.cursor() as cur:
            # no ORDER BY: sorting 220,000 staged rows spilled to disk, and nothing reads them in order
            cur.execute(f"INSERT INTO {table} ({cols}) SELECT {select} FROM {self.STAGING}")
            cur.execute(f"DROP TABLE {self.STAGING}")


UNIT_COLUMNS = (
    "run_id",
    "year",
    "is_current",
    "level",
    "unit_key",
    "district_id",
    "street_id",
    "community_id",
    "estates",
    "assessed",
    "three_star",
    "two_star",
    "one_star",
    "fail",
    "not_assessed",
    "assessed_area",
    "mean_score",
    "rank",
)


def _write_unit_results(run: CycleRun, communities: dict[int, Tally]):
    """The community, street and district rows of the run (about 13,000 at 220,000 estates),
    written as plain rows: COPY on PostgreSQL, where building and saving a model instance per
    row cost over a second of a run (docs/performance.md)."""
    streets: dict[int, Tally] = {}
    districts: dict[int, Tally] = {}
    for t in communities.values():
        streets.setdefault(t.street_id, Tally(t.district_id, t.street_id)).merge(t)
    for t in streets.values():
        districts.setdefault(t.district_id, Tally(t.district_id)).merge(t)

    rows = []

    def emit(level, key_prefix, tallies: dict, sibling_key):
        groups: dict = {}
        for unit_id, t in tallies.items():
            groups.setdefault(sibling_key(t), []).append((unit_id, t))
        for members in groups.values():
            means = {unit_id: t.mean for unit_id, t in members}  # each mean once: an exact Fraction
            unit_ranks = ranks([(unit_id, _Mean(means[unit_id])) for unit_id, _ in members])
            for unit_id, t in members:
                rows.append(
                    (
                        run.pk,
                        run.year,
                        False,
                        level,
                        f"{key_prefix}{unit_id}",
                        t.district_id,
                        t.street_id,
                        t.community_id,
                        t.estates,
                        t.assessed,
                        t.grades[Grade.THREE_STAR],
                        t.grades[Grade.TWO_STAR],
                        t.grades[Grade.ONE_STAR],
                        t.grades[Grade.FAIL],
                        t.grades[Grade.NOT_ASSESSED],
                        _cents_to_decimal(t.area),
                        means[unit_id],
                        unit_ranks.get(unit_id),
                    )
                )

    emit(UnitLevel.COMMUNITY, "c", communities, lambda t: t.street_id)
    emit(UnitLevel.STREET, "s", streets, lambda t: t.district_id)
    emit(UnitLevel.DISTRICT, "d", districts, lambda t: 0)
    if connection.vendor == "postgresql":
        copy_rows(UnitResult._meta.db_table, UNIT_COLUMNS, rows)
        return
    UnitResult.objects.bulk_create(
        [UnitResult(**dict(zip(UNIT_COLUMNS, row, strict=True))) for row in rows], batch_size=1000
    )


@dataclass
class _Mean:
    """A tally's mean, computed once, in the shape `ranks` reads."""

    mean: object


def _cents_to_decimal(cents: int):
    from decimal import Decimal

    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def _make_current(run: CycleRun, writer: ResultWriter):
    """The run's rows become the year's current ones; the earlier run is kept, superseded."""
    now = timezone.now()
    previous = CycleRun.objects.select_for_update().filter(year=run.year, is_current=True).exclude(pk=run.pk)
    previous_ids = list(previous.values_list("pk", flat=True))
    if previous_ids:
        EstateResult.objects.filter(run_id__in=previous_ids, is_current=True).update(is_current=False)
        UnitResult.objects.filter(run_id__in=previous_ids, is_current=True).update(is_current=False)
        CycleRun.objects.filter(pk__in=previous_ids).update(is_current=False, superseded_at=now)
    writer.make_current(run)
    UnitResult.objects.filter(run=run).update(is_current=True)
    CycleRun.objects.filter(pk=run.pk).update(is_current=True)
    run.is_current = True


def lineage(run: CycleRun) -> list[CycleRun]:
    """The run and every run whose results it carries over: an appeal re-score copies all other
    estates' results from the run it is based on (and that one perhaps from an earlier run), so
    the figures of a sheet computed from `run` come from all of these runs (spec/roles.md four
    eyes: none of their starters may approve the sheet)."""
    runs, seen = [], set()
    while run is not None and run.pk not in seen:
        seen.add(run.pk)
        runs.append(run)
        run = (
            CycleRun.objects.select_related("created_by").filter(pk=run.based_on_id).first()
            if run.based_on_id
            else None
        )
    return runs


def run_in_process(year, *, by) -> CycleRun:
    """`manage.py run_cycle YEAR`: start a run and execute it here, waiting for the outcome."""
    run = start_run(year, by=by, enqueue=False)
    execute_until_settled(run.pk)
    run.refresh_from_db()
    return run


def describe(run: CycleRun) -> str:
    buf = io.StringIO()
    buf.write(f"{run.title}：{run.get_status_display()}\n")
    if run.status == JobStatus.SUCCEEDED:
        buf.write(f"方案：{run.scheme}；小区 {run.estates_total} 个，参加考核 {run.estates_assessed} 个\n")
        buf.write("；".join(f"{g} {run.grade_counts.get(str(g), 0)}" for g in GRADE_COLUMNS) + "\n")
    elif run.error:
        buf.write(f"原因：{run.error}\n")
    return buf.getvalue()
