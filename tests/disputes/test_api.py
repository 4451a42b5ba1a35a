"""The API: scoped reads, writes through the services, masking, and the GeoReport v2 shape."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from disputes.models import Department, DisputeCase, RepairRequest
from tests.disputes.helpers import dispute, repair, sh

pytestmark = pytest.mark.django_db


def api(world, persona):
    client = APIClient()
    client.force_authenticate(world.users[persona])
    return client


def test_create_and_step_a_dispute(world):
    client = api(world, "meiyuan_clerk")
    response = client.post(
        reverse("api:dispute-list"),
        {"estate_code": "MY101", "service_code": "parking", "party_phone": "13812345678", "channel": "hotline_12345"},
        format="json",
    )
    assert response.status_code == 201, response.data
    body = response.data
    assert body["party_phone"] == "13812345678" and body["limit_hours"] == 360 and body["status"] == "received"
    step = reverse("api:dispute-step", args=[body["id"]])
    assert client.post(step, {"step": "start"}, format="json").status_code == 200
    refused = client.post(step, {"step": "start"}, format="json")
    assert refused.status_code == 400 and "不能执行“开始调解”" in str(refused.data)
    urban = Department.objects.get(code="urban_management")
    done = client.post(
        step,
        {"step": "refer", "department": urban.pk, "due_on": str(timezone.localdate() + dt.timedelta(days=20))},
        format="json",
    )
    assert done.status_code == 200 and done.data["status"] == "referred" and done.data["referred_department"] == "城管"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"estate_code": "XJK101"}, "estate_code"),
        ({"estate_code": "NOPE"}, "estate_code"),
        ({"service_code": "noise"}, "service_code"),
        ({"party_phone": "123"}, "party_phone"),
    ],
)
def test_bad_dispute_input_is_a_400_in_chinese(world, payload, field):
    response = api(world, "meiyuan_clerk").post(
        reverse("api:dispute-list"), {"estate_code": "MY101", "service_code": "parking", **payload}, format="json"
    )
    assert response.status_code == 400
    assert field in response.data["errors"] and response.data["detail"] == "提交的数据有误。"
    assert not DisputeCase.objects.exists()


def test_readers_cannot_write_through_the_api(world):
    for persona in ("xuanwu_staff", "auditor", "evaluator"):
        response = api(world, persona).post(
            reverse("api:repair-list"),
            {"estate_code": "MY101", "service_code": "drain", "urgency": "urgent"},
            format="json",
        )
        assert response.status_code == 403 and response.data["detail"] == "您没有执行此操作的权限。"
    assert not RepairRequest.objects.exists()


def test_masking_and_scoping_in_the_api(world):
    dispute(world, party_name="王小明", party_phone="13812345678")
    dispute(world, estate="NH101", by="ninghai_clerk")
    mine = api(world, "meiyuan_clerk").get(reverse("api:dispute-list")).data["results"]
    district = api(world, "xuanwu_staff").get(reverse("api:dispute-list")).data["results"]
    city = api(world, "city_admin").get(reverse("api:dispute-list")).data["results"]
    assert [r["party_phone"] for r in mine] == ["13812345678"]
    assert [(r["party_name"], r["party_phone"]) for r in district] == [("王**", "138****5678")]
    assert len(city) == 2


def test_repair_steps_through_the_api(world):
    from disputes import services
    from tests.disputes.helpers import team

    crew = team(world)
    case = repair(world, at=sh(2019, 4, 1, 8))
    client = api(world, "meiyuan_advisor")
    url = reverse("api:repair-step", args=[case.pk])
    assert client.post(url, {"step": "dispatch"}, format="json").status_code == 400
    assert (
        client.post(
            url, {"step": "dispatch", "team": crew.pk, "at": "2019-04-01T08:30:00+08:00"}, format="json"
        ).status_code
        == 200
    )
    bad = client.post(url, {"step": "complete", "at": "2019-03-31T08:00:00+08:00"}, format="json")
    assert bad.status_code == 400
    done = client.post(url, {"step": "complete", "at": "2019-04-02T08:00:00+08:00", "cost": "120.00"}, format="json")
    assert done.status_code == 200 and done.data["cost"] == "120.00" and done.data["status"] == "completed"
    assert services  # the API went through the same services


def test_repair_filters(world):
    repair(world, at=sh(2019, 4, 1, 8))
    repair(world, at=sh(2020, 4, 1, 8), urgency="normal")
    client = api(world, "xuanwu_staff")
    assert client.get(reverse("api:repair-list"), {"year": 2019}).data["count"] == 1
    assert client.get(reverse("api:repair-list"), {"urgency": "normal"}).data["count"] == 1
    assert client.get(reverse("api:repair-list"), {"overdue": "true"}).data["count"] == 2
    assert client.get(reverse("api:repair-list"), {"urgency": "weird"}).status_code == 400


# GeoReport v2 (Open311): tests/integrations/test_open311.py
def test_schema_is_valid(world):
    response = api(world, "auditor").get(reverse("api:schema"))
    assert response.status_code == 200
    assert b"/api/georeport/v2/requests.json" in response.content
