"""Issue 20 point 17: the staffing page is titled after the user's scope (全市, 玄武区, 梅园新村街道),
and the city home says why its results and its case rates are of different years."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import empty_cache, login
from tests.core.helpers import assessed_year

pytestmark = pytest.mark.django_db


def _heading(html: str) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1).strip()


@pytest.mark.parametrize(
    ("persona", "title"),
    [
        ("city_admin", "全市物业管理人员配备情况"),
        ("xuanwu_staff", "玄武区物业管理人员配备情况"),
        ("meiyuan_clerk", "梅园新村街道物业管理人员配备情况"),
    ],
)
def test_staffing_title_follows_the_scope(client, world, persona, title):
    login(client, world.users[persona])
    html = client.get(reverse("staffing:compliance")).content.decode()
    assert _heading(html) == title
    assert f"<title>{title} · " in html


def test_a_chosen_street_names_the_page(client, world):
    login(client, world.users["xuanwu_staff"])
    street = world.users["meiyuan_clerk"].street
    html = client.get(reverse("staffing:compliance"), {"street": street.code}).content.decode()
    assert _heading(html) == "梅园新村街道物业管理人员配备情况"


def test_city_home_explains_why_the_years_differ(client, world):
    assessed_year(world, 2019)
    empty_cache()
    login(client, world.city_admin)
    html = client.get(reverse("dashboards:home") + "?view=dashboard").content.decode()
    today = timezone.localdate().year
    note = re.search(r'<p[^>]*id="dash-years-note"[^>]*>(.*?)</p>', html, re.S)
    assert note, "the note is missing"
    text = re.sub(r"<[^>]+>", "", note.group(1))
    assert "2019年度" in text and f"{today}年" in text and "为什么年份不同" in text


def test_no_note_when_the_years_agree(client, world):
    today = timezone.localdate().year
    assessed_year(world, today)
    empty_cache()
    login(client, world.city_admin)
    html = client.get(reverse("dashboards:home") + "?view=dashboard").content.decode()
    assert 'id="dash-years-note"' not in html
