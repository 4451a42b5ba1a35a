"""Passwords (issue 14, point 7): a change refuses the current password and the last five;
every validator answers in Chinese."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
NEW = ["Nanjing#2027a", "Nanjing#2027b", "Nanjing#2027c", "Nanjing#2027d", "Nanjing#2027e", "Nanjing#2027f"]


def change(client, old, new):
    return client.post("/accounts/password/", {"old_password": old, "new_password1": new, "new_password2": new})


def errors(response) -> str:
    return " ".join(str(e) for e in response.context["form"].errors.get("new_password2", []))


def test_the_current_password_is_refused(client, world):
    client.force_login(world.meiyuan_clerk)
    response = change(client, PASSWORD, PASSWORD)
    assert response.status_code == 200 and "不能与当前密码或最近 5 次使用过的密码相同" in errors(response)


def test_the_last_five_are_refused_the_sixth_before_is_allowed(client, world):
    user = world.meiyuan_clerk
    client.force_login(user)
    current = PASSWORD
    for new in NEW:
        assert change(client, current, new).status_code == 302, new
        user.refresh_from_db()
        client.force_login(user)
        current = new
    # The five before the current NEW[-1]: refused.
    for old in NEW[:5]:
        response = change(client, current, old)
        assert response.status_code == 200 and "最近 5 次" in errors(response), old
    # The factory's PASSWORD is the sixth before: allowed again.
    assert change(client, current, PASSWORD).status_code == 302


@pytest.mark.parametrize("language", ["zh-hans", None])
@pytest.mark.parametrize(
    "password, expected",
    [
        ("Ab1!x", "密码太短，至少需要 8 个字符。"),
        ("password", "这个密码太常见了。"),
        ("84736251947", "密码不能全是数字。"),
        ("meiyuan_clerk1A", "密码与用户名过于相似。"),
    ],
)
def test_every_message_is_chinese(world, language, password, expected):
    with translation.override(language):
        with pytest.raises(ValidationError) as refused:
            validate_password(password, user=world.meiyuan_clerk)
    messages = refused.value.messages
    assert expected in messages
    assert all(not any("a" <= c.lower() <= "z" for c in m.replace("Token", "")) for m in messages), messages
