"""Login lockout, idle sessions, password rules, a new session at login, security headers."""

import time

import pytest
from django.test import Client

from accounts.passwords import CharacterClassValidator
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def attempt(client, username, password, ip):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_failures_lock_that_user_at_that_address_only(world):
    client = Client()
    for _ in range(5):
        response = attempt(client, "meiyuan_clerk", "wrong-password", "10.1.1.1")
    # The sixth try, even with the right password, is refused for 30 minutes.
    response = attempt(client, "meiyuan_clerk", PASSWORD, "10.1.1.1")
    assert response.status_code == 429
    assert "锁定 30 分钟" in response.content.decode()
    # A colleague behind the same government NAT address still signs in.
    other = attempt(Client(), "xinjiekou_clerk", PASSWORD, "10.1.1.1")
    assert other.status_code == 302
    # The same user from another address is not locked either.
    assert attempt(Client(), "meiyuan_clerk", PASSWORD, "10.2.2.2").status_code == 302


def test_failed_login_says_so_in_chinese(world):
    response = attempt(Client(), "meiyuan_clerk", "nope", "10.9.9.9")
    assert response.status_code == 200 and "用户名或密码错误" in response.content.decode()


def test_login_gives_a_new_session_id(world):
    client = Client()
    client.get("/accounts/login/")
    client.cookies["sessionid"] = "attacker-chosen-session-id"
    attempt(client, "meiyuan_clerk", PASSWORD, "10.3.3.3")
    assert client.cookies["sessionid"].value != "attacker-chosen-session-id"
    assert client.get("/").status_code == 200


def test_idle_session_ends_and_polling_does_not_keep_it_alive(world, settings):
    settings.SESSION_IDLE_SECONDS = 60
    client = Client()
    client.force_login(world.meiyuan_clerk)
    assert client.get("/").status_code == 200
    session = client.session
    session["last_action_at"] = int(time.time()) - 50
    session.save()
    # A progress-bar poll 50 s later does not count as an action...
    from core.models import Job

    job = Job.objects.create(kind="x", created_by=world.meiyuan_clerk)
    assert (
        client.get(f"/jobs/{job.pk}/progress/", HTTP_X_BACKGROUND_POLL="1", HTTP_HX_REQUEST="true").status_code == 200
    )
    assert client.session["last_action_at"] <= int(time.time()) - 50
    # ... so 70 s after the last real action the session is over.
    session = client.session
    session["last_action_at"] = int(time.time()) - 70
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/").status_code == 302


def test_a_user_action_renews_the_idle_clock(world, settings):
    settings.SESSION_IDLE_SECONDS = 60
    client = Client()
    client.force_login(world.meiyuan_clerk)
    client.get("/")
    session = client.session
    session["last_action_at"] = int(time.time()) - 50
    session.save()
    assert client.get("/").status_code == 200
    assert client.session["last_action_at"] >= int(time.time()) - 1


@pytest.mark.parametrize(
    ("password", "ok"), [("Nanjing@2017", True), ("nanjing2017", False), ("NANJING2017x", True), ("abcdefgh", False)]
)
def test_password_needs_three_character_classes(password, ok):
    validator = CharacterClassValidator()
    if ok:
        validator.validate(password)
    else:
        with pytest.raises(Exception, match="至少三类"):
            validator.validate(password)


def test_pages_carry_a_strict_content_security_policy(world, client):
    client.force_login(world.meiyuan_clerk)
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-eval" not in csp and "script-src 'self' 'unsafe-inline'" not in csp
    assert response["X-Frame-Options"] == "DENY"


def test_no_inline_script_in_any_template():
    """The CSP forbids inline scripts; none may be written into a template."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in root.glob("**/templates/**/*.html"):
        if ".venv" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        # Executable inline scripts only; data blocks (type="application/json") are inert.
        for m in re.finditer(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", text):
            offenders.append(f"{path.relative_to(root)}: {m.group(0)}")
        if re.search(r"\son[a-z]+=\"", text):
            offenders.append(f"{path.relative_to(root)}: inline event handler")
    assert not offenders, offenders


def test_only_the_starter_downloads_a_jobs_file(world, client):
    from django.core.files.base import ContentFile

    from core.models import Job

    job = Job.objects.create(
        kind="export_disputes", created_by=world.meiyuan_clerk, status="succeeded", output_name="纠纷.xlsx"
    )
    job.output_file.save("x.xlsx", ContentFile(b"PK"), save=True)
    client.force_login(world.meiyuan_clerk)
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 200
    for persona in ("city_admin", "auditor", "xuanwu_staff"):
        client.force_login(world.users[persona])
        assert client.get(f"/jobs/{job.pk}/download/").status_code == 404
    # city_admin and the auditor still follow the job itself.
    client.force_login(world.auditor)
    assert client.get(f"/jobs/{job.pk}/").status_code == 200


def test_a_page_view_within_a_minute_does_not_write_the_session(world, settings):
    """The idle clock is rewritten at most once per 1/30 of the limit: a second page view soon
    after the first reads the session but does not save it."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.SESSION_IDLE_SECONDS = 30 * 60
    client = Client()
    client.force_login(world.city_admin)
    client.get("/")
    with CaptureQueriesContext(connection) as ctx:
        client.get("/")
    assert not [q for q in ctx.captured_queries if "django_session" in q["sql"] and q["sql"].startswith("UPDATE")]
    session = client.session
    session["last_action_at"] = int(time.time()) - 61
    session.save()
    with CaptureQueriesContext(connection) as ctx:
        client.get("/")
    assert [q for q in ctx.captured_queries if "django_session" in q["sql"] and q["sql"].startswith("UPDATE")]
