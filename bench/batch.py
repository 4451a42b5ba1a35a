"""The batch phases (bench/run.py): the yearly cycle and its floor, the allocation workbook and
the morning reminders, each measured in its own process."""

from __future__ import annotations

import time

from bench.common import (
    YEAR,
    peak_mb,
)


# --- the cycle ----------------------------------------------------------------------------------
def phase_cycle(args) -> dict:
    """One cycle run of YEAR in this process: the first (no earlier run: the runs are emptied)
    or a re-run (an earlier run is current and is superseded)."""
    import django

    django.setup()
    from django.db import connection

    from accounts.models import User
    from assessments.cycle import run_in_process

    if args.mode == "first":
        with connection.cursor() as cur:
            cur.execute("TRUNCATE assessments_cyclerun, assessments_estateresult, assessments_unitresult CASCADE")
            cur.execute("VACUUM ANALYZE assessments_estateresult")
    base = peak_mb()
    t, cpu = time.perf_counter(), time.process_time()
    run = run_in_process(YEAR, by=User.objects.get(username="system"))
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    assert run.status == "succeeded", (run.status, run.error)
    return {
        "seconds": round(seconds, 2),
        "cpu_s": round(cpu, 2),
        "peak_mb": round(peak_mb()),
        "base_mb": round(base),
        "estates": run.estates_total,
        "timing": (run.result or {}).get("timing"),
    }


FLOOR_SQL = """
INSERT INTO bench_floor_results (run_id, estate_id, district_id, street_id, community_id, year, is_current, assessed,
    management, effectiveness, fee, size, total, grade, scheme_version, category, building_area, renovation_year,
    inspections_counted, inspections_total_tenths, fee_rate, disputes_received, disputes_resolved, repairs_reported,
    repairs_on_time)
SELECT 0, e.id, e.district_id, e.street_id, e.community_id, %(year)s, true, i.n IS NOT NULL,
    round(coalesce(i.s, 0) / greatest(coalesce(i.n, 1), 1) / 10.0 * 0.4, 2), 20, round(coalesce(f.rate, 0) / 5, 2), 8,
    least(100, round(coalesce(i.s, 0) / greatest(coalesce(i.n, 1), 1) / 10.0 * 0.4 + 28 + coalesce(f.rate, 0) / 5, 2)),
    CASE WHEN i.n IS NULL THEN '未参加考核' ELSE '二星' END, 1, e.category, e.building_area, e.renovation_year,
    coalesce(i.n, 0), coalesce(i.s, 0), f.rate, coalesce(d.received, 0), coalesce(d.resolved, 0),
    coalesce(r.reported, 0), coalesce(r.on_time, 0)
FROM communities_estate e
LEFT JOIN (SELECT estate_id, count(*) AS n, sum(total_tenths) AS s FROM assessments_inspection
           WHERE year = %(year)s AND status IN ('submitted', 'approved') GROUP BY estate_id) i ON i.estate_id = e.id
LEFT JOIN assessments_feerate f ON f.estate_id = e.id AND f.year = %(year)s
LEFT JOIN (SELECT estate_id, count(expected_datetime) AS received,
                  count(expected_datetime) FILTER (WHERE status = 'resolved' AND closed_datetime < %(end)s) AS resolved
           FROM disputes_disputecase WHERE requested_datetime >= %(start)s AND requested_datetime < %(end)s
           GROUP BY estate_id) d ON d.estate_id = e.id
LEFT JOIN (SELECT estate_id, count(expected_datetime) AS reported,
                  count(expected_datetime) FILTER (WHERE completed_datetime <= expected_datetime) AS on_time
           FROM disputes_repairrequest WHERE requested_datetime >= %(start)s AND requested_datetime < %(end)s
           GROUP BY estate_id) r ON r.estate_id = e.id
"""
FLOOR_UNITS_SQL = """
INSERT INTO bench_floor_units (run_id, year, level, unit_key, district_id, street_id, community_id, estates, assessed,
    three_star, two_star, one_star, fail, not_assessed, assessed_area, mean_score, rank, is_current)
SELECT 0, %(year)s, level, key, max(district_id), max(street_id), max(community_id), count(*), count(*) FILTER (WHERE assessed),
    0, count(*) FILTER (WHERE grade = '二星'), 0, 0, count(*) FILTER (WHERE NOT assessed),
    coalesce(sum(building_area) FILTER (WHERE assessed), 0), round(avg(total), 2), 1, true
FROM (SELECT 'community' AS level, 'c' || community_id AS key, district_id, street_id, community_id, assessed, grade,
             building_area, total FROM bench_floor_results
      UNION ALL SELECT 'street', 's' || street_id, district_id, street_id, NULL, assessed, grade, building_area, total
                FROM bench_floor_results
      UNION ALL SELECT 'district', 'd' || district_id, district_id, NULL, NULL, assessed, grade, building_area, total
                FROM bench_floor_results) u
GROUP BY level, key
"""


