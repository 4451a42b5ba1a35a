"""Issue 20 point 18: the login page's title and header name the platform (PLATFORM_NAME),
never the host and port the request came to."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def test_login_page_names_the_platform_not_the_host(client):
    response = client.get(reverse("accounts:login"), HTTP_HOST="127.0.0.1:8000")
    html = response.content.decode()
    assert response.status_code == 200
    assert _title(html) == "登录 · 老旧小区管理平台"
    assert "127.0.0.1" not in html and "8000" not in html
    assert re.search(r"<h1[^>]*>\s*老旧小区管理平台\s*</h1>", html)
    assert 'class="navbar-brand' in html and "老旧小区管理平台</a>" in html


def test_the_name_is_a_setting(client, settings):
    settings.PLATFORM_NAME = "某市老旧小区管理平台"
    html = client.get(reverse("accounts:login"), HTTP_HOST="localhost").content.decode()
    assert _title(html) == "登录 · 某市老旧小区管理平台"
    assert "localhost" not in html
