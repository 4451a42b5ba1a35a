"""load_demo builds a city big enough to show the product, with a login for every role."""

import pytest
from django.core.management import call_command

from accounts.choices import Role
from accounts.models import User
from communities.models import Estate

pytestmark = pytest.mark.django_db


def test_load_demo_builds_the_city_once(capsys):
    call_command("load_demo")
    assert Estate.objects.count() >= 2000
    roles = set(User.objects.filter(is_system=False).values_list("role", flat=True))
    assert roles == set(Role.values)
    assert User.objects.filter(role=Role.CITY_ADMIN, is_system=False).count() >= 2
    admin = User.objects.get(username="shi_admin")
    assert admin.check_password("Nanjing@2017")
    count = Estate.objects.count()
    call_command("load_demo")
    assert Estate.objects.count() == count
    assert "跳过" in capsys.readouterr().out
