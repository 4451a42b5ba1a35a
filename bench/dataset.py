"""The data set (bench/run.py, phase `prepare`): a PostgreSQL database holding N synthetic estates
and their inspections, fee rates, cases and users, loaded set-based and reused when it matches."""

from __future__ import annotations

import os
import random
import time
from urllib.parse import urlsplit

from bench.common import (
    PER_COMMUNITY,
    PER_DISTRICT,
    PER_STREET,
    PLACES,
    SUFFIXES,
    VERSION,
    YEAR,
    cases_for,
    log,
    with_db,
)


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
    from communities.models import Community, District, ServiceContract, ServiceFirm, Street
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
            # Service firms and their contracts, as a registry at this scale has them: most estates
            # under 公益性物业托管 or 市场化物业 have an active contract (entrusted by the street, or
            # hired by the owners), a quarter of those under 基本服务保障 an entrusted one; the rest
            # are the coverage report's mismatches; one contract in twenty ends within 90 days.
            firm_columns = "created_at, updated_at, name, credit_code, is_public_welfare, founding, district_id"
            rest, rest_values, rest_params = _other_columns(ServiceFirm, firm_columns)
            cur.execute(
                f"""
                INSERT INTO communities_servicefirm ({firm_columns}{rest})
                SELECT now(), now(), '仿真' || g || '号物业服务有限公司', '91' || lpad(g::text, 16, '0'), g %% 3 = 0,
                    CASE WHEN g %% 3 = 0 THEN 'new' ELSE '' END, d.id {rest_values}
                FROM generate_series(1, %(firms)s) g
                JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k, count(*) OVER () AS m FROM communities_district) d
                  ON d.k = g %% d.m""",
                {"firms": max(20, n // 100), **rest_params},
            )
            log(f"  {cur.rowcount:,} service firms")
            contract_columns = """created_at, updated_at, entrusted_by, number, start_date, end_date, terminated_on,
                fee_per_m2_month, cleaning, community_id, created_by_id, district_id, estate_id, firm_id, street_id"""
            rest, rest_values, rest_params = _other_columns(ServiceContract, contract_columns)
            cur.execute(
                f"""
                INSERT INTO communities_servicecontract ({contract_columns}{rest})
                SELECT now(), now(), CASE WHEN e.management_mode = 'market' THEN 'owners' ELSE 'street' END,
                    'HT' || e.id, current_date - 200 - (e.id %% 300)::int,
                    CASE WHEN e.id %% 20 = 0 THEN current_date + (e.id %% 80)::int ELSE current_date + 400 + (e.id %% 700)::int END,
                    NULL, 0.50, true, e.community_id, %(system)s, e.district_id, e.id, f.first + e.id %% f.m, e.street_id
                    {rest_values}
                FROM communities_estate e, (SELECT min(id) AS first, count(*) AS m FROM communities_servicefirm) f
                WHERE (e.management_mode = 'public_welfare' AND e.id %% 10 <> 0)
                   OR (e.management_mode = 'market' AND e.id %% 8 <> 0)
                   OR (e.management_mode = 'basic_service' AND e.id %% 4 = 0)""",
                {"system": system.pk, **rest_params},
            )
            log(f"  {cur.rowcount:,} service contracts")
            # written past the model's receivers: their estates' facts as the nightly task does
            from communities.contract_facts import refresh_all

            log(f"  {refresh_all():,} estates' contract facts")
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
