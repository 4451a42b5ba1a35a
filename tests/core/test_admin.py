"""The Django admin is for city_admin only (an active user with that role: Django's superuser or
staff flags alone open nothing), and models with workflows or registry rules are read-only there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import EvaluatorAssignment, User
from communities.models import District, Estate, ServiceFirm, Street
from tests.factories import credit_code
from tests.permission_matrix import PERSONAS

pytestmark = pytest.mark.django_db

CITY_ADMINS = {"city_admin", "city_admin2"}


def get_as(client, world, persona, url):
    if persona != "anonymous":
        client.force_login(world.users[persona])
    return client.get(url)


@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_index_is_for_city_admin_only(client, world, persona):
    response = get_as(client, world, persona, reverse("admin:index"))
    if persona in CITY_ADMINS:
        assert response.status_code == 200
        assert "参考数据与运维支持" in response.content.decode()
    elif persona == "anonymous":
        # Sent to the application's one sign-in page, and back afterwards.
        assert response.status_code == 302
        follow = client.get(response["Location"])
        assert follow.status_code == 302 and follow["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p not in CITY_ADMINS and p != "anonymous"])
def test_no_admin_page_opens_for_other_roles(client, world, persona):
    for name in (
        "admin:accounts_user_changelist",
        "admin:communities_estate_changelist",
        "admin:communities_district_change",
        "admin:core_job_changelist",
    ):
        kwargs = {"object_id": District.objects.get(name="玄武区").pk} if name.endswith("_change") else {}
        response = get_as(client, world, persona, reverse(name, kwargs=kwargs))
        assert response.status_code == 403, (name, persona)
    response = client.post(
        reverse("admin:communities_district_change", args=[District.objects.get(name="玄武区").pk]),
        {"name": "改名区", "short_name": "改名", "kind": "main_urban"},
    )
    assert response.status_code == 403
    assert District.objects.filter(name="玄武区").exists()


def test_superuser_flag_alone_opens_nothing(client, world):
    root = User.objects.create_user("root", password="x-Long-Pass-2026", is_superuser=True, is_staff=True)
    client.force_login(root)
    assert client.get(reverse("admin:index")).status_code == 403
    staff_clerk = world.meiyuan_clerk
    staff_clerk.is_superuser = staff_clerk.is_staff = True
    staff_clerk.save()
    client.force_login(staff_clerk)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403


def test_inactive_city_admin_is_refused(client, world):
    admin_user = world.city_admin
    client.force_login(admin_user)
    admin_user.is_active = False
    admin_user.save()
    response = client.get(reverse("admin:index"))
    assert response.status_code in (302, 403)
    assert response.status_code != 200


def test_city_admin_reaches_every_registered_model(client, world):
    from django.contrib import admin

    client.force_login(world.city_admin)
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "name", ["communities_estate", "communities_propertycommittee", "communities_ownersorganisation", "core_job"]
)
def test_rows_with_rules_or_workflows_are_read_only(client, world, name):
    client.force_login(world.city_admin)
    assert client.get(reverse(f"admin:{name}_add")).status_code == 403
    if name == "communities_estate":
        estate = world.estates["MY101"]
        response = client.get(reverse("admin:communities_estate_change", args=[estate.pk]))
        assert response.status_code == 200  # shown, for support
        client.post(reverse("admin:communities_estate_change", args=[estate.pk]), {"name": "改名", "code": "MY101"})
        estate.refresh_from_db()
        assert estate.name != "改名"


def test_city_admin_creates_a_user_with_role_and_unit(client, world):
    client.force_login(world.city_admin)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "new_clerk",
            "password1": "Sehr-Lang-2026!",
            "password2": "Sehr-Lang-2026!",
            "role": "street_clerk",
            "street": Street.objects.get(name="新街口街道").pk,
            "full_name": "新街口新职员",
            "organisation": "",
            "phone": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="new_clerk")
    assert user.role == "street_clerk" and user.district.name == "玄武区"
    assert not user.is_superuser and not user.is_staff


def test_a_scoped_role_needs_its_unit(client, world):
    client.force_login(world.city_admin)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "lost_clerk",
            "password1": "Sehr-Lang-2026!",
            "password2": "Sehr-Lang-2026!",
            "role": "street_clerk",
            "full_name": "无单位",
        },
    )
    assert response.status_code == 200
    assert "该角色必须指定所属单位。" in response.content.decode()
    assert not User.objects.filter(username="lost_clerk").exists()


def test_the_system_account_is_not_edited_by_hand(client, world):
    client.force_login(world.city_admin)
    system = User.objects.get(is_system=True)
    response = client.post(
        reverse("admin:accounts_user_change", args=[system.pk]), {"username": "hijacked", "role": "city_admin"}
    )
    assert response.status_code == 403
    system.refresh_from_db()
    assert system.username == "system"


def test_firm_in_admin_uses_the_registry_rules(client, world):
    client.force_login(world.city_admin)
    bad = credit_code(77)[:17] + ("0" if credit_code(77)[17] != "0" else "1")
    response = client.post(
        reverse("admin:communities_servicefirm_add"),
        {
            "name": "后台物业",
            "credit_code": bad,
            "is_public_welfare": "on",
            "founding": "new",
            "district": District.objects.get(name="玄武区").pk,
        },
    )
    assert response.status_code == 200
    assert "统一社会信用代码校验位不正确。" in response.content.decode()
    assert not ServiceFirm.objects.filter(name="后台物业").exists()


def test_street_district_change_in_admin_moves_everything(client, world):
    client.force_login(world.city_admin)
    street = Street.objects.get(name="泰山街道")
    jiangbei, pukou = District.objects.get(code="JBXQ"), District.objects.get(name="浦口区")
    assert street.district == jiangbei
    community = street.communities.create(name="泰山测试社区")
    estate = Estate.objects.create(
        code="TS001", name="泰山测试小区", community=community, building_area="1000.00", category="unrenovated"
    )
    response = client.post(
        reverse("admin:communities_street_change", args=[street.pk]),
        {
            "name": street.name,
            "short_name": street.short_name,
            "kind": street.kind,
            "district": pukou.pk,
            "residential_estate_count": "",
        },
    )
    assert response.status_code == 302
    estate.refresh_from_db()
    community.refresh_from_db()
    assert estate.district == pukou and community.district == pukou
    assert estate.history.first().history_change_reason == "街道调整：泰山街道由江北新区划归浦口区"


def test_evaluator_assignment_records_who_assigned(client, world):
    client.force_login(world.city_admin)
    estate = world.estates["MY102"]
    response = client.post(
        reverse("admin:accounts_evaluatorassignment_add"),
        {
            "evaluator": world.evaluator.pk,
            "estate": estate.pk,
        },
    )
    assert response.status_code == 302
    assignment = EvaluatorAssignment.objects.get(estate=estate)
    assert assignment.assigned_by == world.city_admin and assignment.street == estate.street
