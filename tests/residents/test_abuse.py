"""Point 7 and the issue's bad input: every refusal is a Chinese message, HTTP 400 (429 past a
rate limit), and nothing is written."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disputes.models import Attachment, DisputeCase, RepairRequest
from tests.residents.helpers import MOBILE, jpeg_with_exif, png_header, renamed_pdf, report

pytestmark = pytest.mark.django_db


def _post(client, entry, data, **extra):
    return client.post(reverse("residents:entry", args=[entry.token]), data, **extra)


def _nothing_written():
    return not RepairRequest.objects.exists() and not DisputeCase.objects.exists() and not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (report(description=""), "请简要描述情况。"),
        (report(description="   "), "请简要描述情况。"),
        (report(description="漏" * 2_000_000), "情况描述不能超过500字。"),
        (report(phone="1391234567"), "请填写11位手机号码。"),
        (report(phone="139123456789"), "请填写11位手机号码。"),
        (report(phone="025-8412345"), "请填写11位手机号码。"),
        (report(phone=""), "请填写11位手机号码。"),
        (report(repair_category="parking"), "所选类别不是报修类别，请重新选择。"),
        (report(kind="dispute", dispute_category="water_pipe"), "所选类别不是矛盾纠纷类别，请重新选择。"),
        (report(repair_category=""), "请选择报修类别。"),
        (report(kind="complaint"), "请选择报修或矛盾纠纷求助。"),
        (report(urgency="asap"), "请选择紧急或一般。"),
        (report(room="3" * 21), "室号不能超过20字。"),
    ],
)
def test_bad_fields_are_refused_in_chinese_and_nothing_is_written(client, entry, data, message, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024  # let the 2 MB description reach the form
    response = _post(client, entry, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _nothing_written()


@pytest.mark.parametrize(
    ("photos", "message"),
    [
        ([renamed_pdf()], "第1张照片不是可识别的图片"),
        ([jpeg_with_exif(), png_header(10_000, 5_000)], "第2张照片像素过大（超过4000万像素）"),
        ([jpeg_with_exif(f"p{i}.jpg") for i in range(6)], "最多上传3张照片。"),
        (
            [SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (10 * 1024 * 1024), content_type="image/jpeg")],
            "第1张照片超过10MB",
        ),
        (
            [SimpleUploadedFile("x.jpg", b"\xff\xd8\xff\xe0garbage", content_type="image/jpeg")],
            "第1张照片不是可识别的图片",
        ),
    ],
)
def test_bad_photos_are_refused_and_nothing_is_written(client, entry, photos, message):
    response = _post(client, entry, {**report(), "photos": photos})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _nothing_written()


def test_a_refused_photo_does_not_use_up_the_limit(client, entry, settings):
    settings.RESIDENTS_REPORTS_PER_MOBILE_PER_DAY = 1
    _post(client, entry, {**report(), "photos": [renamed_pdf()]})
    assert _post(client, entry, report()).status_code == 302


def test_past_the_limit_the_answer_is_429_and_each_accepted_case_exists_once(client, entry, settings):
    settings.RESIDENTS_REPORTS_PER_IP_PER_HOUR = 3
    settings.RESIDENTS_CAPTCHA_AFTER = 100
    statuses = [_post(client, entry, report(phone=f"1380000000{i}", room=str(100 + i))).status_code for i in range(5)]
    assert statuses == [302, 302, 302, 429, 429]
    refused = _post(client, entry, report(phone="13800000009"))
    assert refused.status_code == 429 and "提交过于频繁" in refused.content.decode()
    assert RepairRequest.objects.count() == 3
    assert sorted(RepairRequest.objects.values_list("room", flat=True)) == ["100", "101", "102"]
    # another address is not held back by this one
    assert _post(client, entry, report(phone="13800000008"), REMOTE_ADDR="10.1.2.3").status_code == 302


def test_one_number_is_limited_whatever_the_address(client, entry, settings):
    settings.RESIDENTS_REPORTS_PER_MOBILE_PER_DAY = 2
    codes = [_post(client, entry, report(room=str(i)), REMOTE_ADDR=f"10.0.0.{i}").status_code for i in range(3)]
    assert codes == [302, 302, 429]
    assert RepairRequest.objects.count() == 2


def test_the_second_report_within_an_hour_needs_the_captcha(client, entry):
    from residents.captcha import SESSION_KEY

    assert "验证码" not in client.get(reverse("residents:entry", args=[entry.token])).content.decode()
    assert _post(client, entry, report()).status_code == 302
    form = client.get(reverse("residents:entry", args=[entry.token])).content.decode()
    assert "验证码" in form and reverse("residents:captcha") in form
    image = client.get(reverse("residents:captcha"))
    assert image["Content-Type"] == "image/png" and image.content.startswith(b"\x89PNG")
    wrong = _post(client, entry, report(room="999", captcha="!!!!"))
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    assert RepairRequest.objects.count() == 1
    client.get(reverse("residents:captcha"))
    code = client.session[SESSION_KEY]
    assert _post(client, entry, report(room="999", captcha=code.lower())).status_code == 302
    assert RepairRequest.objects.count() == 2
    # a code answers once
    assert _post(client, entry, report(room="998", captcha=code)).status_code == 400


def test_the_mobile_number_is_masked_for_everyone_but_the_handling_clerk(client, world, entry):
    _post(client, entry, report())
    repair = RepairRequest.objects.get()
    for persona, shown in (("meiyuan_clerk", MOBILE), ("xuanwu_staff", "139****5678"), ("city_admin", "139****5678")):
        client.force_login(world.users[persona])
        page = client.get(reverse("disputes:repair_detail", args=[repair.pk])).content.decode()
        assert shown in page
        if shown != MOBILE:
            assert MOBILE not in page


def test_the_number_is_never_logged(client, world, entry, caplog, django_capture_on_commit_callbacks):
    import logging

    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, entry, report())
    assert RepairRequest.objects.exists()
    assert MOBILE not in caplog.text and "李四" not in caplog.text
    assert "WX" in caplog.text  # the street was told, by number


class RecordingGateway:
    """A gateway as an installation would plug in (RESIDENTS_NOTIFIER), keeping what it was given."""

    sent: list = []

    def send(self, recipients, message):
        self.sent.append(("staff", tuple(recipients), message))

    def send_to_resident(self, mobile, message):
        self.sent.append(("resident", mobile, message))


def test_a_plugged_gateway_gets_the_receipt_for_the_resident_and_the_log_never_the_number(
    client, entry, settings, caplog, django_capture_on_commit_callbacks
):
    import logging

    caplog.set_level(logging.INFO, logger="residents.notify")
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, entry, report())
    repair = RepairRequest.objects.get()
    assert "通知报告人（号码不记录）" in caplog.text and MOBILE not in caplog.text
    settings.RESIDENTS_NOTIFIER = "tests.residents.test_abuse.RecordingGateway"
    RecordingGateway.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, entry, report(room="999", phone="13700001111", captcha=_captcha(client)))
    second = RepairRequest.objects.exclude(pk=repair.pk).get()
    kinds = {entry_[0]: entry_ for entry_ in RecordingGateway.sent}
    assert kinds["staff"][1] == ("梅园新村街道",) and second.number in kinds["staff"][2]
    assert kinds["resident"][1] == "13700001111" and second.tracking_token in kinds["resident"][2]


def _captcha(client):
    from residents.captcha import SESSION_KEY

    client.get(reverse("residents:captcha"))
    return client.session[SESSION_KEY]
