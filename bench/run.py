"""National-scale benchmark (issue 9): `make bench [ESTATES=220000]`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/laojiu_bench .venv/bin/python bench/run.py --estates 220000

1. Loads a synthetic data set into PostgreSQL (DATABASE_URL, default the local laojiu_bench; the
   database is created if missing): the real 12 districts and 101 streets of the units data
   migration plus synthetic ones around them (~2,000 estates per district, ~200 per street,
   20 per community), N estates, 4N inspections, fee rates for 6/7 of the estates, and
   1,000,000 × N/220,000 dispute cases and repair requests (half each). Set-based: units with
   bulk_create, estates with COPY (psycopg 3 `cursor.copy`), the rest with INSERT … SELECT over
   generate_series. A database already holding this data set (same N, same generator version)
   is reused; `--fresh` drops and reloads it. A second database `<name>_tenth` holds N/10
   estates for the scaling figure.
2. Measures, each part in its own process (clean peak memory): the yearly cycle (first run and
   re-run) beside its floor, the allocation workbook beside bare openpyxl (bench/workbook.py,
   when present), the estate list page, the estate API list, the overdue lists and the name
   search (server time over --requests requests each, in-process through django.test.Client,
   with the queries of each request), the API throughput under 8 concurrent clients against
   gunicorn beside a minimal view, and the cycle at N/10.
3. Prints one table, and writes it with the raw figures to var/bench/result-<N>.json.

docs/performance.md explains every figure and holds a 220,000-estate run.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import random
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/laojiu_bench"
VERSION = 3  # of the generator: a database loaded by another version is reloaded
YEAR = 2019
CASES_AT_FULL_SCALE = 1_000_000
FULL_SCALE = 220_000
PER_COMMUNITY = 20
PER_STREET = 200
PER_DISTRICT = 2_000
PLACES = [
    "梅园",
    "长江",
    "北门",
    "珠江",
    "丹凤",
    "兰园",
    "龙蟠",
    "清凉",
    "石鼓",
    "汉中",
    "虎踞",
    "江东",
    "莫愁",
    "南湖",
    "水佐岗",
    "百子亭",
    "锁金",
    "后宰门",
    "孝陵",
    "光华",
    "瑞金",
    "大光",
    "月牙",
    "五老",
    "双塘",
    "夫子庙",
    "中华",
    "雨花",
    "铁心",
    "西善",
    "迈皋",
    "燕子矶",
    "尧化",
    "马群",
    "仙林",
    "东井",
    "宁海",
    "湖南",
    "挹江",
    "凤凰",
    "热河",
    "宝塔",
    "小市",
    "幕府",
    "兴隆",
    "沙洲",
    "双闸",
    "南苑",
    "秦虹",
    "红花",
    "朝天宫",
    "银城",
]
SUFFIXES = ["新村", "小区", "花园", "苑", "里", "公寓", "大院", "东村", "西村", "北村", "南村", "一村", "二村", "三村"]
BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DEBUG": "false",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "SECRET_KEY": "bench-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    "LOG_LEVEL": "WARNING",
}


def log(msg: str):
    print(msg, file=sys.stderr, flush=True)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cases_for(n: int) -> tuple[int, int]:
    total = round(CASES_AT_FULL_SCALE * n / FULL_SCALE)
    return total // 2, total - total // 2


def with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


# --- the data set -------------------------------------------------------------------------------
def ensure_database(url: str, n: int, fresh: bool) -> bool:
    """Create (or with `fresh`, or when it holds another data set, drop and re-create) the
    database. True when it already holds this data set."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    admin = with_db(url, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
    loaded = False
    if exists and not fresh:
        with psycopg.connect(url) as conn:
            try:
                row = conn.execute("SELECT estates, version FROM bench_meta").fetchone()
                loaded = row == (n, VERSION)
            except psycopg.errors.UndefinedTable:
                row = None
        if row is not None and not loaded:
            log(f"{name} holds another data set {row}: reloading")
    if exists and (fresh or not loaded):
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        exists = False
    if not exists:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    return loaded


