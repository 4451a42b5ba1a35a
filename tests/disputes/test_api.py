"""The API: scoped reads, writes through the services, masking, and the GeoReport v2 shape."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from disputes.models import Department, DisputeCase, RepairRequest
from tests.disputes.helpers import completed_repair, dispute, repair, sh

pytestmark = pytest.mark.django_db


def api(world, persona):
    client = APIClient()
    client.force_authenticate(world.users[persona])
    return client


def test_create_and_step_a_dispute(world):
    client = api(world, "meiyuan_clerk")
    response = client.post(reverse("api:dispute-list"), {"estate_code": "MY101", "service_code": "parking",
                                                         "party_phone": "13812345678", "channel": "hotline_12345"}, format="json")
    assert response.status_code == 201, response.data
    body = response.data
    assert body["party_phone"] == "13812345678" and body["limit_hours"] == 360 and body["status"] == "received"
    step = reverse("api:dispute-step", args=[body["id"]])
    assert client.post(step, {"step": "start"}, format="json").status_code == 200
    refused = client.post(step, {"step": "start"}, format="json")
    assert refused.status_code == 400 and "不能执行“开始调解”" in str(refused.data)
    urban = Department.objects.get(code="urban_management")
    done = client.post(step, {"step": "refer", "department": urban.pk, "due_on": str(timezone.localdate() + dt.timedelta(days=20))}, format="json")
    assert done.status_code == 200 and done.data["status"] == "referred" and done.data["referred_department"] == "城管"


@pytest.mark.parametrize(("payload", "field"), [
    ({"estate_code": "XJK101"}, "estate_code"),
    ({"estate_code": "NOPE"}, "estate_code"),
    ({"service_code": "noise"}, "service_code"),
    ({"party_phone": "123"}, "party_phone"),
])
def test_bad_dispute_input_is_a_400_in_chinese(world, payload, field):
    response = api(world, "meiyuan_clerk").post(reverse("api:dispute-list"), {"estate_code": "MY101", "service_code": "parking", **payload}, format="json")
    assert response.status_code == 400
    assert field in response.data["errors"] and response.data["detail"] == "提交的数据有误。"
    assert not DisputeCase.objects.exists()


def test_readers_cannot_write_through_the_api(world):
    for persona in ("xuanwu_staff", "auditor", "evaluator"):
        response = api(world, persona).post(reverse("api:repair-list"), {"estate_code": "MY101", "service_code": "drain",
                                                                          "urgency": "urgent"}, format="json")
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
    assert client.post(url, {"step": "dispatch", "team": crew.pk, "at": "2019-04-01T08:30:00+08:00"}, format="json").status_code == 200
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


# --- GeoReport v2 ---------------------------------------------------------------------------------
def test_georeport_services(world):
    services = api(world, "auditor").get("/api/georeport/v2/services.json").json()
    assert {"service_code": "water_pipe", "service_name": "水管爆裂"}.items() <= services[0].items()
    assert all(s["metadata"] is False and s["type"] == "realtime" for s in services)


def test_georeport_requests_shape_and_scope(world):
    now = timezone.now()
    open_case = repair(world, at=now - dt.timedelta(hours=2), reporter_name="赵六", reporter_phone="13812345678")
    done = completed_repair(world, now - dt.timedelta(hours=5), now - dt.timedelta(hours=1))
    repair(world, estate="NH101", by="ninghai_clerk", at=now - dt.timedelta(hours=2))
    body = api(world, "xuanwu_staff").get("/api/georeport/v2/requests.json").json()
    assert [r["service_request_id"] for r in body] == [open_case.number, done.number]
    first = body[0]
    assert first["status"] == "open" and first["service_code"] == "water_pipe" and first["address_id"] == "MY101"
    assert set(first) >= {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                          "agency_responsible", "requested_datetime", "updated_datetime", "expected_datetime",
                          "address", "lat", "long", "media_url"}
    assert first["requested_datetime"].endswith("+08:00")
    assert "13812345678" not in str(body) and "赵六" not in str(body)  # no personal data in GeoReport
    closed = api(world, "xuanwu_staff").get("/api/georeport/v2/requests.json", {"status": "closed"}).json()
    assert [r["service_request_id"] for r in closed] == [done.number]
    one = api(world, "meiyuan_clerk").get(f"/api/georeport/v2/requests/{done.number}.json")
    assert one.status_code == 200 and one.json()[0]["status"] == "closed"
    assert api(world, "gulou_staff").get(f"/api/georeport/v2/requests/{done.number}.json").status_code == 404


@pytest.mark.parametrize(("params", "text"), [
    ({"status": "pending"}, "status 应为 open 或 closed"),
    ({"service_code": "noise"}, "service_code 不存在"),
    ({"start_date": "2019-01-01T00:00:00Z", "end_date": "2019-06-01T00:00:00Z"}, "最多相隔90天"),
    ({"start_date": "yesterday"}, "W3C"),
    ({"service_request_id": "abc"}, "格式不正确"),
])
def test_georeport_errors_are_open311_shaped(world, params, text):
    response = api(world, "city_admin").get("/api/georeport/v2/requests.json", params)
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400 and text in response.json()[0]["description"]


def test_georeport_date_window(world):
    repair(world, at=sh(2019, 4, 1, 8))
    client = api(world, "city_admin")
    assert client.get("/api/georeport/v2/requests.json").json() == []  # default: the last 90 days
    found = client.get("/api/georeport/v2/requests.json", {"start_date": "2019-03-15", "end_date": "2019-04-15"}).json()
    assert len(found) == 1


def test_schema_is_valid(world):
    response = api(world, "auditor").get(reverse("api:schema"))
    assert response.status_code == 200
    assert b"/api/georeport/v2/requests.json" in response.content
