"""Personal API tokens (issue 14, point 6; issue 15, point 10): they expire, the user and
city_admin revoke them, missing or wrong credentials answer 401 with `WWW-Authenticate: Token`,
and a locked-out account is told so (429 with the time left), not that its password is wrong."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
ESTATES = "/api/estates/"


def issue(username, password=PASSWORD):
    return APIClient(REMOTE_ADDR="10.0.0.9").post(
        "/api/token/", {"username": username, "password": password}, format="json"
    )


def with_token(key):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_missing_or_wrong_credentials_answer_401_with_www_authenticate(world):
    anonymous = APIClient().get(ESTATES)
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"] == "Token"
    wrong = with_token("0" * 40).get(ESTATES)
    assert wrong.status_code == 401 and wrong["WWW-Authenticate"] == "Token"
    assert wrong.json()["detail"]


def test_a_token_expires_after_the_setting(world, settings):
    settings.API_TOKEN_DAYS = 30
    answer = issue("meiyuan_clerk")
    assert answer.status_code == 200 and answer.json()["expires_at"]
    key = answer.json()["token"]
    assert with_token(key).get(ESTATES).status_code == 200
    Token.objects.filter(key=key).update(created=dt.datetime.now(dt.UTC) - dt.timedelta(days=30, seconds=1))
    expired = with_token(key).get(ESTATES)
    assert expired.status_code == 401 and "过期" in expired.json()["detail"]
    assert not Token.objects.filter(key=key).exists()
    renewed = issue("meiyuan_clerk").json()["token"]
    assert renewed != key and with_token(renewed).get(ESTATES).status_code == 200


def test_the_user_revokes_their_own_token(world):
    key = issue("meiyuan_clerk").json()["token"]
    assert with_token(key).delete("/api/token/").status_code == 204
    assert with_token(key).get(ESTATES).status_code == 401


def test_city_admin_revokes_anyones_token_and_nobody_else_can(world):
    clerk_key = issue("meiyuan_clerk").json()["token"]
    other = with_token(issue("xinjiekou_clerk").json()["token"])
    refused = other.delete(f"/api/token/?user={world.meiyuan_clerk.pk}")
    assert refused.status_code == 403 and with_token(clerk_key).get(ESTATES).status_code == 200
    admin = with_token(issue("city_admin").json()["token"])
    assert admin.delete(f"/api/token/?user={world.meiyuan_clerk.pk}").status_code == 204
    assert with_token(clerk_key).get(ESTATES).status_code == 401


def test_a_locked_out_account_is_told_it_is_locked_with_the_time_left(world):
    assert [issue("meiyuan_clerk", "wrong-password").status_code for _ in range(5)] == [400, 400, 400, 400, 429]
    locked = issue("meiyuan_clerk")  # the right password now
    assert locked.status_code == 429
    body = locked.json()
    assert "账户已锁定" in body["detail"] and 1 <= body["retry_after_minutes"] <= 30
    assert f"{body['retry_after_minutes']} 分钟" in body["detail"] and int(locked["Retry-After"]) > 0
