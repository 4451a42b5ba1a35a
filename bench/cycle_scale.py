"""Quick measurement of the yearly cycle at scale (assessments), on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/laojiu_bench_cycle \
        python bench/cycle_scale.py --estates 220000 [--keep]

Creates the database if needed (migrate), fills N estates (4 inspections each, a fee rate for
most), runs the cycle in-process, and prints its time and peak memory, then the floor: the time
PostgreSQL alone takes to read the same inputs (grouped) and write as many result rows (COPY).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fill(n: int):
    from django.db import connection

    from communities.models import Community, Estate, Street

    if Estate.objects.count() >= n:
        return
    rng = random.Random(42)
    streets = list(Street.objects.all())
    per_community = 50
    communities = []
    for i in range((n + per_community - 1) // per_community):
        st = streets[i % len(streets)]
        communities.append(Community(name=f"压测社区{i}", street=st, district_id=st.district_id))
    Community.objects.bulk_create(communities, batch_size=5000)
    communities = list(
        Community.objects.filter(name__startswith="压测社区").values_list("id", "street_id", "district_id")
    )
    cats = ["renovated", "unrenovated", "affordable"]
    with connection.cursor() as cur:
        raw = cur.cursor
        with raw.copy(
            "COPY communities_estate (code, name, district_id, street_id, community_id, address, grid_code, "
            "building_area, category, renovation_year, management_mode, version, created_at, updated_at) FROM STDIN"
        ) as cp:
            for i in range(n):
                cid, sid, did = communities[i // per_community]
                cat = cats[i % 3]
                cp.write_row(
                    (
                        f"B{i:07d}",
                        f"压测小区{i}",
                        did,
                        sid,
                        cid,
                        "",
                        "",
                        f"{rng.randint(2000, 120000)}.{rng.randint(0, 99):02d}",
                        cat,
                        2017 if cat == "renovated" else None,
                        "none",
                        1,
                        "now()",
                        "now()",
                    )
                )
    from accounts.models import User

    system = User.objects.get(username="system")
    estates = list(Estate.objects.values_list("id", "district_id", "street_id", "community_id", "category"))
    with connection.cursor() as cur:
        raw = cur.cursor
        with raw.copy(
            "COPY assessments_inspection (estate_id, district_id, street_id, community_id, year, date, inspector_name, "
            "source, status, scores, total_tenths, note, created_by_id, review_note, created_at, updated_at) FROM STDIN"
        ) as cp:
            for eid, did, sid, cid, _cat in estates:
                for k in range(4):
                    total = rng.randint(250, 500)
                    status = "rejected" if k == 3 and eid % 10 == 0 else "submitted"
                    cp.write_row(
                        (
                            eid,
                            did,
                            sid,
                            cid,
                            2019,
                            f"2019-{k * 3 + 1:02d}-15",
                            "压测",
                            "street",
                            status,
                            "{}",
                            total,
                            "",
                            system.pk,
                            "退回" if status == "rejected" else "",
                            "now()",
                            "now()",
                        )
                    )
        with raw.copy(
            "COPY assessments_feerate (estate_id, district_id, street_id, community_id, year, rate, updated_by_id, "
            "created_at, updated_at) FROM STDIN"
        ) as cp:
            for eid, did, sid, cid, _cat in estates:
                if eid % 7:
                    cp.write_row(
                        (
                            eid,
                            did,
                            sid,
                            cid,
                            2019,
                            f"{rng.randint(30, 99)}.{rng.randint(0, 99):02d}",
                            system.pk,
                            "now()",
                            "now()",
                        )
                    )
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")  # what autovacuum does after a load


def floor(n: int) -> float:
    """PostgreSQL alone: read the inputs grouped as the cycle does, and write n result rows
    (COPY) into a table shaped like the results table, with its indexes, committed."""
    from django.db import connection, transaction

    from assessments.cycle import RESULT_COLUMNS

    t = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "SELECT id, district_id, street_id, community_id, category, building_area, renovation_year FROM communities_estate"
        )
        estates = cur.fetchall()
        cur.execute(
            "SELECT estate_id, count(*), sum(total_tenths) FROM assessments_inspection WHERE year = 2019 "
            "AND status IN ('submitted', 'approved') GROUP BY estate_id"
        )
        cur.fetchall()
        cur.execute("SELECT estate_id, rate FROM assessments_feerate WHERE year = 2019")
        cur.fetchall()
        cur.execute("DROP TABLE IF EXISTS bench_floor_results")
        cur.execute("CREATE TABLE bench_floor_results (LIKE assessments_estateresult INCLUDING ALL)")
        with cur.cursor.copy(f"COPY bench_floor_results ({', '.join(c for c in RESULT_COLUMNS)}) FROM STDIN") as cp:
            for eid, did, sid, cid, cat, area, ry in estates:
                cp.write_row(
                    (
                        0,
                        eid,
                        did,
                        sid,
                        cid,
                        2019,
                        True,
                        True,
                        40,
                        20,
                        20,
                        8,
                        88,
                        "二星",
                        1,
                        cat,
                        area,
                        ry,
                        4,
                        1600,
                        90,
                        0,
                        0,
                        0,
                        0,
                    )
                )
    elapsed = time.perf_counter() - t
    with connection.cursor() as cur:
        cur.execute("DROP TABLE bench_floor_results")
    return elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--estates", type=int, default=220_000)
    args = parser.parse_args()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: set DATABASE_URL")
    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    fill(args.estates)
    print(f"data: {args.estates:,} estates, {4 * args.estates:,} inspections ({time.perf_counter() - t:.1f} s)")

    from accounts.models import User
    from assessments.cycle import run_in_process
    from assessments.models import AssessmentYear

    AssessmentYear.objects.filter(year=2019).delete()
    base = peak_mb()
    t = time.perf_counter()
    run = run_in_process(2019, by=User.objects.get(username="system"))
    cycle_s = time.perf_counter() - t
    print(
        f"cycle: {run.status}, {run.estates_total:,} estates, {run.estates_assessed:,} assessed in {cycle_s:.1f} s; "
        f"peak RSS {peak_mb():.0f} MB (before {base:.0f} MB); phases {run.result.get('timing')}"
    )
    f = floor(args.estates)
    print(f"floor (read inputs + write as many result rows, indexed, committed): {f:.1f} s; ratio {cycle_s / f:.2f}×")


if __name__ == "__main__":
    main()
