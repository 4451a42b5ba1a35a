"""Every URL pattern is classified for every persona, and each answers as classified."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from tests.permission_matrix import PERSONAS, Route

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
