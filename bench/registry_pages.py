"""Registry pages at national scale: load N estates (default 220,000) into the database named by
DATABASE_URL, then time the estate list (and the API list) for a city, a district and a street
user across filters, searches, sorts and deep pages.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/laojiu_bench \\
        .venv/bin/python bench/registry_pages.py --estates 220000

Server time is measured in-process around the view (Django test client, no network), median of
--repeat runs after a warm-up; the query count and the database time of each page are printed.
The data is synthetic but shaped like the registry: 101 streets, ~25 estates per community,
estate names built from common place names and suffixes.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench.common import PLACES, SUFFIXES  # noqa: E402 - the benchmark's place names and estate suffixes

PER_COMMUNITY = 25


def load(n_estates: int, seed: int = 7):
    from django.db import connection, transaction

    from accounts.models import User
    from communities.models import Community, Estate, ServiceFirm, Street

    existing = Estate.objects.count()
    if existing >= n_estates:
        print(f"{existing} estates already loaded")
        return
    rng = random.Random(seed)
    streets = list(Street.objects.select_related("district").order_by("code"))
    weights = [6 if s.district.is_main_urban else 2 for s in streets]
    total_weight = sum(weights)
    firm_ids = list(ServiceFirm.objects.values_list("id", flat=True))
    started = time.perf_counter()
    with transaction.atomic():
        communities = []
        for street, weight in zip(streets, weights, strict=True):
            share = max(1, round(n_estates * weight / total_weight / PER_COMMUNITY))
            for i in range(share):
                communities.append(
                    Community(name=f"{rng.choice(PLACES)}第{i + 1}社区", street=street, district_id=street.district_id)
                )
        Community.objects.bulk_create(communities, batch_size=5000)
        communities = list(Community.objects.order_by("id").values_list("id", "street_id", "district_id"))
        estates = []
        code = 0
        while code < n_estates:
            for community_id, street_id, district_id in communities:
                if code >= n_estates:
                    break
                code += 1
                renovated = rng.random() < 0.45
                estates.append(
                    Estate(
                        code=f"E{code:07d}",
                        name=f"{rng.choice(PLACES)}{rng.choice(SUFFIXES)}{rng.randint(1, 60)}号",
                        community_id=community_id,
                        street_id=street_id,
                        district_id=district_id,
                        building_area=Decimal(rng.randint(200000, 9000000)) / 100,
                        households=rng.randint(40, 2000),
                        buildings=rng.randint(1, 60),
                        year_built=rng.randint(1960, 2005),
                        category="renovated" if renovated else rng.choice(["unrenovated", "unrenovated", "affordable"]),
                        renovation_year=rng.randint(2012, 2025) if renovated else None,
                        management_mode=rng.choice(
                            ["public_welfare", "market", "self_managed", "basic_service", "none"]
                        ),
                        service_firm_id=rng.choice(firm_ids) if firm_ids and rng.random() < 0.6 else None,
                    )
                )
                if len(estates) >= 10000:
                    Estate.objects.bulk_create(estates, batch_size=5000)
                    estates = []
        if estates:
            Estate.objects.bulk_create(estates, batch_size=5000)
        if not User.objects.filter(username="bench_city").exists():
            from accounts.choices import Role
            from tests.factories import make_user

            make_user("bench_city", Role.CITY_ADMIN)
            xuanwu_street = Street.objects.get(name="梅园新村街道")
            make_user("bench_district", Role.DISTRICT_STAFF, xuanwu_street.district)
            make_user("bench_street", Role.STREET_CLERK, xuanwu_street)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"loaded {Estate.objects.count()} estates in {len(communities)} communities "
        f"in {time.perf_counter() - started:.0f} s"
    )


CASES = [
    ("默认（按编码）", ""),
    ("第 2000 页", "page=deep"),
    ("末页", "page=last"),
    ("区", "district=320102"),
    ("区+街道", "district=320102&street=320102002"),
    ("类别+模式", "category=renovated&management_mode=market"),
    ("整治年份", "category=renovated&renovation_year=2019"),
    ("名称搜索（2字）", "q=梅园"),
    ("名称搜索（4字）", "q=梅园新村"),
    ("名称搜索（罕见）", "q=银城花园7号"),
    ("编码搜索", "q=E0123456"),
    ("编码前缀", "q=E01234"),
    ("按名称排序", "ordering=name"),
    ("按面积倒序", "ordering=-building_area"),
    ("按街道排序", "ordering=street"),
    ("按年份排序", "ordering=-year_built"),
    ("每页100条", "per_page=100"),
]


OTHER_PAGES = [
    ("首页", "/"),
    ("区和街道", "/registry/districts/"),
    ("玄武区页", "/registry/districts/320102/"),
    ("梅园新村街道页", "/registry/streets/320102002/"),
    ("企业名录", "/registry/firms/"),
    ("物管会列表", "/registry/committees/"),
    ("小区详情", "estate"),
]


def measure(client, url, repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm-up
    times, db_times, cpu_times, queries = [], [], [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            cpu_times.append((time.process_time() - cpu_started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx.captured_queries)
        db_times.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
    return statistics.median(times), statistics.median(db_times), queries, statistics.median(cpu_times)


def run(repeat: int, users: list[str]):
    from django.test import Client

    from accounts.models import User

    # 服务器: wall time of the request in-process; 数据库: time spent waiting on queries;
    # CPU: this process's CPU time (Python: view, ORM, templates). On a busy machine the wall time
    # includes waiting for a CPU; CPU + 数据库 estimates the time on an idle one.
    print(f"{'用户':<16}{'页面':<18}{'服务器(ms)':>12}{'CPU(ms)':>10}{'数据库(ms)':>12}{'查询数':>8}")
    worst = 0.0
    for username in users:
        client = Client()
        client.force_login(User.objects.get(username=username))
        for label, query in CASES:
            for base in ("/registry/estates/", "/api/estates/"):
                if base.startswith("/api/") and "per_page" in query:
                    continue
                if query in ("page=last", "page=deep"):
                    from communities.models import Estate

                    count = Estate.objects.visible_to(User.objects.get(username=username)).count()
                    last = max(1, -(-count // 50))
                    query = f"page={last if query == 'page=last' else min(2000, last)}"
                url = base + (f"?{query}" if query else "")
                server, db, n, cpu = measure(client, url, repeat)
                worst = max(worst, server)
                kind = "API " if base.startswith("/api/") else ""
                print(f"{username:<16}{kind + label:<18}{server:>12.1f}{cpu:>10.1f}{db:>12.1f}{n:>8}")
        from communities.models import Estate

        user = User.objects.get(username=username)
        for label, url in OTHER_PAGES:
            if url == "estate":
                url = f"/registry/estates/{Estate.objects.visible_to(user).order_by('code').values_list('pk', flat=True)[0]}/"
            server, db, n, cpu = measure(client, url, repeat)
            worst = max(worst, server)
            print(f"{username:<16}{label:<18}{server:>12.1f}{cpu:>10.1f}{db:>12.1f}{n:>8}")
    print(f"最慢的中位数: {worst:.1f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--estates", type=int, default=220_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-load", action="store_true")
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    if not args.skip_load:
        load(args.estates)
    run(args.repeat, ["bench_city", "bench_district", "bench_street"])


if __name__ == "__main__":
    main()
