"""Defaults match the words (issue 20, point 10): no choice stands made that the hint says is
made by leaving it alone."""

from __future__ import annotations

import re

from django.urls import reverse

from disputes.models import DisputeCase


def test_dispute_channel_starts_unchosen_and_unchosen_means_other(client, world):
    client.force_login(world.meiyuan_clerk)
    html = client.get(reverse("disputes:dispute_create")).content.decode()
    assert "不选即为“其他”" in html
    assert not re.search(r'<input type="radio"[^>]*name="channel"[^>]*checked', html)
    response = client.post(
        reverse("disputes:dispute_create"),
        {"estate": world.estates["MY101"].pk, "service_code": "parking", "requested_datetime": "2024-03-01T10:00"},
    )
    assert response.status_code == 302 and DisputeCase.objects.get().channel == "other"


def test_filing_decision_starts_unchosen(world):
    from disputes.forms import DecideForm

    form = DecideForm()
    assert form.fields["status"].choices[0] == ("", "请选择审查结果")
    assert DecideForm({"status": ""}).errors["status"] == ["请选择审查结果。"]
