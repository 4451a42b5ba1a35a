"""Issue 15, point 4: the OpenAPI document describes the API precisely enough that a generated
client works first time, and the API does what the document says (the behaviour each fix of the
schema relies on; tests/hardening/test_api_fuzz.py runs all of schemathesis' checks over it)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(world):
    client = APIClient()
    client.force_authenticate(world.city_admin)
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


def test_the_schema_is_valid_openapi_3_and_every_operation_can_be_generated(schema):
    from drf_spectacular.validation import validate_schema

    validate_schema(schema)  # raises on anything that is not OpenAPI 3.0
    ids = [operation["operationId"] for _, _, operation in operations(schema)]
    assert len(ids) == len(set(ids)) > 50 and all(ids)
    for path, method, operation in operations(schema):
        label = f"{method.upper()} {path}"
        successes = {code: r for code, r in operation["responses"].items() if code.startswith("2")}
        assert successes, label
        for code, response in successes.items():
            assert code == "204" or response.get("content", {}).get("application/json", {}).get("schema"), label
        for code in ("400", "401", "403", "404", "429"):
            assert "application/json" in operation["responses"][code]["content"], (label, code)
        assert operation["responses"]["401"]["headers"]["WWW-Authenticate"]["schema"]["enum"] == ["Token"]
        if "requestBody" in operation and not path.startswith("/api/georeport/"):
            # JSON only (Open311's POST takes the standard's form post too): the API's one parser (config/settings.py); a form post is a 415
            assert list(operation["requestBody"]["content"]) == ["application/json"], label
            assert "415" in operation["responses"], label


def test_paging_and_filters_are_typed(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/estates/"]["get"]["parameters"]}
    assert parameters["page"]["schema"] == {"type": "integer", "minimum": 1}
    assert parameters["page_size"]["schema"]["maximum"] == 500 and "allowEmptyValue" not in parameters["page_size"]
    assert parameters["renovation_year"]["schema"]["minimum"] == 1949
    assert parameters["q"]["allowEmptyValue"] is True  # `?q=` is "any", as a form sends it
    assert parameters["q"]["schema"]["pattern"].startswith("^[^\\u0000")  # no control characters
    if_match = {p["name"]: p for p in schema["paths"]["/api/estates/{id}/"]["patch"]["parameters"]}["If-Match"]
    assert if_match["required"] and if_match["schema"]["pattern"]
    assert {p["name"]: p for p in schema["paths"]["/api/estates/{id}/"]["get"]["parameters"]}["id"]["schema"][
        "type"
    ] == "integer"


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page=last", "page"),
        ("page_size=0", "page_size"),
        ("page_size=501", "page_size"),
        ("page_size=null", "page_size"),
        ("page_size=", "page_size"),
        ("overdue=-58800", "overdue"),
        ("district=AAA", "district"),
    ],
)
def test_a_bad_paging_or_filter_value_is_400_in_chinese(world, query, field):
    path = "/api/allocation-sheets/" if field == "district" else "/api/disputes/"
    response = api(world.city_admin).get(f"{path}?{query}")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["detail"] == "提交的数据有误。" and field in response.json()["errors"]


def test_a_page_past_the_end_is_404_and_page_size_is_honoured(world):
    client = api(world.city_admin)
    assert client.get("/api/communities/?page=99").status_code == 404
    body = client.get("/api/communities/?page_size=2&page=2").json()
    assert len(body["results"]) == 2 and body["previous"]


@pytest.mark.parametrize(
    "query", ["community=999999", "community=0", "service_firm=123456789012345678", "district=999999"]
)
def test_a_filter_naming_no_row_gives_an_empty_list(world, query):
    path = "/api/estates/" if "service_firm" in query or "community" in query else "/api/allocation-sheets/"
    response = api(world.city_admin).get(f"{path}?{query}")
    assert response.status_code == 200, response.content[:300]
    assert response.json()["count"] == 0


def test_a_filter_naming_a_row_out_of_scope_gives_an_empty_list_not_its_existence(world):
    """The 鼓楼区 community exists; to the 梅园新村 clerk it is as absent as an unknown one."""
    from communities.models import Community

    other = Community.objects.filter(street__name="宁海路街道").first()
    assert other is not None and api(world.city_admin).get(f"/api/estates/?community={other.pk}").json()["count"]
    response = api(world.meiyuan_clerk).get(f"/api/estates/?community={other.pk}")
    assert response.status_code == 200 and response.json()["count"] == 0


def test_a_repeated_query_parameter_is_400(world):
    response = api(world.city_admin).get("/api/estates/?district=320102&district=320106")
    assert response.status_code == 400
    assert response.json() == {"detail": "查询参数只能出现一次：district。", "errors": {"district": ["只能出现一次。"]}}


def test_the_api_reads_json_only(world):
    client = api(world.meiyuan_clerk)
    form = client.post("/api/repairs/", {"estate_code": "MY101", "service_code": "drain"})  # multipart
    assert form.status_code == 415 and form.json()["detail"] == "不支持的请求格式。"
    encoded = client.post("/api/repairs/", "estate_code=MY101", content_type="application/x-www-form-urlencoded")
    assert encoded.status_code == 415


@pytest.mark.parametrize(
    "query", ["end_date=2019-02-30T10:00:00", "page=0", "page=-1", "page=%2B5", "service_request_id=%D9%A1"]
)
def test_georeport_parameters_are_read_as_documented(world, query):
    response = api(world.city_admin).get(f"/api/georeport/v2/requests.json?{query}")
    assert response.status_code == 400, response.content[:300]
    assert response.json()[0]["code"] == 400


def test_georeport_request_ids_beyond_bigint_are_400_not_500(world):
    response = api(world.city_admin).get("/api/georeport/v2/requests/99999999999999999999999.json")
    assert response.status_code == 400


def test_revoking_a_token_of_a_user_id_beyond_bigint_is_400(world):
    response = api(world.city_admin).delete("/api/token/?user=99999999999999999999999")
    assert response.status_code == 400
