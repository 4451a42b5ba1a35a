"""Open311 GeoReport v2 (/api/georeport/v2/): public reads in JSON and XML, POST with a key, the
standard's error shape for every bad input, nothing written on a refusal, no personal data out."""

from __future__ import annotations

import datetime as dt
import json
import logging
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from lxml import etree

from disputes.models import DisputeCase, RepairRequest
from integrations.keys import issue_key
from integrations.models import Open311Request
from tests.disputes.helpers import completed_repair, dispute, repair, sh

pytestmark = pytest.mark.django_db
BASE = "/api/georeport/v2"
PHONE, NAME = "13912345678", ("小明", "王")


@pytest.fixture
def xuanwu_key(world):
    return issue_key(name="玄武区12345热线", districts=["320102"], days=30)[1]


def post(payload: dict, fmt="json", client=None, **extra):
    return (client or Client()).post(f"{BASE}/requests.{fmt}", payload, **extra)


def hotline(key, **fields):
    return {
        "api_key": key,
        "service_code": "water_pipe",
        "address_id": "MY101",
        "description": "3栋厨房水管爆裂",
        "first_name": NAME[0],
        "last_name": NAME[1],
        "phone": PHONE,
        "attribute[urgency]": "urgent",
        "attribute[building]": "3",
        "attribute[room]": "2-301",
        **fields,
    }


def errors_of(response) -> tuple[int, str]:
    body = response.json()
    assert isinstance(body, list) and set(body[0]) == {"code", "description"}
    assert body[0]["code"] == response.status_code
    return response.status_code, body[0]["description"]


def nothing_written():
    return (
        not RepairRequest.objects.exists() and not DisputeCase.objects.exists() and not Open311Request.objects.exists()
    )