def _other_columns(model, listed: str) -> tuple[str, str, dict]:
    """The columns a bulk INSERT below does not name, with the model's default (NULL where the
    field allows it): a field added to the model later (the residents' channel added eleven)
    then needs no change to the loader. Returns (", col, …", ", %(…)s, …", params)."""
    from django.db import connection

    named = {c.strip() for c in listed.split(",")}
    columns, params = [], {}
    for f in model._meta.concrete_fields:
        if f.primary_key or f.column in named:
            continue
        value = None if f.null else f.get_db_prep_save(f.get_default(), connection)  # "" for text fields
        if value is None and not f.null:
            raise SystemExit(f"bench loader: {model.__name__}.{f.name} needs a value in the INSERT")
        columns.append(f.column)
        params[f"default_{f.column}"] = value
    if not columns:
        return "", "", {}
    return (", " + ", ".join(columns), ", " + ", ".join(f"%(default_{c})s" for c in columns), params)


def load(n: int):
    from django.db import connection, transaction

    from accounts.choices import Role
    from accounts.models import User
    from communities.models import Community, District, Street
    from disputes.models import DisputeCase, RepairRequest

    rng = random.Random(7)
    system = User.objects.get(username="system")
    with transaction.atomic():
        real = list(District.objects.order_by("code"))
        extra = max(1, n // PER_DISTRICT - len(real))
        districts = District.objects.bulk_create(
            [
                District(code=f"99{i:04d}", name=f"仿真{i:03d}区", short_name=f"仿真{i:03d}", kind="suburban")
                for i in range(1, extra + 1)
            ]
        )
        per_district = max(1, PER_DISTRICT // PER_STREET)
        Street.objects.bulk_create(
            [
                Street(
                    code=f"{d.code}{j:03d}",
                    name=f"{d.name}第{j}街道",
                    short_name=f"第{j}街道",
                    kind="street",
                    district=d,
                    official_district=d,
                )
                for d in districts
                for j in range(1, per_district + 1)
            ]
        )
        streets = list(Street.objects.order_by("code").values_list("id", "district_id"))
        n_communities = -(-n // PER_COMMUNITY)
        Community.objects.bulk_create(
            [
                Community(
                    name=f"{PLACES[c % len(PLACES)]}第{c // len(streets) + 1}社区",
                    street_id=streets[c % len(streets)][0],
                    district_id=streets[c % len(streets)][1],
                )
                for c in range(n_communities)
            ],
            batch_size=5000,
        )
        communities = list(Community.objects.order_by("id").values_list("id", "street_id", "district_id"))
        log(f"  {len(real) + extra} districts, {len(streets)} streets, {len(communities):,} communities")

        with (
            connection.cursor() as cur,
            cur.cursor.copy(
                "COPY communities_estate (code, name, address, grid_code, year_built, building_area, households, buildings, "
                "category, renovation_year, management_mode, version, community_id, district_id, street_id, created_at, "
                "updated_at) FROM STDIN"
            ) as copy,
        ):
            for i in range(n):
                cid, sid, did = communities[i // PER_COMMUNITY]
                renovated = rng.random() < 0.45
                category = "renovated" if renovated else rng.choice(["unrenovated", "unrenovated", "affordable"])
                copy.write_row(
                    (
                        f"E{i + 1:07d}",
                        f"{rng.choice(PLACES)}{rng.choice(SUFFIXES)}{rng.randint(1, 60)}号",
                        "",
                        "",
                        rng.randint(1960, 2000),
                        f"{rng.randint(2000, 90000)}.{rng.randint(0, 99):02d}",
                        rng.randint(40, 2000),
                        rng.randint(1, 60),
                        category,
                        rng.randint(2012, 2019) if renovated else None,
                        rng.choice(["public_welfare", "market", "self_managed", "basic_service", "none"]),
                        1,
                        cid,
                        did,
                        sid,
                        "now",
                        "now",
                    )
                )
        log(f"  {n:,} estates (COPY)")
        disputes, repairs = cases_for(n)
        with connection.cursor() as cur:
            cur.execute(
                "CREATE TEMP TABLE bench_e AS SELECT row_number() OVER (ORDER BY id) AS rn, id, district_id, "
                "street_id, community_id FROM communities_estate"
            )
            cur.execute("CREATE UNIQUE INDEX ON bench_e (rn)")
            cur.execute("ANALYZE bench_e")
            cur.execute("SELECT setseed(0.42)")
            cur.execute(
                """
                INSERT INTO assessments_inspection (created_at, updated_at, year, date, inspector_name, source, status,
                    scores, total_tenths, note, submitted_at, reviewed_at, review_note, community_id, created_by_id,
                    district_id, estate_id, reviewed_by_id, street_id, version)
                SELECT now(), now(), %(year)s, make_date(%(year)s, 1, 15) + k * 91, '压测检查员', 'street',
                    CASE WHEN k = 3 AND e.id %% 10 = 0 THEN 'rejected' ELSE 'submitted' END, '{}'::jsonb,
                    250 + floor(random() * 251)::int, '', now(), NULL,
                    CASE WHEN k = 3 AND e.id %% 10 = 0 THEN '退回重查' ELSE '' END,
                    e.community_id, %(system)s, e.district_id, e.id, NULL, e.street_id, 1
                FROM bench_e e CROSS JOIN generate_series(0, 3) k ORDER BY e.id, k""",
                {"year": YEAR, "system": system.pk},
            )
            log(f"  {cur.rowcount:,} inspections")
            cur.execute(
                """
                INSERT INTO assessments_feerate (created_at, updated_at, year, rate, community_id, district_id, estate_id,
                    street_id, updated_by_id)
                SELECT now(), now(), %(year)s, round((30 + random() * 69.99)::numeric, 2), community_id, district_id, id,
                    street_id, %(system)s
                FROM bench_e WHERE id %% 7 <> 0""",
                {"year": YEAR, "system": system.pk},
            )
            log(f"  {cur.rowcount:,} fee rates")
            columns = """service_code, channel, party_name, party_phone, respondent, description,
                    status, status_notes, requested_datetime, limit_hours, expected_datetime, closed_datetime,
                    satisfaction, satisfaction_note, imported, created_at, updated_datetime, community_id,
                    created_by_id, district_id, estate_id, referred_department_id, street_id, version"""
            rest, rest_values, rest_params = _other_columns(DisputeCase, columns)
            cur.execute(
                f"""
                INSERT INTO disputes_disputecase ({columns}{rest})
                SELECT (ARRAY['property_fee','maintenance','parking','sanitation','committee','neighbours','other'])[1 + g %% 7],
                    (ARRAY['window','phone','hotline_12345','grid','other'])[1 + g %% 5], '', '', '', '压测纠纷',
                    CASE WHEN c.open THEN (ARRAY['received','mediating'])[1 + g %% 2]
                         ELSE (ARRAY['resolved','resolved','resolved','resolved','terminated'])[1 + g %% 5] END,
                    '', c.req, 360, c.req + interval '360 hours', CASE WHEN c.open THEN NULL ELSE c.req + c.took END,
                    '', '', true, now(), now(), e.community_id, %(system)s, e.district_id, e.id, NULL, e.street_id, 1
                    {rest_values}
                FROM (SELECT g, make_timestamptz(%(year)s, 1, 1, 0, 0, 0, 'Asia/Shanghai') + random() * interval '364 days' AS req,
                             random() < 0.08 AS open, random() * interval '450 hours' AS took,
                             1 + floor(random() * %(n)s)::int AS rn
                      FROM generate_series(1, %(m)s) g) c
                JOIN bench_e e ON e.rn = c.rn""",
                {"year": YEAR, "system": system.pk, "n": n, "m": disputes, **rest_params},
            )
            log(f"  {cur.rowcount:,} dispute cases")
            columns = """service_code, urgency, description, building, unit, channel,
                    reporter_name, reporter_phone, lat, long, status, status_notes, requested_datetime, limit_hours,
                    expected_datetime, dispatched_datetime, arrived_datetime, completed_datetime, cost_fen,
                    satisfaction, satisfaction_note, imported, created_at, updated_datetime, community_id,
                    created_by_id, district_id, estate_id, street_id, team_id, version"""
            rest, rest_values, rest_params = _other_columns(RepairRequest, columns)
            cur.execute(
                f"""
                INSERT INTO disputes_repairrequest ({columns}{rest})
                SELECT (ARRAY['water_pipe','drain','power','roof','lift','other'])[1 + g %% 6],
                    CASE WHEN c.hours = 24 THEN 'urgent' ELSE 'normal' END, '压测维修', '', '', 'phone', '', '', NULL, NULL,
                    CASE WHEN c.open THEN (ARRAY['open','dispatched','arrived'])[1 + g %% 3] ELSE 'completed' END, '',
                    c.req, c.hours, c.req + c.hours * interval '1 hour', NULL, NULL,
                    CASE WHEN c.open THEN NULL ELSE c.req + c.took END, NULL, '', '', true, now(), now(),
                    e.community_id, %(system)s, e.district_id, e.id, e.street_id, NULL, 1
                    {rest_values}
                FROM (SELECT g, make_timestamptz(%(year)s, 1, 1, 0, 0, 0, 'Asia/Shanghai') + random() * interval '364 days' AS req,
                             random() < 0.05 AS open, CASE WHEN random() < 0.25 THEN 24 ELSE 72 END AS hours,
                             random() * interval '90 hours' AS took, 1 + floor(random() * %(n)s)::int AS rn
                      FROM generate_series(1, %(m)s) g) c
                JOIN bench_e e ON e.rn = c.rn""",
                {"year": YEAR, "system": system.pk, "n": n, "m": repairs, **rest_params},
            )
            log(f"  {cur.rowcount:,} repair requests")
            cur.execute("DROP TABLE bench_e")
        xuanwu_street = Street.objects.get(name="梅园新村街道")
        for username, role, unit in [
            ("bench_city", Role.CITY_ADMIN, {}),
            ("bench_district", Role.DISTRICT_STAFF, {"district_id": xuanwu_street.district_id}),
            ("bench_street", Role.STREET_CLERK, {"street": xuanwu_street}),
        ]:
            User.objects.create(username=username, role=role, full_name=username, **unit)
        with connection.cursor() as cur:
            cur.execute("CREATE TABLE bench_meta (estates int, version int, loaded_at timestamptz DEFAULT now())")
            cur.execute("INSERT INTO bench_meta (estates, version) VALUES (%s, %s)", [n, VERSION])
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")  # what autovacuum does after a load


def phase_prepare(args) -> dict:
    loaded = ensure_database(os.environ["DATABASE_URL"], args.estates, args.fresh)
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)  # a reused data set gets the migrations added since
    if loaded:
        return {"loaded": False}
    log(f"migrated ({time.perf_counter() - started:.0f} s); loading {args.estates:,} estates")
    t = time.perf_counter()
    load(args.estates)
    return {"loaded": True, "load_s": round(time.perf_counter() - t, 1)}


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


# --- pages ----------------------------------------------------------------------------------------
def _pages_cases(n_pages: int):
    """(label, user, url for the i-th request): the first ten pages in turn, as people page."""
    return [
        ("小区列表页（市级）", "bench_city", lambda i: f"/registry/estates/?page={1 + i % 10}"),
        ("小区列表页（区级）", "bench_district", lambda i: f"/registry/estates/?page={1 + i % 10}"),
        ("小区 API 列表（市级）", "bench_city", lambda i: f"/api/estates/?page={1 + i % 10}"),
        ("逾期清单·纠纷（市级）", "bench_city", lambda i: f"/cases/overdue/?kind=disputes&page={1 + i % 10}"),
        ("逾期清单·维修（市级）", "bench_city", lambda i: f"/cases/overdue/?kind=repairs&page={1 + i % 10}"),
        ("逾期清单·纠纷（区级）", "bench_district", lambda i: f"/cases/overdue/?kind=disputes&page={1 + i % 10}"),
        ("名称搜索·2字（市级）", "bench_city", lambda i: f"/registry/estates/?q={PLACES[i % len(PLACES)]}"),
        (
            "名称搜索·4字（市级）",
            "bench_city",
            lambda i: f"/registry/estates/?q={PLACES[i % len(PLACES)]}{SUFFIXES[i % len(SUFFIXES)]}",
        ),
        ("名称搜索 API·2字（市级）", "bench_city", lambda i: f"/api/estates/?q={PLACES[i % len(PLACES)]}"),
        # The pages a city or district user opens from the menu (issue 15.15).
        ("首页（市级）", "bench_city", lambda i: "/"),
        ("首页（区级）", "bench_district", lambda i: "/"),
        ("首页（街道）", "bench_street", lambda i: "/"),
        ("考核结果列表（市级）", "bench_city", lambda i: f"/assessments/results/?year={YEAR}&page={1 + i % 10}"),
        ("考核结果列表（区级）", "bench_district", lambda i: f"/assessments/results/?year={YEAR}&page={1 + i % 10}"),
        (
            "测算·三星改4.00（市级）",
            "bench_city",
            lambda i: f"/subsidies/what-if/?year={YEAR}&run=1&rate_三星=4.00&rate_二星=2.40&rate_一星=1.20&city_share=0.30",
        ),
        ("人员配备达标（市级）", "bench_city", lambda i: "/staffing/compliance/"),
        ("管理覆盖（市级）", "bench_city", lambda i: "/staffing/coverage/"),
        ("分配表详情（区级）", "bench_district", lambda i: f"/subsidies/sheets/{_sheet_of('bench_district')}/"),
    ]


@functools.lru_cache
def _sheet_of(username: str) -> int:
    """The current allocation sheet of YEAR for the user's district (computed by the cycle)."""
    from accounts.models import User
    from subsidies.models import AllocationSheet

    district_id = User.objects.get(username=username).district_id
    sheet = AllocationSheet.objects.filter(year=YEAR, district_id=district_id).order_by("-version", "-id").first()
    assert sheet is not None, "no allocation sheet: run the cycle phase first"
    return sheet.pk


def phase_pages(args) -> dict:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    out = []
    clients = {}
    for label, username, url_for in _pages_cases(10):
        client = clients.get(username)
        if client is None:
            client = clients[username] = Client()
            client.force_login(User.objects.get(username=username))
        for i in range(5):  # warm-up
            client.get(url_for(i))
        times, cpu, queries, db, work, session_writes = [], [], [], [], [], 0
        for i in range(args.requests):
            url = url_for(i)
            with CaptureQueriesContext(connection) as ctx:
                t, c = time.perf_counter(), time.process_time()
                response = client.get(url)
                times.append((time.perf_counter() - t) * 1000)
                cpu.append((time.process_time() - c) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            # The idle-session clock is rewritten once a minute (BEGIN, UPDATE django_session,
            # COMMIT): bookkeeping of the sign-in, not of the page; counted apart.
            session = [q for q in ctx.captured_queries if q["sql"].startswith('UPDATE "django_session"')]
            session_writes += bool(session)
            queries.append(len(ctx.captured_queries) - 3 * len(session))
            db.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
            work.append(cpu[-1] + db[-1])
        times.sort()
        work.sort()
        out.append(
            {
                "label": label,
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
                "cpu_p50_ms": round(statistics.median(cpu), 1),
                "db_p50_ms": round(statistics.median(db), 1),
                "work_p50_ms": round(statistics.median(work), 1),
                "work_p95_ms": round(work[int(len(work) * 0.95) - 1], 1),
                "queries_min": min(queries),
                "queries_max": max(queries),
                "session_writes": session_writes,
                "requests": len(times),
            }
        )
        log(f"  {label}: p50 {out[-1]['p50_ms']} ms, p95 {out[-1]['p95_ms']} ms, queries {min(queries)}–{max(queries)}")
    return {"pages": out, "search": search_probe()}


def search_probe() -> dict:
    """What pg_trgm would do with Chinese in this database's locale, beside the character-pair
    index the search uses (communities/search.py)."""
    from django.db import connection

    out = {}
    with connection.cursor() as cur:
        cur.execute("SELECT datcollate, datctype FROM pg_database WHERE datname = current_database()")
        out["collate"], out["ctype"] = cur.fetchone()
        cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cur.execute("SELECT show_trgm('梅园新村'), show_trgm('梅园')")
        out["trigrams_of_梅园新村"], out["trigrams_of_梅园"] = cur.fetchone()

        def timed(sql, params, repeat=20):
            times = []
            for i in range(repeat):
                t = time.perf_counter()
                cur.execute(sql, [p.format(PLACES[i % len(PLACES)]) for p in params])
                cur.fetchall()
                times.append((time.perf_counter() - t) * 1000)
            return round(statistics.median(times), 1)

        count = "SELECT count(*) FROM communities_estate WHERE "
        out["seq_scan_ilike_ms"] = timed(count + "name ILIKE %s", ["%{}%"])
        out["ngram_index_ms"] = timed(
            count + "registry_ngrams(name::text) @> registry_query_ngrams(%s::text) AND name ILIKE %s", ["{}", "%{}%"]
        )
        cur.execute("CREATE INDEX bench_estate_name_trgm ON communities_estate USING gin (name gin_trgm_ops)")
        cur.execute("ANALYZE communities_estate")
        out["trgm_index_2char_ms"] = timed(count + "name ILIKE %s", ["%{}%"])
        out["trgm_index_4char_ms"] = timed(count + "name ILIKE %s", ["%{}新村%"])
        cur.execute("EXPLAIN SELECT count(*) FROM communities_estate WHERE name ILIKE '%梅园%'")
        out["trgm_plan_2char"] = " / ".join(r[0].strip() for r in cur.fetchall()[:3])
        cur.execute("DROP INDEX bench_estate_name_trgm")
    return out


# --- throughput -----------------------------------------------------------------------------------
def phase_token(args) -> dict:
    import django

    django.setup()
    from rest_framework.authtoken.models import Token

    from accounts.models import User

    token, _ = Token.objects.get_or_create(user=User.objects.get(username="bench_city"))
    return {"token": token.key}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hammer(port: int, path_for, headers: dict, seconds: float, clients: int = 8) -> dict:
    """`clients` threads, each sending one request after the other (a new connection each, as
    gunicorn's sync workers close it) for `seconds`; completed 200 responses per second."""
    import http.client

    stop = time.perf_counter() + seconds
    counts, errors, latencies = [0] * clients, [0] * clients, [[] for _ in range(clients)]

    def worker(k):
        i = k
        while time.perf_counter() < stop:
            t = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.request("GET", path_for(i), headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    counts[k] += 1
                    latencies[k].append((time.perf_counter() - t) * 1000)
                else:
                    errors[k] += 1
            except OSError:
                errors[k] += 1
            finally:
                conn.close()
            i += clients

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - started
    lat = sorted(x for part in latencies for x in part)
    return {
        "rps": round(sum(counts) / elapsed, 1),
        "requests": sum(counts),
        "errors": sum(errors),
        "p50_ms": round(statistics.median(lat), 1) if lat else None,
    }


def throughput(url: str, token: str, seconds: float, workers: int) -> dict:
    port = free_port()
    env = {**os.environ, **BENCH_ENV, "DATABASE_URL": url}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.3)
        api_headers = {"Authorization": f"Token {token}", "Host": "127.0.0.1"}
        floor_headers = {"Host": "127.0.0.1"}
        out = {"workers": workers, "clients": 8, "seconds": seconds}
        # Alternated twice (api, floor, api, floor), the better of each kept: the machine is shared.
        for _ in range(2):
            for name, path_for, headers in [
                ("api", lambda i: f"/api/estates/?page={1 + i % 10}", api_headers),
                ("floor", lambda i: f"/bench-floor/estates/?page={1 + i % 10}", floor_headers),
            ]:
                hammer(port, path_for, headers, min(3.0, seconds), clients=8)  # warm every worker
                got = hammer(port, path_for, headers, seconds, clients=8)
                out.setdefault(name + "_all", []).append(got)
                log(f"  {name}: {got}")
        for name in ("api", "floor"):
            out[name] = max(out[name + "_all"], key=lambda x: x["rps"])
        return out
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


# --- orchestration --------------------------------------------------------------------------------
def child(phase: str, url: str, *extra: str) -> dict:
    """Run one phase in a fresh Python process (its own peak memory) and return its JSON."""
    env = {**os.environ, **BENCH_ENV, "DATABASE_URL": url}
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--phase", phase, *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    if proc.returncode:
        raise SystemExit(f"phase {phase} failed ({proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def machine() -> dict:
    def cmd(*args):
        try:
            return subprocess.run(args, capture_output=True, text=True, timeout=10).stdout.strip()
        except OSError:
            return ""

    lscpu = {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in cmd("lscpu").splitlines())}
    mem_kb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    return {
        "cpu": lscpu.get("Model name", platform.processor()),
        "cpus": lscpu.get("CPU(s)"),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "load": os.getloadavg(),
    }


def ratio(a, b):
    return f"{a / b:.2f}×" if a and b else "—"


def goal(ok: bool | None) -> str:
    return "—" if ok is None else ("达标" if ok else "未达标")


def table(r: dict) -> str:
    n = r["estates"]
    rows = []
    cf, cr, fl, tenth = r["cycle_first"], r["cycle_rerun"], r["floor"], r.get("cycle_tenth")
    floor_text = f"{fl['seconds']:.1f} s（经客户端 {fl['transport_s']:.1f} s）"
    for label, c in (("考核计分（首次）", cf), ("考核计分（重算）", cr)):
        rows.append(
            (
                label,
                f"{c['seconds']:.1f} s（Python CPU {c['cpu_s']:.1f} s），峰值 {c['peak_mb']} MB",
                floor_text,
                ratio(c["seconds"], fl["seconds"]),
                "≤3× 且 <60 s",
                goal(c["seconds"] <= 3 * fl["seconds"] and c["seconds"] < 60),
            )
        )
    wb = r["workbook"]
    goal_wb = "≤1.5× 且 <300 MB"
    if wb.get("available") and wb.get("export_s") is not None and wb.get("allocation_rows", 1):
        ok = wb["export_s"] <= 1.5 * wb["floor_s"] and wb["export_peak_mb"] < 300
        rows.append(
            (
                f"补助分配表（{wb.get('allocation_rows', 0):,} 行）",
                f"{wb['export_s']:.1f} s，峰值 +{wb['export_peak_mb']:.0f} MB",
                f"{wb['floor_s']:.1f} s，峰值 +{wb['floor_peak_mb']:.0f} MB",
                ratio(wb["export_s"], wb["floor_s"]),
                goal_wb,
                goal(ok),
            )
        )
    elif wb.get("available"):
        rows.append(
            (
                "补助分配表",
                "该年度没有分配行" if not wb.get("allocation_rows", 1) else json.dumps(wb)[:60],
                "—",
                "—",
                goal_wb,
                "—",
            )
        )
    else:
        rows.append(("补助分配表", "not available（无 bench/workbook.py）", "—", "—", goal_wb, "—"))
    for p in r["pages"]["pages"]:
        q = str(p["queries_min"]) if p["queries_min"] == p["queries_max"] else f"{p['queries_min']}–{p['queries_max']}"
        constant = p["queries_min"] == p["queries_max"]
        verdict = goal(p["p95_ms"] < 150 and constant)
        if constant and p["p95_ms"] >= 150 and p["work_p95_ms"] < 150:
            verdict = "按 CPU+库 达标"
        rows.append(
            (
                p["label"],
                f"p50 {p['p50_ms']} / p95 {p['p95_ms']} ms",
                f"CPU+库 p50 {p['work_p50_ms']} / p95 {p['work_p95_ms']} ms；查询 {q} 条",
                "—",
                "p95 <150 ms，查询数恒定",
                verdict,
            )
        )
    rm = r.get("reminders")
    if rm:
        rows.append(
            (
                f"晨间提醒（{rm['users']:,} 个用户）",
                f"{rm['seconds']:.1f} s（CPU {rm['cpu_s']:.1f} s），新提醒 {rm['created']:,} 条",
                f"同一早晨再跑：{rm['second_run_s']:.1f} s，新增 {rm['second_run_created']} 条",
                "—",
                "<60 s 且再跑不重复",
                goal(rm["seconds"] < 60 and rm["second_run_created"] == 0),
            )
        )
    t = r["throughput"]
    rows.append(
        (
            f"API 吞吐（8 并发，{t['workers']} 个 worker）",
            f"{t['api']['rps']} req/s",
            f"{t['floor']['rps']} req/s",
            ratio(t["api"]["rps"], t["floor"]["rps"]),
            "≥0.5×",
            goal(t["api"]["rps"] >= 0.5 * t["floor"]["rps"]),
        )
    )
    if tenth:
        rows.append(
            (
                f"扩展性（{n // 10:,} → {n:,}）",
                f"{tenth['seconds']:.1f} s → {cf['seconds']:.1f} s",
                f"线性 ≈ 10；CPU {tenth['cpu_s']:.1f} → {cf['cpu_s']:.1f} s（{ratio(cf['cpu_s'], tenth['cpu_s'])}）",
                ratio(cf["seconds"], tenth["seconds"]),
                "≤12",
                goal(cf["seconds"] / tenth["seconds"] <= 12),
            )
        )
    headers = ("项目", "实测（墙钟）", "底线（floor）／页面：每请求 CPU+数据库", "倍数", "目标", "结论")
    widths = [max(_w(str(row[i])) for row in (headers, *rows)) for i in range(len(headers))]
    lines = [" | ".join(_pad(str(c), widths[i]) for i, c in enumerate(headers)), "-+-".join("-" * w for w in widths)]
    lines += [" | ".join(_pad(str(c), widths[i]) for i, c in enumerate(row)) for row in rows]
    return "\n".join(lines)


def _w(s: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, width: int) -> str:
    return s + " " * (width - _w(s))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--estates", type=int, default=FULL_SCALE)
    parser.add_argument("--fresh", action="store_true", help="drop and reload the data sets")
    parser.add_argument("--requests", type=int, default=200, help="requests per page figure")
    parser.add_argument("--seconds", type=float, default=15, help="duration of each throughput run")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers for the throughput figure")
    parser.add_argument("--skip-scaling", action="store_true")
    parser.add_argument("--repeat", type=int, default=2, help="cycle and floor measurements (the fastest is kept)")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="first", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        os.environ.update({k: v for k, v in BENCH_ENV.items() if k not in os.environ})
        result = globals()[f"phase_{args.phase}"](args)
        print(json.dumps(result, ensure_ascii=False, default=str))
        return

    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            f"The benchmark runs on PostgreSQL: set DATABASE_URL=postgres://… (or leave it unset for {DEFAULT_URL})."
        )
    n = args.estates
    tenth_url = with_db(url, urlsplit(url).path.lstrip("/") + "_tenth")
    fresh = ["--fresh"] if args.fresh else []
    r = {"estates": n, "machine": machine(), "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}
    log(f"data set: {n:,} estates in {urlsplit(url).path.lstrip('/')}")
    r["load"] = child("prepare", url, "--estates", str(n), *fresh)
    log(f"  {r['load']}")
    if not args.skip_scaling:
        log(f"data set: {n // 10:,} estates in {urlsplit(tenth_url).path.lstrip('/')}")
        r["load_tenth"] = child("prepare", tenth_url, "--estates", str(n // 10), *fresh)
    # On a shared machine one run can be slowed by anything else running: each cycle figure and
    # its floor are measured --repeat times, interleaved, and the fastest of each is kept (all
    # are in the JSON file).
    for key in ("cycle_first", "cycle_rerun", "floor", "cycle_tenth"):
        r[key + "_all"] = []
    for i in range(args.repeat):
        log(f"cycle: first run ({i + 1}/{args.repeat})")
        r["cycle_first_all"].append(child("cycle", url, "--mode", "first"))
        log(f"  {r['cycle_first_all'][-1]}")
        log("cycle: re-run")
        r["cycle_rerun_all"].append(child("cycle", url, "--mode", "rerun"))
        log(f"  {r['cycle_rerun_all'][-1]}")
        log("cycle: floor")
        r["floor_all"].append(child("floor", url))
        log(f"  {r['floor_all'][-1]}")
        if not args.skip_scaling:
            log(f"cycle at {n // 10:,} estates")
            r["cycle_tenth_all"].append(child("cycle", tenth_url, "--mode", "first"))
            log(f"  {r['cycle_tenth_all'][-1]}")
    for key in ("cycle_first", "cycle_rerun", "cycle_tenth"):
        if r[key + "_all"]:
            r[key] = min(r[key + "_all"], key=lambda x: x["seconds"])
    r["floor"] = {
        "seconds": min(x["seconds"] for x in r["floor_all"]),
        "transport_s": min(x["transport_s"] for x in r["floor_all"]),
        "rows": r["floor_all"][0]["rows"],
    }
    log("allocation workbook")
    r["workbook"] = child("workbook", url)
    log(f"  {r['workbook']}")
    log("morning reminders")
    r["reminders"] = child("reminders", url)
    log(f"  {r['reminders']}")
    log(f"pages: {args.requests} requests each")
    load_before = os.getloadavg()[0]
    r["pages"] = child("pages", url, "--requests", str(args.requests))
    r["pages"]["load"] = [load_before, os.getloadavg()[0]]
    log(f"  search: {r['pages']['search']}")
    log(f"throughput: 8 clients, {args.seconds:.0f} s each")
    token = child("token", url)["token"]
    r["throughput"] = throughput(url, token, args.seconds, args.workers)
    r["machine"]["load_end"] = os.getloadavg()
    r["finished"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    out = ROOT / "var" / "bench" / f"result-{n}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(r, ensure_ascii=False, indent=1, default=str))
    m = r["machine"]
    print(f"\n老旧小区管理平台 · 压测 {n:,} 个小区（{r['started']} – {r['finished']}）")
    print(f"{m['cpu']}，{m['cpus']} CPU，{m['memory_gb']} GB；负载 {m['load'][0]:.2f} → {m['load_end'][0]:.2f}\n")
    print(table(r))
    s = r["pages"]["search"]
    print(
        f"\n名称搜索：库 ctype {s['ctype']}；pg_trgm 对“梅园新村”取出 {s['trigrams_of_梅园新村']}；"
        f"全表 ILIKE {s['seq_scan_ilike_ms']} ms，字对索引 {s['ngram_index_ms']} ms，"
        f"trigram 索引 2 字 {s['trgm_index_2char_ms']} ms / 4 字 {s['trgm_index_4char_ms']} ms"
    )
    print(f"详细数据：{out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
