"""The year page disables 关闭年度 with the reason the service would give (issue 20 point 13)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from assessments import services
from assessments.errors import Refused
from assessments.models import AssessmentYear

from .conftest import worked_example_inputs

pytestmark = pytest.mark.django_db


def test_close_is_disabled_with_the_reason_while_the_appeal_window_is_open(client, world, example_estate):
    worked_example_inputs(example_estate, world.meiyuan_clerk)
    call_command("run_cycle", "2019")
    services.publish_year(2019, by=world.city_admin)
    client.force_login(world.city_admin)
    page = client.get(reverse("assessments:year_detail", args=[2019])).content.decode()
    reason = services.close_year_refusal(2019)
    assert reason.startswith("申诉期未满")
    assert 'disabled aria-describedby="close-refusal"' in page and f"暂不能关闭：{reason}" in page
    with pytest.raises(Refused, match="申诉期未满"):
        services.close_year(2019, by=world.city_admin)
    # Once the window has passed, the button is enabled and closing succeeds.
    AssessmentYear.objects.filter(year=2019).update(appeal_deadline=dt.date(2020, 1, 1))
    assert services.close_year_refusal(2019) is None
    page = client.get(reverse("assessments:year_detail", args=[2019])).content.decode()
    assert "close-refusal" not in page and "可以关闭" in page
    assert services.close_year(2019, by=world.city_admin).status == "closed"


def test_reopening_without_a_reason_keeps_the_year_closed_and_says_so_beside_the_field(client, world, example_estate):
    worked_example_inputs(example_estate, world.meiyuan_clerk)
    call_command("run_cycle", "2019")
    services.publish_year(2019, by=world.city_admin)
    AssessmentYear.objects.filter(year=2019).update(appeal_deadline=dt.date(2020, 1, 1))
    services.close_year(2019, by=world.city_admin)
    client.force_login(world.city_admin)
    response = client.post(reverse("assessments:year_reopen", args=[2019]), {"reason": "  "})
    page = response.content.decode()
    assert response.status_code == 400 and "请填写原因。" in page and "is-invalid" in page
    assert AssessmentYear.objects.get(year=2019).status == "closed"
    response = client.post(reverse("assessments:year_reopen", args=[2019]), {"reason": "审计发现面积多报"})
    assert response.status_code == 302 and AssessmentYear.objects.get(year=2019).status == "open"


def test_an_appeal_decision_without_a_note_is_shown_beside_the_field_and_nothing_decided(client, world, example_estate):
    from assessments.models import Appeal, EstateResult

    worked_example_inputs(example_estate, world.meiyuan_clerk)
    call_command("run_cycle", "2019")
    services.publish_year(2019, by=world.city_admin)
    result = EstateResult.objects.get(estate=example_estate, year=2019, is_current=True)
    appeal = services.file_appeal(by=world.meiyuan_clerk, estate=example_estate, year=2019, reason="第二次检查漏记")
    client.force_login(world.xuanwu_staff)
    response = client.post(reverse("assessments:appeal_decide", args=[appeal.pk]), {"decision": "reject", "note": ""})
    page = response.content.decode()
    assert response.status_code == 400 and "请填写处理意见。" in page and "is-invalid" in page
    assert '<option value="reject" selected>' in page  # the choice stays
    assert Appeal.objects.get().status == "pending" and result.appeals.count() == 1