# --- reads -----------------------------------------------------------------------------------
def test_discovery_and_services_need_no_login(world):
    client = Client()
    discovery = client.get(f"{BASE}/discovery.json").json()
    assert discovery["endpoints"][0]["url"].endswith("/api/georeport/v2/")
    assert discovery["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    services = client.get(f"{BASE}/services.json").json()
    codes = [s["service_code"] for s in services]
    assert codes[:2] == ["water_pipe", "drain"] and "dispute_parking" in codes and "dispute_other" in codes
    assert {"service_name": "水管爆裂", "group": "应急维修", "metadata": True}.items() <= services[0].items()
    definition = client.get(f"{BASE}/services/water_pipe.json").json()
    urgency = definition["attributes"][0]
    assert urgency["code"] == "urgency" and urgency["required"] is True and urgency["datatype"] == "singlevaluelist"
    assert {"key": "urgent", "name": "紧急"} in urgency["values"]
    assert [a["code"] for a in definition["attributes"]] == ["urgency", "building", "room"]
    assert errors_of(client.get(f"{BASE}/services/noise.json")) == (
        404,
        "service_code 不存在：noise（可选值见 services.json）。",
    )


def test_xml_is_the_standards_shape():
    client = Client()
    response = client.get(f"{BASE}/services.xml")
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = etree.fromstring(response.content)
    assert root.tag == "services" and root[0].tag == "service"
    assert root[0].findtext("service_code") == "water_pipe" and root[0].findtext("metadata") == "true"
    definition = etree.fromstring(client.get(f"{BASE}/services/water_pipe.xml").content)
    assert definition.tag == "service_definition"
    assert definition.find("attributes/attribute/values/value/key").text == "urgent"
    missing = client.get(f"{BASE}/requests/WX999999.xml")
    assert missing.status_code == 404
    error = etree.fromstring(missing.content)
    assert error.tag == "errors" and error.findtext("error/code") == "404"
    assert error.findtext("error/description") == "未找到该服务请求。"


def test_requests_are_public_estate_level_and_without_personal_data(world):
    world.estates["MY101"].latitude, world.estates["MY101"].longitude = Decimal("32.045000"), Decimal("118.795000")
    world.estates["MY101"].address = "梅园新村1号"
    world.estates["MY101"].save()
    now = timezone.now()
    open_case = repair(
        world,
        at=now - dt.timedelta(hours=2),
        reporter_name="赵六",
        reporter_phone="13812345678",
        description="请回电13812345678",
        building="3",
        unit="2-301",
    )
    done = completed_repair(world, now - dt.timedelta(hours=5), now - dt.timedelta(hours=1))
    nh = repair(world, estate="NH101", by="ninghai_clerk", at=now - dt.timedelta(hours=3))
    mediation = dispute(
        world,
        at=now - dt.timedelta(hours=4),
        party_name="钱七",
        party_phone="13700001111",
        description="与钱七的邻里纠纷",
    )
    body = Client().get(f"{BASE}/requests.json").json()
    assert [r["service_request_id"] for r in body] == [open_case.number, nh.number, mediation.number, done.number]
    first = body[0]
    assert first["status"] == "open" and first["address"] == "梅园新村1号" and first["address_id"] == "MY101"
    assert (first["lat"], first["long"]) == (32.045, 118.795)
    assert first["description"] == "请回电＊＊＊" and first["requested_datetime"].endswith("+08:00")
    assert body[2]["service_code"] == "dispute_property_fee" and body[2]["description"] == ""
    text = json.dumps(body, ensure_ascii=False)
    for personal in ("13812345678", "赵六", "13700001111", "钱七", "2-301", "3栋"):
        assert personal not in text
    closed = Client().get(f"{BASE}/requests.json", {"status": "closed"}).json()
    assert [r["service_request_id"] for r in closed] == [done.number]
    one = Client().get(f"{BASE}/requests/{mediation.number}.json").json()
    assert one[0]["status_notes"] == "受理"
    xml = etree.fromstring(Client().get(f"{BASE}/requests.xml").content)
    assert [r.findtext("service_request_id") for r in xml] == [
        open_case.number,
        nh.number,
        mediation.number,
        done.number,
    ]
    assert xml[0].findtext("zipcode") == ""  # empty element for null


@pytest.mark.parametrize(
    ("params", "text"),
    [
        ({"status": "pending"}, "status 应为 open 或 closed"),
        ({"service_code": "noise"}, "service_code 不存在"),
        ({"start_date": "2019-01-01T00:00:00Z", "end_date": "2019-06-01T00:00:00Z"}, "最多相隔90天"),
        ({"start_date": "yesterday"}, "W3C"),
        ({"start_date": "2019-02-30"}, "W3C"),
        ({"end_date": "2019-02-30T10:00:00+08:00"}, "W3C"),
        ({"service_request_id": "abc"}, "格式不正确"),
        ({"page": "0"}, "page 应为"),
    ],
)
def test_read_errors_are_open311_shaped(world, params, text):
    status, description = errors_of(Client().get(f"{BASE}/requests.json", params))
    assert status in (400, 404) and text in description


def test_date_window(world):
    repair(world, at=sh(2019, 4, 1, 8))
    assert Client().get(f"{BASE}/requests.json").json() == []  # default: the last 90 days
    found = Client().get(f"{BASE}/requests.json", {"start_date": "2019-03-15", "end_date": "2019-04-15"}).json()
    assert len(found) == 1


# --- POST ------------------------------------------------------------------------------------
def test_post_creates_a_hotline_repair_in_the_estates_street(world, xuanwu_key, caplog):
    caplog.set_level(logging.DEBUG)
    before = timezone.now()
    response = post(hotline(xuanwu_key, media_url="https://12345.example/p/1.jpg"))
    assert response.status_code == 201, response.content
    answer = response.json()[0]
    case = RepairRequest.objects.get()
    assert answer["service_request_id"] == case.number and answer["service_notice"].startswith("紧急")
    assert case.channel == "hotline_12345" and case.street.name == "梅园新村街道" and case.estate.code == "MY101"
    assert (case.reporter_phone, case.reporter_name, case.building, case.unit) == (PHONE, "王小明", "3", "2-301")
    assert case.requested_datetime >= before and case.urgency == "urgent"
    link = Open311Request.objects.get()
    assert link.token == answer["token"] and link.media_url == "https://12345.example/p/1.jpg"
    assert link.api_key.last_used_at is not None
    token = Client().get(f"{BASE}/tokens/{answer['token']}.json").json()
    assert token == [{"service_request_id": case.number, "token": answer["token"]}]
    assert PHONE not in caplog.text and "王小明" not in caplog.text and case.number in caplog.text
    # the clerk of the street sees it, the case steps as any other
    from disputes import services

    services.dispatch_repair(
        case,
        by=world.meiyuan_clerk,
        team=services.save_team(
            by=world.meiyuan_clerk, street=case.street, name="梅园维修队", kind="own", phone="025-84000000"
        ),
    )
    assert Client().get(f"{BASE}/requests/{case.number}.json").json()[0]["agency_responsible"] == "梅园维修队"


def test_post_json_and_xml_bodies_and_a_dispute(world, xuanwu_key):
    body = hotline(xuanwu_key, service_code="dispute_parking")
    body.pop("attribute[urgency]")
    body["attribute"] = {"respondent": "某物业公司"}
    response = post(json.dumps(body, ensure_ascii=False), content_type="application/json")
    assert response.status_code == 201, response.content
    case = DisputeCase.objects.get()
    assert case.channel == "hotline_12345" and case.service_code == "parking" and case.respondent == "某物业公司"
    xml = (
        f"<?xml version='1.0' encoding='UTF-8'?><request><api_key>{xuanwu_key}</api_key>"
        "<service_code>drain</service_code><address_id>MY102</address_id><description>下水道堵塞</description>"
        f"<phone>{PHONE}</phone><attribute><urgency>normal</urgency></attribute></request>"
    )
    response = post(xml.encode(), fmt="xml", content_type="application/xml")
    assert response.status_code == 201, response.content
    answer = etree.fromstring(response.content)
    assert answer.tag == "service_requests" and answer.findtext("request/service_request_id").startswith("WX")
    assert RepairRequest.objects.get().estate.code == "MY102"


def test_lat_long_files_at_the_nearest_estate_within_300_m(world, xuanwu_key):
    for code, lat in (("MY101", "32.045000"), ("MY102", "32.047000")):
        world.estates[code].latitude, world.estates[code].longitude = Decimal(lat), Decimal("118.795000")
        world.estates[code].save()
    fields = hotline(xuanwu_key, lat="32.0456", long="118.7951")
    fields.pop("address_id")
    assert post(fields).status_code == 201
    case = RepairRequest.objects.get()
    assert case.estate.code == "MY101" and case.lat == Decimal("32.045600")
    far = {**fields, "lat": "32.0600"}  # about 1.5 km away
    assert errors_of(post(far)) == (400, "该位置300米内没有已登记的小区，请改用 address_id（小区编码）。")
    assert RepairRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "status", "text"),
    [
        ({"api_key": ""}, 401, "缺少 api_key"),
        ({"api_key": "abc.def"}, 401, "api_key 无效"),
        ({"address_id": "NH101"}, 403, "无权在鼓楼区创建工单"),
        ({"service_code": "noise"}, 404, "service_code 不存在"),
        ({"service_code": ""}, 400, "缺少 service_code"),
        ({"description": ""}, 400, "请填写 description"),
        ({"description": "漏" * 2_000_000}, 400, "最多500个字"),
        ({"phone": "1381234"}, 400, "phone 联系电话应为11位手机号码"),
        ({"attribute[urgency]": "very"}, 400, "attribute[urgency] 应为 urgent"),
        ({"attribute[room]": "1" * 30}, 400, "单元/室）最多20个字"),
        ({"address_id": "NOPE"}, 400, "address_id 不是已登记的小区编码"),
        ({"address_id": "", "lat": "north", "long": "118"}, 400, "lat 应为数字"),
        ({"address_id": ""}, 400, "请提供 address_id"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url 应为 http(s) 链接"),
        ({"last_name": "王" * 60}, 400, "最多50个字"),
    ],
)
def test_bad_posts_are_refused_in_the_standards_shape_and_write_nothing(world, xuanwu_key, change, status, text):
    response = post(hotline(xuanwu_key, **change))
    got_status, description = errors_of(response)
    assert got_status == status and text in description
    assert PHONE not in description
    assert nothing_written()


