"""Every URL pattern is classified for every persona, and each answers as classified."""

from __future__ import annotations

import importlib
import pkgutil
import re
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from communities.models import Estate
from tests.conftest import empty_cache
from tests.permission_matrix import CITY, PERSONAS, Route

# Patterns that are not the application's pages: Django admin (limited to city_admin by its own
# login, tested in tests/core/test_admin.py), static and media files in DEBUG.
EXCLUDED_PREFIXES = ("admin:",)
EXCLUDED_NAMES = {None}


def all_routes() -> list[Route]:
    routes = []
    for module in pkgutil.iter_modules(tests.__path__):
        if not module.ispkg:
            continue
        try:
            mod = importlib.import_module(f"tests.{module.name}.routes")
        except ModuleNotFoundError:
            continue
        routes.extend(getattr(mod, "ROUTES", []))
    return routes


def url_names(resolver=None, namespace="") -> set[str]:
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}{pattern.namespace}:"
            names |= url_names(pattern, ns)
        elif isinstance(pattern, URLPattern):
            if pattern.name:
                names.add(f"{namespace}{pattern.name}")
            else:
                names.add(None)
    return names


def test_every_url_pattern_is_classified():
    declared = {r.name for r in all_routes()}
    patterns = {n for n in url_names() if n not in EXCLUDED_NAMES and not n.startswith(EXCLUDED_PREFIXES)}
    missing = sorted(patterns - declared)
    assert not missing, f"URL patterns missing from the permission matrix (tests/<app>/routes.py): {missing}"
    stale = sorted(declared - patterns)
    assert not stale, f"routes in the matrix that no longer exist: {stale}"


def test_every_route_names_every_persona():
    for route in all_routes():
        for table in (route.get, route.post):
            if table is not None:
                assert set(table) == set(PERSONAS), f"{route.name}: personas missing {set(PERSONAS) - set(table)}"


ROUTES = all_routes()


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
def test_route_answers_as_classified(route, client, world):
    """Every persona in turn (one world per route keeps the matrix quick); all mismatches are
    reported together."""
    url = reverse(route.name, kwargs=route.kwargs(world)) + (f"?{route.query}" if route.query else "")
    wrong = []
    for persona in PERSONAS:
        client.logout()
        if persona != "anonymous":
            client.force_login(world.users[persona])
        if route.get is not None:
            status = client.get(url).status_code
            if status != route.get[persona]:
                wrong.append(f"GET as {persona}: {status}, expected {route.get[persona]}")
        if route.post is not None:
            status = client.post(url, {}).status_code
            if status != route.post[persona]:
                wrong.append(f"POST as {persona}: {status}, expected {route.post[persona]}")
    assert not wrong, f"{url}:\n" + "\n".join(wrong)


# --- what a page shows: no name, no count from outside the persona's scope ---------------------
# Each page is rendered as every persona whose scope is smaller than the city; then estates,
# results, appeals and year events are added OUTSIDE that persona's scope and the page is
# rendered again. It must not change: an unscoped count (`1658 / 2095` on 考核概况 for a street
# clerk) or a foreign name (an appeal of a 鼓楼区 estate in a year's 操作记录) would. Estates of
# the world outside the scope must not be named either (their code or name on the page).
LIMITED = tuple(p for p in PERSONAS if p != "anonymous" and p not in CITY)
LEAK_YEAR = 2019

# What differs between two renderings of the same page by itself: the CSRF token (masked anew
# on every request) and the moment the page was rendered.
_VOLATILE = [
    re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'),
    re.compile(r'"X-CSRFToken": "[^"]*"'),
    re.compile(r'<meta name="csrf-token" content="[^"]*">'),
    re.compile(r'type="datetime-local" name="\w+" value="[^"]*"'),  # a form's "now"
    re.compile(r'placeholder="[^"]*"'),  # examples such as "如：梅园 或 MY101"
]


def _normalised(content: bytes) -> str:
    text = content.decode("utf-8", "replace")
    for pattern in _VOLATILE:
        text = pattern.sub("", text)
    return text


def _add_year_results(world, year=LEAK_YEAR):
    """A current run of `year` with a result for every estate, the year published, and per
    district an upheld appeal re-scored (the year event that names it)."""
    from assessments.models import Appeal, AssessmentYear, CycleRun, EstateResult, Scheme, YearEvent

    run = CycleRun.objects.filter(year=year, is_current=True).first() or CycleRun.objects.create(
        year=year,
        scheme=Scheme.objects.get(version=1),
        created_by=world.city_admin,
        status="succeeded",
        is_current=True,
    )
    _results_for(
        run,
        [
            e
            for e in world.estates.values()
            if not EstateResult.objects.filter(estate=e, year=year, is_current=True).exists()
        ],
    )
    state, _ = AssessmentYear.objects.get_or_create(year=year, defaults={"status": "published"})
    for code in ("MY102", "NH101"):
        result = EstateResult.objects.get(estate=world.estates[code], year=year, is_current=True)
        appeal = Appeal.objects.create(
            estate=result.estate,
            year=year,
            result=result,
            reason="收缴率填报有误",
            filed_by=world.city_admin,
            status="upheld",
            decided_by=world.city_admin,
        )
        YearEvent.objects.create(year=state, action="rescore", by=world.city_admin, appeal=appeal)
    return run


