"""API keys for systems (接口密钥): issued once on the command line, stored hashed, scoped to
districts, expiring, revocable on city_admin's page."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from integrations.keys import KeyRefused, check_district, issue_key, key_for
from integrations.models import SystemAPIKey

pytestmark = pytest.mark.django_db


def create(*args) -> tuple[str, str]:
    out = io.StringIO()
    call_command("create_api_key", *args, stdout=out)
    text = out.getvalue().strip()
    return text, text.splitlines()[-1]


def test_command_prints_the_key_once_and_stores_only_its_hash(world):
    text, plain = create("玄武区12345热线", "--district", "320102", "--days", "30")
    stored = SystemAPIKey.objects.get()
    assert stored.name == "玄武区12345热线" and [d.name for d in stored.districts.all()] == ["玄武区"]
    assert plain.startswith(stored.prefix + ".") and text.count(plain) == 1
    assert plain not in stored.hashed_key and plain not in stored.id and stored.hashed_key.startswith("sha512$$")
    assert "玄武区" in text.splitlines()[0]
    assert abs(stored.expiry_date - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=1)
    assert key_for(plain) == stored


def test_command_without_district_is_city_wide_and_refuses_unknown_districts(world, settings):
    settings.API_KEY_DAYS = 10
    _, plain = create("市12345")
    stored = key_for(plain)
    assert not stored.districts.exists() and stored.expiry_date < timezone.now() + dt.timedelta(days=11)
    check_district(stored, world.estates["NH101"])  # the whole city
    with pytest.raises(CommandError, match="区不存在：火星区"):
        create("错误", "--district", "火星区")
    with pytest.raises(CommandError, match="有效天数"):
        create("错误", "--days", "0")
    assert SystemAPIKey.objects.count() == 1


def test_foreign_district_expired_revoked_and_unknown_keys_are_refused(world):
    stored, plain = issue_key(name="玄武", districts=["玄武区"], days=5)
    check_district(stored, world.estates["MY101"])
    with pytest.raises(KeyRefused) as foreign:
        check_district(stored, world.estates["NH101"])
    assert foreign.value.code == 403 and "鼓楼区" in foreign.value.description
    for raw, words in [("", "缺少 api_key"), ("nope.nope", "无效"), (plain + "x", "无效"), ("x" * 5000, "无效")]:
        with pytest.raises(KeyRefused, match=words) as refused:
            key_for(raw)
        assert refused.value.code == 401
    SystemAPIKey.objects.filter(pk=stored.pk).update(expiry_date=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(KeyRefused, match="已过期"):
        key_for(plain)
    SystemAPIKey.objects.filter(pk=stored.pk).update(expiry_date=None, revoked=True)
    with pytest.raises(KeyRefused, match="已被吊销"):
        key_for(plain)


def test_city_admin_lists_and_revokes_keys(client, world):
    stored, plain = issue_key(name="玄武区12345热线", districts=["320102", "320106"], days=30)
    client.force_login(world.city_admin)
    page = client.get(reverse("integrations:key_list")).content.decode()
    assert "玄武区12345热线" in page and "玄武区、鼓楼区" in page and stored.prefix in page and "未使用" in page
    assert plain not in page and stored.hashed_key not in page
    response = client.post(reverse("integrations:key_revoke", args=[stored.prefix]))
    assert response.status_code == 302
    stored.refresh_from_db()
    assert stored.revoked and stored.revoked_by == world.city_admin
    assert "已吊销" in client.get(reverse("integrations:key_list")).content.decode()
    with pytest.raises(KeyRefused):
        key_for(plain)


def test_other_roles_cannot_revoke(client, world):
    stored, _ = issue_key(name="玄武", days=30)
    client.force_login(world.xuanwu_staff)
    assert client.post(reverse("integrations:key_revoke", args=[stored.prefix])).status_code == 403
    stored.refresh_from_db()
    assert not stored.revoked