def test_expired_and_revoked_keys_are_refused(world, xuanwu_key):
    from integrations.models import SystemAPIKey

    SystemAPIKey.objects.update(expiry_date=timezone.now() - dt.timedelta(minutes=1))
    assert errors_of(post(hotline(xuanwu_key))) == (401, "该接口密钥已过期，请联系市房产局重新发放。")
    SystemAPIKey.objects.update(expiry_date=None, revoked=True)
    assert errors_of(post(hotline(xuanwu_key))) == (401, "该接口密钥已被吊销，请联系市房产局。")
    assert nothing_written()


@pytest.mark.parametrize(
    ("body", "content_type", "text"),
    [
        (b'{"api_key": "x", ', "application/json", "JSON 格式错误"),
        (b"[1, 2]", "application/json", "JSON 应为一个对象"),
        (b'{"service_code": {"a": 1}}', "application/json", "应为文字或数字"),
        (b"\xff\xfe", "application/json", "JSON 格式错误"),
        (b"<request><api_key>x</api_key>", "application/xml", "XML 格式错误"),
        (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "x">]><request>&e;</request>', "text/xml", "XML 格式错误"),
        (b"hello", "text/plain", "不支持的提交格式"),
        (b'{"description": "a\\u0000b"}', "application/json", "控制字符"),
    ],
)
def test_unparseable_bodies(world, body, content_type, text):
    response = post(body, content_type=content_type)
    got_status, description = errors_of(response)
    assert got_status in (400, 415) and text in description
    assert nothing_written()


