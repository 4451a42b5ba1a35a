"""The page phase (bench/run.py): server time of the list pages, the API list and the name
search, in-process through django.test.Client, with each request's queries."""

from __future__ import annotations

import functools
import statistics
import time

from bench.common import (
    PLACES,
    SUFFIXES,
    YEAR,
    log,
)


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
