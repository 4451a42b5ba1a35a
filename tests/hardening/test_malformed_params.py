"""Issue 15.3: a malformed path or query parameter is a 404 or a 400 with a Chinese message,
never a 500 — ids are digits (core/api/routers.py), years and ids in filters are bounded
integers (core/filters.py)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/api/disputes/null,null/step/",
        "/api/repairs/null,null/step/",
        "/api/referrals/null,null/step/",
        "/api/disputes/1.5/step/",
        "/api/repairs/99999999999999999999999/step/",
        "/api/filings/-1/",
        "/api/estate-results/abc/",
        "/api/allocations/null/",
    ],
)
def test_a_malformed_id_is_404_in_chinese(world, path):
    client = api(world.meiyuan_clerk)
    response = client.post(path, {}, format="json") if path.endswith("step/") else client.get(path)
    assert response.status_code == 404, response.content[:300]
    assert response.json()["detail"] == "未找到。"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/api/filings/?year=0.0", "请输入整数。"),
        ("/api/referrals/?year=0.0", "请输入整数。"),
        ("/api/referrals/?year=0", "不能小于 1949。"),
        ("/api/disputes/?year=99999", "不能大于 2100。"),
        ("/api/repairs/?year=1e9", "请输入整数。"),
        ("/api/filings/?year=NaN", "请输入整数。"),
        ("/api/estate-results/?run=0.5", "请输入整数。"),
        ("/api/estate-results/?year=-1", "不能小于 1949。"),
        ("/api/estates/?renovation_year=Infinity", "请输入整数。"),
        # filters django-filter builds from a viewset's filterset_fields (core.filters.FilterBackend)
        ("/api/allocation-sheets/?year=1551624866085500928", "不能大于 2100。"),
        ("/api/allocation-sheets/?year=2019.5", "请输入整数。"),
    ],
)
def test_a_malformed_filter_is_400_in_chinese(world, path, message):
    response = api(world.city_admin).get(path)
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["detail"] == "提交的数据有误。"
    assert message in str(body["errors"])
