"""Open311 against a running server, as the outside sees it: the stock `georeport` client from
PyPI lists the services and reads the requests without signing in; the 12345 system POSTs work
orders with `requests` in JSON and in XML, with a key from `create_api_key`; a key of 玄武区 cannot
create a case in 鼓楼区; nothing the reporter gave (number, name) is in any GeoReport answer."""

from __future__ import annotations

import io

import pytest
import requests
from django.core.management import call_command
from georeport import GeoReport
from lxml import etree

from disputes.models import RepairRequest

# Transactional: the live server's thread sees only committed rows; serialized_rollback puts the
# migrated districts and the system account back for the tests after this one.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PHONE = "13698765432"


def create_key(*args) -> str:
    out = io.StringIO()
    call_command("create_api_key", *args, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def test_georeport_client_and_hotline_posts(live_server, world):
    base = f"{live_server.url}/api/georeport/v2"
    key = create_key("玄武区12345热线", "--district", "320102")

    # the hotline hands a work order in: form-encoded, answer in JSON ...
    order = {
        "api_key": key,
        "service_code": "water_pipe",
        "address_id": "MY101",
        "description": "厨房水管爆裂",
        "first_name": "小红",
        "last_name": "李",
        "phone": PHONE,
        "attribute[urgency]": "urgent",
        "attribute[room]": "1-202",
    }
    created = requests.post(f"{base}/requests.json", data=order, timeout=30)
    assert created.status_code == 201, created.text
    number, token = created.json()[0]["service_request_id"], created.json()[0]["token"]
    # ... and in XML, with an XML body
    body = (
        f"<request><api_key>{key}</api_key><service_code>dispute_parking</service_code>"
        f"<address_id>MY102</address_id><description>小区停车位被占</description><phone>{PHONE}</phone>"
        "<first_name>小红</first_name><last_name>李</last_name></request>"
    ).encode()
    created_xml = requests.post(
        f"{base}/requests.xml", data=body, headers={"Content-Type": "application/xml"}, timeout=30
    )
    assert created_xml.status_code == 201, created_xml.text
    dispute_number = etree.fromstring(created_xml.content).findtext("request/service_request_id")
    assert dispute_number.startswith("JF")

    # a key of 玄武区 cannot create a case in 鼓楼区
    foreign = requests.post(f"{base}/requests.json", data={**order, "address_id": "NH101"}, timeout=30)
    assert foreign.status_code == 403 and "鼓楼区" in foreign.json()[0]["description"]
    bad_xml = requests.post(f"{base}/requests.xml", data=b"<request>", headers={"Content-Type": "text/xml"}, timeout=30)
    assert bad_xml.status_code == 400 and b"<errors><error><code>400</code>" in bad_xml.content

    repair = RepairRequest.objects.get()
    assert repair.number == number and repair.street.name == "梅园新村街道" and repair.channel == "hotline_12345"

    # a stock Open311 client, no login, JSON and XML
    for fmt in ("json", "xml"):
        client = GeoReport(base, output_format=fmt)
        services = client.get_service_list()
        assert {"water_pipe", "dispute_parking"} <= {s["service_code"] for s in services}
        definition = client.get_service_definition("water_pipe")
        assert definition["service_code"] == "water_pipe"
        found = client.get_service_requests()
        found = found if isinstance(found, list) else [found]
        assert {r["service_request_id"] for r in found} == {number, dispute_number}
        one = client.get_service_request(number)
        assert one["service_code"] == "water_pipe" and one["address_id"] == "MY101" and one["status"] == "open"
    assert requests.get(f"{base}/tokens/{token}.json", timeout=30).json()[0]["service_request_id"] == number

    # nothing personal in any GeoReport answer
    for path in (
        "requests.json",
        "requests.xml",
        f"requests/{number}.json",
        f"requests/{dispute_number}.xml",
        f"tokens/{token}.json",
        "services.json",
        "discovery.json",
    ):
        text = requests.get(f"{base}/{path}", timeout=30).text
        for personal in (PHONE, "小红", "李小红", "1-202"):
            assert personal not in text, (path, personal)
