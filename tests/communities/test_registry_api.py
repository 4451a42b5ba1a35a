"""The registry API: scoped exactly like the pages, the same filters, the same messages as the
forms, read-only scope columns and version, optimistic locking through If-Match, a valid schema."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from communities import services
from communities.models import Community, Estate, ServiceFirm
from communities.services import Msg
from tests.communities.test_estate_pages import EXPECTED_CODES, SIGNED_IN, expected, form_data
from tests.factories import EstateFactory, credit_code

pytestmark = pytest.mark.django_db
ESTATES = "/api/estates/"


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


def api_codes(api, **params) -> tuple[set[str], int]:
    response = api.get(ESTATES, params)
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.data["results"]}, response.data["count"]


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_api_list_detail_and_search_are_scoped_like_the_pages(api, world, persona):
    assert EXPECTED_CODES[persona]
    as_user(api, world.users[persona])
    codes, count = api_codes(api, page_size=100)
    assert codes == expected(world, persona) and count == len(codes)
    for q in ("XJK", "新街口", "NH", "梅园"):
        found, n = api_codes(api, q=q)
        assert found <= expected(world, persona) and n == len(found)
    for code, estate in world.estates.items():
        status = api.get(f"{ESTATES}{estate.pk}/").status_code
        assert status == (200 if code in expected(world, persona) else 404), (persona, code)


def test_api_filters_are_the_pages_filters(api, world):
    as_user(api, world.city_admin)
    assert api_codes(api, district="320106", category="renovated")[0] == {"NH101", "NH201"}
    assert api_codes(api, street="320102002", community=world.communities["MY2"].pk)[0] == {"MY201", "MY202"}
    # A filter naming no row, or one out of scope, gives an empty list (issue 15.4, docs/api.md):
    # the schema can only say "a code", and the answer tells nothing about what is out of scope.
    response = api.get(ESTATES, {"district": "999999"})
    assert response.status_code == 200 and response.data["count"] == 0
    as_user(api, world.meiyuan_clerk)
    response = api.get(ESTATES, {"street": "320102003"})
    assert response.status_code == 200 and response.data["count"] == 0


def test_api_ordering_and_pages(api, world):
    as_user(api, world.city_admin)
    rows = api.get(ESTATES, {"ordering": "-building_area", "page_size": 5}).data
    areas = [row["building_area"] for row in rows["results"]]
    assert rows["count"] == 12 and len(areas) == 5 and areas == sorted(areas, key=float, reverse=True)
    last = api.get(ESTATES, {"ordering": "-building_area", "page_size": 5, "page": 3}).data
    assert [r["code"] for r in last["results"]] == [
        e.code for e in Estate.objects.order_by("-building_area", "code")[10:12]
    ]
    assert api.get(ESTATES, {"page": 9}).status_code == 404


def test_api_list_costs_constant_queries(api, world, django_assert_max_num_queries):
    as_user(api, world.xuanwu_staff)
    with django_assert_max_num_queries(12) as small:
        api.get(ESTATES, {"district": "320102", "ordering": "name"})
    community = Community.objects.get(name="梅园新村第1社区")
    for n in range(80):
        EstateFactory(code=f"A{n:03d}", community=community)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = api.get(ESTATES, {"district": "320102", "ordering": "name"})
    assert len(response.data["results"]) == 50


def api_payload(world, **changes):
    payload = {
        "code": "MY401",
        "name": "接口小区",
        "community": world.communities["MY1"].pk,
        "building_area": "5200.25",
        "category": "renovated",
        "renovation_year": 2019,
        "management_mode": "public_welfare",
        "year_built": 1990,
    }
    payload.update(changes)
    return payload


def test_api_create_derives_scope_and_ignores_protected_fields(api, world):
    as_user(api, world.meiyuan_clerk)
    nh = world.estates["NH101"]
    response = api.post(
        ESTATES, api_payload(world, district="320106", street=nh.street.code, version=99), format="json"
    )
    assert response.status_code == 201, response.data
    assert (response.data["district"], response.data["street"], response.data["version"]) == ("320102", "320102002", 1)
    assert response["ETag"] == '"1"'
    assert Estate.objects.get(code="MY401").history.get().history_user == world.meiyuan_clerk


@pytest.mark.parametrize("persona", ["auditor", "city_finance", "xuanwu_finance", "meiyuan_advisor", "evaluator"])
def test_api_readers_cannot_write(api, world, persona):
    as_user(api, world.users[persona])
    assert api.post(ESTATES, api_payload(world), format="json").status_code == 403
    estate = world.estates["MY101"]
    response = api.patch(f"{ESTATES}{estate.pk}/", {"name": "x"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code in (403, 404)
    assert Estate.objects.get(pk=estate.pk).name != "x"


def test_api_update_needs_if_match_and_refuses_a_stale_version(api, world):
    estate = world.estates["MY101"]
    url = f"{ESTATES}{estate.pk}/"
    as_user(api, world.meiyuan_clerk)
    read = api.get(url)
    assert read["ETag"] == '"1"' and read.data["version"] == 1
    missing = api.patch(url, {"households": 500}, format="json")
    assert missing.status_code == 428 and "If-Match" in missing.data["detail"]
    ok = api.patch(url, {"households": 500, "version": 77}, format="json", HTTP_IF_MATCH='"1"')
    assert ok.status_code == 200 and ok.data["households"] == 500 and ok.data["version"] == 2 and ok["ETag"] == '"2"'
    stale = api.patch(url, {"households": 600}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 409
    assert "您的修改没有保存" in stale.data["detail"] and stale.data["current"]["households"] == 500
    assert Estate.objects.get(pk=estate.pk).households == 500
    # PUT replaces the writable fields (the scope still follows the community).
    put = api.put(
        url,
        api_payload(world, code="MY101", community=world.communities["MY2"].pk),
        format="json",
        HTTP_IF_MATCH='W/"2"',
    )
    assert put.status_code == 200 and put.data["community"] == world.communities["MY2"].pk
    as_user(api, world.xinjiekou_clerk)
    assert api.patch(url, {"households": 1}, format="json", HTTP_IF_MATCH='"3"').status_code == 404


# One table of bad input, posted to the form and to the API: the same words come back.
SAME_MESSAGES = [
    ({"building_area": "0"}, "building_area", Msg.AREA_POSITIVE),
    ({"building_area": "12.345"}, "building_area", Msg.AREA_PLACES),
    ({"building_area": "abc"}, "building_area", Msg.INVALID_NUMBER),
    ({"building_area": ""}, "building_area", Msg.REQUIRED),
    ({"category": "renovated", "renovation_year": ""}, "renovation_year", Msg.RENOVATION_REQUIRED),
    ({"category": "unrenovated", "renovation_year": "2019"}, "renovation_year", Msg.RENOVATION_NOT_ALLOWED),
    ({"category": "商品房"}, "category", Msg.CATEGORY),
    ({"year_built": "1900"}, "year_built", "建成年份应在1949年至"),
    ({"households": "-3"}, "households", "户数不能为负数。"),
    ({"households": "many"}, "households", Msg.INVALID_INTEGER),
    ({"code": "MY102"}, "code", Msg.CODE_TAKEN),
    ({"code": "NH101"}, "code", Msg.CODE_UNAVAILABLE),
    ({"code": "MY\u200b402"}, "code", "编码含有不可见字符或控制字符。"),
    ({"service_firm": "99999"}, "service_firm", Msg.FIRM_MISSING),
    ({"management_mode": "托管"}, "management_mode", Msg.MODE),
]


@pytest.mark.parametrize(("change", "field", "message"), SAME_MESSAGES, ids=[m for _c, _f, m in SAME_MESSAGES])
def test_form_and_api_refuse_bad_input_with_the_same_message(client, api, world, change, field, message):
    client.force_login(world.meiyuan_clerk)
    response = client.post(reverse("communities:estate_create"), form_data(world, **{"code": "MY402", **change}))
    assert response.status_code == 200
    form_errors = response.context["form"].errors[field]
    assert any(message in e for e in form_errors), form_errors

    as_user(api, world.meiyuan_clerk)
    payload = {
        "code": "MY402",
        "name": "接口小区",
        "community": world.communities["MY1"].pk,
        "building_area": "8000.50",
        "category": "unrenovated",
        "management_mode": "basic_service",
    }
    for key, value in change.items():
        payload[key] = None if value == "" and key != "code" else value
    response = api.post(ESTATES, payload, format="json")
    assert response.status_code == 400, response.data
    assert response.data["detail"] == "提交的数据有误。"
    assert any(message in e for e in response.data["errors"][field]), response.data
    assert not Estate.objects.filter(code__in=["MY402", "MY\u200b402"]).exists()


def test_api_out_of_scope_community_gets_the_form_message(api, client, world):
    as_user(api, world.meiyuan_clerk)
    response = api.post(ESTATES, api_payload(world, community=world.communities["XJK1"].pk), format="json")
    assert response.data["errors"]["community"] == [Msg.COMMUNITY_INVALID]
    client.force_login(world.meiyuan_clerk)
    response = client.post(
        reverse("communities:estate_create"), form_data(world, community=world.communities["XJK1"].pk)
    )
    assert Msg.COMMUNITY_INVALID in response.context["form"].errors["community"]


# --- other endpoints ---------------------------------------------------------------------
def test_units_api_is_scoped(api, world):
    as_user(api, world.meiyuan_clerk)
    assert [d["name"] for d in api.get("/api/districts/").data["results"]] == ["玄武区"]
    assert [s["name"] for s in api.get("/api/streets/").data["results"]] == ["梅园新村街道"]
    assert {c["name"] for c in api.get("/api/communities/").data["results"]} == {"梅园新村第1社区", "梅园新村第2社区"}
    assert api.get("/api/streets/320102003/").status_code == 404
    as_user(api, world.city_admin)
    jiangbei = api.get("/api/streets/", {"district": "JBXQ"}).data
    assert jiangbei["count"] == 7 and all(s["official_district"] in ("320111", "320116") for s in jiangbei["results"])


def test_firms_api_is_public_but_written_by_its_units(api, world):
    firm = services.create_firm(
        {"name": "梅园公益物业", "credit_code": credit_code(61), "is_public_welfare": True, "founding": "new"},
        by=world.meiyuan_clerk,
    )
    as_user(api, world.ninghai_clerk)
    assert api.get(f"/api/firms/{firm.pk}/").data["entrusted_by"] == "梅园新村街道"
    assert api.patch(f"/api/firms/{firm.pk}/", {"phone": "025-1234567"}, format="json").status_code == 403
    as_user(api, world.xuanwu_staff)
    response = api.patch(f"/api/firms/{firm.pk}/", {"phone": "025-1234567"}, format="json")
    assert response.status_code == 200 and ServiceFirm.objects.get(pk=firm.pk).phone == "025-1234567"
    response = api.post("/api/firms/", {"name": "坏代码物业", "credit_code": "91320102MA1XXXXXX0"}, format="json")
    assert response.status_code == 400 and response.data["errors"]["credit_code"] == ["统一社会信用代码校验位不正确。"]
    as_user(api, world.city_admin)
    response = api.post(
        "/api/firms/", {"name": "市级登记物业", "credit_code": credit_code(62), "district": "320106"}, format="json"
    )
    assert response.status_code == 201 and response.data["district_name"] == "鼓楼区"


def test_committees_api_with_members_and_masked_phones(api, world):
    as_user(api, world.meiyuan_clerk)
    payload = {
        "estate": world.estates["MY101"].pk,
        "name": "梅园物管会",
        "formed_on": "2019-03-01",
        "term_start": "2019-03-01",
        "term_end": "2021-02-28",
        "members": [{"name": "王主任", "role": "director", "phone": "13912345678"}, {"name": "李委员"}]
        + [{"name": f"委员{i}"} for i in range(3)],
    }
    response = api.post("/api/committees/", payload, format="json")
    assert response.status_code == 201, response.data
    pk = response.data["id"]
    assert [m["name"] for m in response.data["members"]][0] == "王主任"
    assert "李委员" in [m["name"] for m in response.data["members"]]
    assert response.data["members"][0]["phone"] == "13912345678"
    bad = api.post(
        "/api/committees/",
        {**payload, "members": [{"name": "甲", "role": "director"}, {"name": "乙", "role": "director", "phone": "1"}]},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.data["errors"]["non_field_errors"] == [Msg.ONE_DIRECTOR, Msg.COMMITTEE_TOO_FEW.format(min=5, n=2)]
    assert bad.data["errors"]["members"][1] == {"phone": [Msg.PHONE]}
    as_user(api, world.meiyuan_advisor)
    assert api.get(f"/api/committees/{pk}/").data["members"][0]["phone"] == "139****5678"
    as_user(api, world.xinjiekou_clerk)
    assert api.get(f"/api/committees/{pk}/").status_code == 404
    assert api.post("/api/committees/", payload, format="json").data["errors"]["estate"] == [Msg.ESTATE_INVALID]


def test_token_authentication(api, world):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=world.gulou_staff)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    codes, _ = api_codes(api)
    assert codes == {"NH101", "NH102", "NH201", "NH202"}
    response = api.post(
        ESTATES,
        {
            "code": "NH301",
            "name": "令牌小区",
            "community": world.communities["NH1"].pk,
            "building_area": "1000",
            "category": "affordable",
        },
        format="json",
    )
    assert response.status_code == 201
    assert Estate.objects.get(code="NH301").history.get().history_user == world.gulou_staff


def test_schema_is_valid_and_docs_need_no_cdn(client, world, tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    schema = (tmp_path / "schema.yml").read_text(encoding="utf-8")
    for path in ("/api/estates/{id}/", "/api/firms/", "/api/committees/", "/api/streets/{code}/", "If-Match"):
        assert path in schema
    client.force_login(world.auditor)
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower() and "unpkg" not in docs.lower()


def test_committee_dates_are_checked_in_the_api(api, world):
    as_user(api, world.xuanwu_staff)
    response = api.post(
        "/api/committees/",
        {
            "estate": world.estates["XJK101"].pk,
            "name": "新街口物管会",
            "formed_on": str(date(2019, 1, 1)),
            "term_start": "2019-01-01",
            "term_end": "2018-12-31",
        },
        format="json",
    )
    assert response.data["errors"]["term_end"] == [Msg.TERM_END_BEFORE_START]
    response = api.post(
        "/api/committees/",
        {
            "estate": world.estates["XJK101"].pk,
            "name": "x",
            "formed_on": "昨天",
            "term_start": "2019-01-01",
            "term_end": "2020-01-01",
        },
        format="json",
    )
    assert response.data["errors"]["formed_on"] == [Msg.INVALID_DATE]