def _results_for(run, estates):
    """Results as a run writes them, and the run's own (city-wide) totals."""
    from assessments.models import EstateResult

    run.estates_total = run.estates_total + len(estates)
    run.estates_assessed = run.estates_assessed + len(estates)
    run.save(update_fields=["estates_total", "estates_assessed"])
    for estate in estates:
        EstateResult.objects.create(
            run=run,
            year=run.year,
            is_current=True,
            estate=estate,
            assessed=True,
            management=Decimal("45"),
            effectiveness=Decimal("20"),
            fee=Decimal("20"),
            size=Decimal("8"),
            total=Decimal("93"),
            grade="三星",
            scheme_version=1,
            category=estate.category,
            building_area=estate.building_area,
        )


def _add_outside(world, community_key: str, tag: str):
    """Three more estates (with a current result and an appeal) in one community."""
    from assessments.models import Appeal, CycleRun, EstateResult

    community = world.communities[community_key]
    run = CycleRun.objects.get(year=LEAK_YEAR, is_current=True)
    estates = [
        Estate.objects.create(
            code=f"{tag}{i:02d}",
            name=f"外部{tag}{i}号小区",
            community=community,
            building_area=Decimal("30000.00"),
            households=500,
            buildings=9,
            year_built=1988,
            category="unrenovated",
            management_mode="basic_service",
        )
        for i in range(1, 4)
    ]
    _results_for(run, estates)
    result = EstateResult.objects.get(estate=estates[0], year=LEAK_YEAR, is_current=True)
    # An appeal, but no year event: the event itself (without its object) is shown to all.
    Appeal.objects.create(
        estate=estates[0], year=LEAK_YEAR, result=result, reason="外部申诉", filed_by=world.city_admin, status="pending"
    )
    return estates


def _pages(world, client, personas):
    """Every GET route that answers 200 to a persona, rendered as that persona."""

    pages = {}
    for route, url in _LEAK_URLS:
        for persona in personas:
            if route.get is None or route.get.get(persona) != 200:
                continue
            empty_cache()  # a cached summary must not hide a count that would change
            client.force_login(world.users[persona])
            response = client.get(url)
            if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
                pages[(persona, url)] = _normalised(response.content)
    return pages


_LEAK_URLS: list = []


@pytest.mark.django_db
def test_pages_show_nothing_from_outside_the_scope(client, world):
    from django.db import transaction

    _LEAK_URLS.clear()
    for route in ROUTES:
        if route.get is None:
            continue
        try:
            # The matrix builds each route's object in a world of its own; a few builders make
            # the same unique object twice in one world: those routes are covered by their twins.
            with transaction.atomic():
                kwargs = route.kwargs(world)
        except Exception:  # noqa: BLE001 — a unique object or a rule refusing the second one
            continue
        _LEAK_URLS.append((route, reverse(route.name, kwargs=kwargs) + (f"?{route.query}" if route.query else "")))
    _add_year_results(world)

    wrong = []
    # Names of the world's estates outside the scope.
    before = _pages(world, client, LIMITED)
    token_estates = {url: route.token_estate for route, url in _LEAK_URLS if route.token_estate}
    for (persona, url), text in before.items():
        visible = set(Estate.objects.visible_to(world.users[persona]).values_list("code", flat=True))
        visible |= {token_estates[url]} if url in token_estates else set()
        for code, estate in world.estates.items():
            if code not in visible and (code in text or estate.name in text) and code not in url:
                wrong.append(f"{url} as {persona}: names {code} {estate.name}")

    # Counts: more estates outside the scope change nothing on the page.
    nh = {"gulou_staff", "gulou_finance", "ninghai_clerk"}
    _add_outside(world, "NH2", "NHX")
    after = _pages(world, client, [p for p in LIMITED if p not in nh])
    for key, text in after.items():
        if before.get(key) != text:
            wrong.append(
                f"{key[1]} as {key[0]}: changes when 鼓楼区 gets more estates\n"
                + _first_difference(before.get(key, ""), text)
            )
    before_nh = _pages(world, client, nh)
    _add_outside(world, "XJK2", "XJX")
    after_nh = _pages(world, client, nh)
    for key, text in after_nh.items():
        if before_nh.get(key) != text:
            wrong.append(
                f"{key[1]} as {key[0]}: changes when 玄武区 gets more estates\n"
                + _first_difference(before_nh.get(key, ""), text)
            )
    assert not wrong, "\n".join(wrong)


def _first_difference(a: str, b: str) -> str:
    import difflib

    lines = [
        line
        for line in difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    return "    " + "\n    ".join(line.strip()[:200] for line in lines[:6])
