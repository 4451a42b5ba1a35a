"""NUL and other control characters (issue 14, point 3) are refused with 400 and a Chinese
message wherever they come: in the path, in the query, in a form or JSON body, in an import.

The sweep walks every URL pattern of the resolver: each path argument is replaced by a control
character, and every route of the permission matrix is asked with control characters in its
query string and in a posted form. On PostgreSQL (DATABASE_URL) a NUL used to reach the
database and end in a 500."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.input_guard import MESSAGE
from tests.test_permission_matrix import ROUTES

pytestmark = pytest.mark.django_db

CONTROLS = ["%00", "%01", "%1B", "%7F", "%C2%85"]  # NUL, SOH, ESC, DEL, NEL (C1)


def raw_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from raw_patterns(pattern, text)
        elif isinstance(pattern, URLPattern):
            yield text


def with_control(pattern: str, control: str) -> str | None:
    """The pattern with each argument (<int:pk>, <str:code>, (?P<name>...)) as `control`."""
    if pattern.startswith("^") or "(?P" in pattern:
        return None  # static files and media in DEBUG: no application data behind them
    if "<" not in pattern:
        return "/" + pattern + control
    return "/" + re.sub(r"<[^>]+>", control, pattern)


def test_every_url_pattern_refuses_control_characters_in_the_path(client, world):
    client.force_login(world.city_admin)
    wrong = []
    for pattern in sorted(set(raw_patterns())):
        for control in CONTROLS:
            url = with_control(pattern, control)
            if url is None:
                continue
            response = client.get(url)
            if response.status_code != 400:
                wrong.append(f"GET {url}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("persona", ["city_admin", "meiyuan_clerk"])
def test_every_route_refuses_control_characters_in_the_query_and_the_form(client, world, persona):
    client.force_login(world.users[persona])
    wrong = []
    for route in ROUTES:
        try:
            with transaction.atomic():  # a savepoint: a refused builder leaves the test's transaction usable
                url = reverse(route.name, kwargs=route.kwargs(world))
        except Exception:  # noqa: BLE001 — a builder that makes a unique object twice: covered above
            continue
        for control in ("%00", "%1F"):
            response = client.get(f"{url}?q={control}&district={control}&year=2019{control}&page={control}")
            if response.status_code != 400:
                wrong.append(f"GET {url} (query): {response.status_code}")
        response = client.post(url, {"name": "梅园\x00", "reason": "x", "note": "多行\r\n说明\t可以"})
        if response.status_code != 400:
            wrong.append(f"POST {url} (form with NUL): {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_the_answer_is_a_chinese_message(client, world):
    client.force_login(world.meiyuan_clerk)
    page = client.get("/registry/streets/%00/")
    assert page.status_code == 400 and MESSAGE in page.content.decode()
    api = client.get("/api/streets/%00/")
    assert api.status_code == 400 and api.json() == {"detail": MESSAGE}
    json_body = client.post("/api/repairs/", data='{"description": "电梯\\u0000困人"}', content_type="application/json")
    assert json_body.status_code == 400 and json_body.json() == {"detail": MESSAGE}


def test_tab_and_newlines_in_a_form_body_are_kept(client, world):
    """A multi-line note is not refused: only a path or query never holds them."""
    from django.test import RequestFactory

    from core.input_guard import offending_part

    request = RequestFactory().post("/x/", {"note": "第一行\r\n第二行\t完"})
    assert offending_part(request) is None
    assert offending_part(RequestFactory().get("/x/", {"q": "a\tb"})) == "query"
