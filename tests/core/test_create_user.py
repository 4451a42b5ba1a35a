"""A new installation gets its first real accounts without the demo city (docs/deployment.md)."""

import io

import pytest
from django.core.management import CommandError, call_command

from accounts.choices import Role
from accounts.models import User

pytestmark = pytest.mark.django_db


def create(*args, password="Qinhuai#2026go", **options):
    out = io.StringIO()
    import sys

    stdin = sys.stdin
    sys.stdin = io.StringIO(password + "\n")
    try:
        call_command("create_user", *args, "--password-stdin", stdout=out, **options)
    finally:
        sys.stdin = stdin
    return out.getvalue()


def test_first_city_admin_after_load_units():
    call_command("load_units", stdout=io.StringIO())
    out = create("wang_shi", role="city_admin", full_name="王市")
    user = User.objects.get(username="wang_shi")
    assert user.role == Role.CITY_ADMIN and user.check_password("Qinhuai#2026go")
    assert "已创建账户" in out


def test_district_staff_needs_and_gets_its_district():
    call_command("load_units", stdout=io.StringIO())
    with pytest.raises(CommandError, match="必须用 --district"):
        create("li_qu", role="district_staff")
    create("li_qu", role="district_staff", district="玄武区")
    assert User.objects.get(username="li_qu").district.name == "玄武区"


@pytest.mark.parametrize(
    "options, message",
    [
        ({"role": "district_staff", "district": "不存在区"}, "找不到"),
        ({"role": "city_admin", "district": "玄武区"}, "不能指定 --district"),
    ],
)
def test_bad_options_write_nothing(options, message):
    call_command("load_units", stdout=io.StringIO())
    with pytest.raises(CommandError, match=message):
        create("zhao", **options)
    assert not User.objects.filter(username="zhao").exists()


def test_weak_password_refused_in_chinese():
    with pytest.raises(CommandError, match="密码不符合要求"):
        create("zhao", role="city_admin", password="123")
    assert not User.objects.filter(username="zhao").exists()


def test_existing_username_refused():
    create("zhao", role="city_admin")
    with pytest.raises(CommandError, match="已存在"):
        create("zhao", role="auditor")
