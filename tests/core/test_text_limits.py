"""Free-text length limits per kind (issue 20, point 9): settings.TEXT_LIMITS, refused with a
Chinese message by the page and the API alike, nothing saved; the page shows a counter."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from disputes.models import DisputeCase
from staffing.models import JointMeeting

LIMIT = settings.TEXT_LIMITS["description"]


def test_a_two_megabyte_description_is_refused_on_the_page(client, world):
    client.force_login(world.meiyuan_clerk)
    page = client.get(reverse("disputes:dispute_create")).content.decode()
    assert f'data-text-limit="{LIMIT}"' in page  # the counter's hook (static/js/app.js)
    html = client.post(
        reverse("disputes:dispute_create"),
        {
            "estate": world.estates["MY101"].pk,
            "service_code": "parking",
            "description": "吵" * 2_000_000,
            "requested_datetime": "2024-03-01T10:00",
        },
    ).content.decode()
    assert f"不能超过{LIMIT}个字符（现有2000000个）" in html
    assert not DisputeCase.objects.exists()
    ok = client.post(
        reverse("disputes:dispute_create"),
        {
            "estate": world.estates["MY101"].pk,
            "service_code": "parking",
            "description": "吵" * LIMIT,
            "requested_datetime": "2024-03-01T10:00",
        },
    )
    assert ok.status_code == 302 and len(DisputeCase.objects.get().description) == LIMIT


def test_the_api_refuses_the_same(world):
    client = APIClient()
    client.force_authenticate(world.meiyuan_clerk)
    response = client.post(
        reverse("api:dispute-list"),
        {"estate_code": "MY101", "service_code": "parking", "description": "x" * (LIMIT + 1)},
        format="json",
    )
    assert response.status_code == 400
    assert f"不能超过{LIMIT}个字符" in response.content.decode()
    assert not DisputeCase.objects.exists()


def test_meeting_minutes_use_their_kind(client, world, settings):
    settings.TEXT_LIMITS = {**settings.TEXT_LIMITS, "minutes": 10}
    client.force_login(world.users["xuanwu_staff"])
    html = client.post(
        reverse("staffing:meeting_create"),
        {
            "title": "区联席会议",
            "date": "2024-03-01",
            "chair": "区分管领导",
            "attendees": "区房产局",
            "topics": "议" * 11,
        },
    ).content.decode()
    assert "不能超过10个字符（现有11个）" in html
    assert not JointMeeting.objects.exists()