def phase_floor(args) -> dict:
    """The cycle's floor: PostgreSQL alone reads the same inputs (estates, the year's counted
    inspections grouped, fee rates, dispute and repair counts grouped) and writes as many
    result rows — and the community/street/district rows — into tables shaped like the
    results tables, with their indexes and constraints, in one committed transaction. No
    Python touches a row; the scores are a stand-in expression."""
    import django

    django.setup()
    from django.db import connection, transaction

    from disputes.limits import year_bounds

    start, end = year_bounds(YEAR)
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_floor_results, bench_floor_units")
        cur.execute("CREATE TABLE bench_floor_results (LIKE assessments_estateresult INCLUDING ALL)")
        cur.execute("CREATE TABLE bench_floor_units (LIKE assessments_unitresult INCLUDING ALL)")
    t = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(FLOOR_SQL, {"year": YEAR, "start": start, "end": end})
        rows = cur.rowcount
        cur.execute(FLOOR_UNITS_SQL, {"year": YEAR})
        units = cur.rowcount
    seconds = time.perf_counter() - t
    with connection.cursor() as cur:
        cur.execute("TRUNCATE bench_floor_results, bench_floor_units")
    # The same through a client: the inputs read into this process, as many rows COPYed back
    # (what any design that scores in Python cannot avoid), then the unit rows as above.
    t = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        select = FLOOR_SQL.split("SELECT", 1)[1]
        cur.execute("SELECT" + select, {"year": YEAR, "start": start, "end": end})
        got = cur.fetchall()
        columns = FLOOR_SQL.split("(", 1)[1].split(")", 1)[0]
        with cur.cursor.copy(f"COPY bench_floor_results ({columns}) FROM STDIN") as copy:
            for row in got:
                copy.write_row(row)
        cur.execute(FLOOR_UNITS_SQL, {"year": YEAR})
    transport = time.perf_counter() - t
    with connection.cursor() as cur:
        cur.execute("DROP TABLE bench_floor_results, bench_floor_units")
    return {"seconds": round(seconds, 2), "transport_s": round(transport, 2), "rows": rows, "unit_rows": units}


# --- the allocation workbook ----------------------------------------------------------------------
def phase_workbook(args) -> dict:
    import django

    django.setup()
    try:
        from bench import workbook
    except ImportError:
        return {"available": False}
    result = workbook.measure(YEAR)
    return {"available": True, **(result if isinstance(result, dict) else {"result": repr(result)})}


# --- the morning reminders (工作台 提醒) -----------------------------------------------------------
def phase_reminders(args) -> dict:
    """The 07:30 job at scale: one clerk per street and two staff per district (the platform's
    real user base, ~1,300), every case of the year overdue or open; timed once, then run again
    the same morning, which must add nothing (idempotent). Reminders are removed afterwards, so
    a re-run of the bench measures the same work."""
    import django

    django.setup()
    from django.db import connection

    from accounts.choices import Role
    from accounts.models import User
    from communities.models import District, Street
    from workbench.models import Reminder
    from workbench.services import morning_reminders

    if not User.objects.filter(username__startswith="bench_clerk_").exists():
        users = [
            User(
                username=f"bench_clerk_{s.pk}",
                role=Role.STREET_CLERK,
                full_name="街道",
                street_id=s.pk,
                district_id=s.district_id,
            )
            for s in Street.objects.all()
        ]
        users += [
            User(username=f"bench_staff_{d.pk}_{i}", role=Role.DISTRICT_STAFF, full_name="区", district_id=d.pk)
            for d in District.objects.all()
            for i in (1, 2)
        ]
        User.objects.bulk_create(users, batch_size=1000)
    Reminder.objects.all().delete()
    t, c = time.perf_counter(), time.process_time()
    created = morning_reminders()
    seconds, cpu = time.perf_counter() - t, time.process_time() - c
    t = time.perf_counter()
    again = morning_reminders()
    second = time.perf_counter() - t
    users = User.objects.filter(is_active=True).count()
    Reminder.objects.all().delete()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE workbench_reminder")
    return {
        "seconds": round(seconds, 1),
        "cpu_s": round(cpu, 1),
        "created": created,
        "second_run_s": round(second, 1),
        "second_run_created": again,
        "users": users,
        "peak_mb": peak_mb(),
    }