def test_throttling_answers_429_and_every_accepted_case_exists_once(world, xuanwu_key, settings):
    settings.GEOREPORT_POST_RATES = {**settings.GEOREPORT_POST_RATES, "key": "3/hour"}
    answers = [post(hotline(xuanwu_key, phone=f"1391234567{i}", description=f"第{i}单")) for i in range(5)]
    assert [a.status_code for a in answers] == [201, 201, 201, 429, 429]
    status, description = errors_of(answers[3])
    assert "提交过于频繁" in description and int(answers[3]["Retry-After"]) > 0
    accepted = [a.json()[0]["service_request_id"] for a in answers[:3]]
    assert sorted(r.number for r in RepairRequest.objects.all()) == sorted(accepted)
    assert sorted(r.description for r in RepairRequest.objects.all()) == ["第0单", "第1单", "第2单"]


def test_throttling_per_address_and_per_number(world, xuanwu_key, settings):
    settings.GEOREPORT_POST_RATES = {"key": "100/hour", "ip": "100/hour", "phone": "2/hour"}
    codes = [post(hotline(xuanwu_key)).status_code for _ in range(3)]
    assert codes == [201, 201, 429] and RepairRequest.objects.count() == 2
    settings.GEOREPORT_POST_RATES = {"key": "100/hour", "ip": "1/minute", "phone": "100/hour"}
    other = {"REMOTE_ADDR": "10.9.9.9"}
    assert post(hotline(xuanwu_key, phone=""), **other).status_code == 201
    assert post(hotline(xuanwu_key, phone=""), **other).status_code == 429
    assert RepairRequest.objects.count() == 3


def test_schema_describes_the_json_endpoints_only(world):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(world.auditor)
    content = client.get("/api/schema/").content
    assert b"/api/georeport/v2/requests.json" in content and b"/api/georeport/v2/tokens/{token}.json" in content
    assert b"/api/georeport/v2/requests.xml" not in content


def test_status_notes_read_back_the_public_note_never_the_internal_one(world):
    """The hotline reads status_notes to the caller: the state and the note staff marked
    对居民公开; the internal note (here with a name and a number) stays in the office."""
    from disputes import services

    now = timezone.now()
    case = repair(world, at=now - dt.timedelta(hours=2))
    services.add_repair_note(
        case,
        by=world.users["meiyuan_clerk"],
        note="内部：物业经理王五 13900001111 推诿",
        public_note="已联系物业，明日上午上门",
    )
    spam = repair(world, at=now - dt.timedelta(hours=1), category="drain")
    services.mark_invalid(spam, by=world.users["meiyuan_clerk"], reason="spam", note="电话无法接通")
    read = {r["service_request_id"]: r["status_notes"] for r in Client().get(f"{BASE}/requests.json").json()}
    assert read[case.number] == "待派单：已联系物业，明日上午上门"
    assert read[spam.number] == "无效：无效信息（测试、骚扰或无法核实），电话无法接通"
    text = json.dumps(read, ensure_ascii=False)
    assert "王五" not in text and "13900001111" not in text and "推诿" not in text
