"""Point 1–2: the estate's public entry, the report, the receipt, the poster; the case in the
street's workflow (居民自报, receipt time from the server, duplicates flagged)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from disputes.models import Attachment, DisputeCase, RepairRequest
from residents import services
from residents.models import EstateEntry
from tests.residents.helpers import MOBILE, jpeg_with_exif, report

pytestmark = pytest.mark.django_db


def _url(entry):
    return reverse("residents:entry", args=[entry.token])


def test_the_entry_token_is_not_the_row_id_and_is_stable(world, entry):
    assert not entry.token.isdigit() and len(entry.token) >= 32
    assert f"/{entry.estate_id}/" not in reverse("residents:entry", args=[entry.token])
    again = services.entry_for(world.estates["MY101"], by=world.users["meiyuan_clerk"])
    assert again.pk == entry.pk


def test_anonymous_resident_reports_a_repair_with_a_photo_and_gets_a_receipt(client, world, entry):
    before = timezone.now()
    page = client.get(_url(entry))
    assert page.status_code == 200 and world.estates["MY101"].name in page.content.decode()
    response = client.post(
        _url(entry),
        {
            **report(),
            "photos": [jpeg_with_exif()],
            # a time typed into the form is not read: the server's clock is
            "requested_datetime": "2019-01-01T08:00",
        },
    )
    repair = RepairRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("residents:track", args=[repair.tracking_token]) + "?new=1"
    assert repair.channel == "resident" and repair.estate == world.estates["MY101"]
    assert repair.service_code == "water_pipe" and repair.urgency == "urgent"
    assert (repair.building, repair.unit, repair.room) == ("3", "2", "301")
    assert repair.reporter_phone == MOBILE and repair.reporter_name == "李四"
    assert before <= repair.requested_datetime <= timezone.now()
    assert repair.expected_datetime == repair.requested_datetime + dt.timedelta(hours=repair.limit_hours)
    assert repair.tracking_token and repair.tracking_token != entry.token
    receipt = client.get(response["Location"]).content.decode()
    assert f"已受理，受理编号 {repair.number}" in receipt
    # the photo: re-encoded as JPEG, EXIF (camera, GPS) gone
    photo = Attachment.objects.get(repair=repair)
    with photo.file.open("rb") as f:
        saved = Image.open(io.BytesIO(f.read()))
        assert saved.format == "JPEG" and not saved.getexif()


def test_a_dispute_request_enters_the_mediation_workflow(client, world, entry):
    client.post(_url(entry), report(kind="dispute", dispute_category="parking", repair_category=""))
    case = DisputeCase.objects.get()
    assert case.channel == "resident" and case.service_code == "parking" and case.status == "received"
    assert case.party_phone == MOBILE and case.room == "301" and case.tracking_token
    assert case.number.startswith("JF")


def test_a_revoked_or_unknown_token_is_a_chinese_404_and_writes_nothing(client, world, entry):
    old = entry.token
    new = services.regenerate_entry(world.estates["MY101"], by=world.users["meiyuan_clerk"])
    assert new.token != old
    for token in (old, "no-such-token", "x" * 200):
        response = client.post(reverse("residents:entry", args=[token]), report())
        assert response.status_code == 404
        assert "不存在或已失效" in response.content.decode()
    assert not RepairRequest.objects.exists()
    assert EstateEntry.objects.get(token=old).revoked_at is not None
    assert client.get(reverse("residents:entry", args=[new.token])).status_code == 200


def test_staff_page_and_poster_carry_a_locally_drawn_qr_code(client, world, entry):
    client.force_login(world.users["meiyuan_clerk"])
    page = client.get(reverse("residents:manage", args=[entry.estate_id])).content.decode()
    assert entry.token in page and "data:image/svg+xml" in page
    poster = client.get(reverse("residents:poster", args=[entry.estate_id])).content.decode()
    assert "data:image/svg+xml" in poster and "@page" not in poster  # the A4 rule lives in the stylesheet
    assert world.estates["MY101"].name in poster and "扫码报修" in poster
    detail = client.get(reverse("communities:estate_detail", args=[entry.estate_id])).content.decode()
    assert reverse("residents:manage", args=[entry.estate_id]) in detail
    # regenerating from the page revokes the old link
    client.post(reverse("residents:manage", args=[entry.estate_id]))
    assert not EstateEntry.objects.filter(token=entry.token, revoked_at__isnull=True).exists()


def test_another_street_cannot_manage_the_estate_entry(client, world):
    client.force_login(world.users["xinjiekou_clerk"])
    assert client.get(reverse("residents:manage", args=[world.estates["MY101"].pk])).status_code == 404
    assert not EstateEntry.objects.exists()


def test_new_resident_reports_are_counted_and_first_in_the_streets_list(client, world, entry):
    from disputes.services import create_repair
    from residents.services import new_resident_cases_count

    client.post(_url(entry), report())
    resident = RepairRequest.objects.get()
    # a clerk's own case recorded later is newer, but the resident's report stays on top
    create_repair(
        by=world.users["meiyuan_clerk"], estate=world.estates["MY102"], service_code="drain", urgency="normal"
    )
    assert new_resident_cases_count(world.users["meiyuan_clerk"]) == 1
    assert new_resident_cases_count(world.users["xinjiekou_clerk"]) == 0
    client.force_login(world.users["meiyuan_clerk"])
    home = client.get(reverse("disputes:home")).content.decode()
    assert "新的居民自报" in home
    listing = client.get(reverse("disputes:repair_list")).content.decode()
    assert listing.index(resident.number) < listing.index("WX", listing.index(resident.number) + 8)


def test_a_second_report_of_the_same_room_within_two_hours_is_flagged_and_linked(client, world, entry, settings):
    settings.RESIDENTS_CAPTCHA_AFTER = 100
    client.post(_url(entry), report())
    client.post(_url(entry), report(description="楼上漏水", phone="13800001111"))
    client.post(_url(entry), report(room="302", phone="13800002222"))
    first, second, other_room = RepairRequest.objects.order_by("id")
    assert second.duplicate_of == first and other_room.duplicate_of is None and first.duplicate_of is None
    assert RepairRequest.objects.count() == 3  # flagged, not merged
    client.force_login(world.users["meiyuan_clerk"])
    page = client.get(reverse("disputes:repair_detail", args=[second.pk])).content.decode()
    assert "疑似重复" in page and first.number in page


def test_reports_more_than_two_hours_apart_are_not_duplicates(world, entry):
    from disputes.services import find_duplicate

    first = services.submit_report(
        entry=entry,
        kind="repair",
        service_code="water_pipe",
        urgency="urgent",
        description="漏水",
        building="3",
        unit="2",
        room="301",
        name="",
        phone=MOBILE,
        photos=[],
    )
    first.requested_datetime -= dt.timedelta(hours=2, minutes=1)
    first.save()
    second = services.submit_report(
        entry=entry,
        kind="repair",
        service_code="water_pipe",
        urgency="urgent",
        description="漏水",
        building="3",
        unit="2",
        room="301",
        name="",
        phone=MOBILE,
        photos=[],
    )
    assert second.duplicate_of is None and find_duplicate(second) is None


def test_clerks_cannot_record_a_case_as_resident_reported(client, world):
    """居民自报 is the public form's alone: not on the clerks' forms, the API or a ledger."""
    from disputes.forms import RepairForm
    from disputes.imports import CHANNEL

    client.force_login(world.users["meiyuan_clerk"])
    response = client.post(
        reverse("api:repair-list"),
        {
            "estate_code": world.estates["MY101"].code,
            "service_code": "drain",
            "urgency": "normal",
            "channel": "resident",
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and list(response.json()["errors"]) == ["channel"]
    assert not RepairRequest.objects.exists()
    assert "居民自报" not in CHANNEL
    assert "resident" not in dict(RepairForm(user=world.users["meiyuan_clerk"]).fields["channel"].choices)
