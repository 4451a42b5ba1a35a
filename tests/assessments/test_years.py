"""Impossible years (issue 14, point 4): a year no scheme covers, or after this year, is 404 on
every year page; a year a scheme covers answers as before."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.django_db
PAGES = ["/assessments/years/{}/", "/assessments/years/{}/publication/"]
ACTIONS = ["/assessments/years/{}/publish/", "/assessments/years/{}/close/", "/assessments/years/{}/reopen/"]


@pytest.mark.parametrize("year", [99999999999, 0, 1900, 2016, dt.date.today().year + 1])
def test_an_impossible_year_is_404(client, world, year):
    client.force_login(world.city_admin)
    for page in PAGES:
        assert client.get(page.format(year)).status_code == 404, page
    for action in ACTIONS:
        assert client.post(action.format(year)).status_code == 404, action


def test_a_year_a_scheme_covers_is_shown(client, world):
    client.force_login(world.meiyuan_clerk)
    assert client.get("/assessments/years/2019/").status_code == 200
    assert client.get(f"/assessments/years/{dt.date.today().year}/").status_code == 200
