"""visible_to: each role sees exactly its scope (spec/roles.md)."""

import pytest

from communities.models import Community, District, Estate, Street

pytestmark = pytest.mark.django_db


def codes(user):
    return set(Estate.objects.visible_to(user).values_list("code", flat=True))


def test_city_roles_see_every_estate(world):
    everything = set(world.estates)
    for name in ("city_admin", "city_finance", "auditor"):
        assert codes(world.users[name]) == everything


def test_district_staff_see_their_district_only(world):
    assert codes(world.xuanwu_staff) == {c for c in world.estates if c.startswith(("MY", "XJK"))}
    assert codes(world.gulou_staff) == {c for c in world.estates if c.startswith("NH")}


def test_street_clerk_sees_its_street_only(world):
    assert codes(world.meiyuan_clerk) == {c for c in world.estates if c.startswith("MY")}
    assert not codes(world.meiyuan_clerk) & {c for c in world.estates if c.startswith("XJK")}


def test_community_advisor_sees_its_community(world):
    assert codes(world.meiyuan_advisor) == {"MY101", "MY102"}


def test_evaluator_sees_assigned_estates_only(world):
    assert codes(world.evaluator) == {"MY101"}


def test_units_show_their_ancestors_but_not_siblings(world):
    clerk = world.meiyuan_clerk
    assert set(District.objects.visible_to(clerk).values_list("name", flat=True)) == {"玄武区"}
    assert set(Street.objects.visible_to(clerk).values_list("name", flat=True)) == {"梅园新村街道"}
    assert set(Community.objects.visible_to(clerk).values_list("street__name", flat=True)) == {"梅园新村街道"}
    assert Street.objects.visible_to(world.xuanwu_staff).count() == 7


def test_anonymous_and_inactive_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert Estate.objects.visible_to(AnonymousUser()).count() == 0
    clerk = world.meiyuan_clerk
    clerk.is_active = False
    assert Estate.objects.visible_to(clerk).count() == 0
