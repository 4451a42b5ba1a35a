"""The daily path of inspections (issue 20): drafts with items still empty, a returned
inspection corrected and submitted again, the reviewer's choice kept after a refusal, bulk
approval with four eyes, drafts private to their author's street."""

import datetime as dt

import pytest
from django.urls import reverse

from assessments import services
from assessments.errors import Refused
from assessments.models import Inspection

pytestmark = pytest.mark.django_db
DAY = dt.date(2019, 3, 5)
FULL = {"cleanliness": "14", "order": "13", "greening": "9", "facilities": "8"}


def test_a_draft_saves_with_items_still_empty_but_submitting_needs_every_item(world, example_estate):
    draft = services.save_inspection(
        by=world.meiyuan_clerk,
        estate=example_estate,
        date=DAY,
        scores={"cleanliness": "14"},
        inspector_name="张三",
        submit=False,
    )
    assert (draft.status, draft.scores, draft.total_tenths) == ("draft", {"cleanliness": "14.0"}, 140)
    # What is typed is still checked in a draft.
    with pytest.raises(Refused) as refused:
        services.save_inspection(
            by=world.meiyuan_clerk,
            estate=example_estate,
            date=DAY,
            scores={"cleanliness": "99"},
            inspector_name="张三",
            submit=False,
        )
    assert "不能超过满分" in refused.value.errors["cleanliness"]
    with pytest.raises(Refused) as refused:
        services.save_inspection(
            by=world.meiyuan_clerk,
            estate=example_estate,
            date=DAY,
            scores={"cleanliness": "14"},
            inspector_name="张三",
            submit=True,
            inspection=draft,
        )
    assert set(refused.value.errors) == {"order", "greening", "facilities"}
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_returned_inspection_is_corrected_and_submitted_again_by_its_author(world, example_estate):
    insp = services.save_inspection(
        by=world.meiyuan_clerk, estate=example_estate, date=DAY, scores=FULL, inspector_name="张三"
    )
    services.review_inspection(insp, by=world.xuanwu_staff, approve=False, reason="照片与现场不符")
    insp.refresh_from_db()
    again = services.save_inspection(
        by=world.meiyuan_clerk,
        estate=example_estate,
        date=DAY,
        scores={**FULL, "cleanliness": "12"},
        inspector_name="张三",
        inspection=insp,
    )
    assert (again.status, again.total_tenths, again.reviewed_by, again.review_note) == ("submitted", 420, None, "")
    services.review_inspection(again, by=world.xuanwu_staff, approve=True)
    again.refresh_from_db()
    with pytest.raises(Refused, match="已审核通过"):
        services.save_inspection(
            by=world.meiyuan_clerk,
            estate=example_estate,
            date=DAY,
            scores=FULL,
            inspector_name="张三",
            inspection=again,
        )


def test_the_detail_page_of_a_returned_inspection_offers_the_way_back(client, world, example_estate):
    insp = services.save_inspection(
        by=world.meiyuan_clerk, estate=example_estate, date=DAY, scores=FULL, inspector_name="张三"
    )
    services.review_inspection(insp, by=world.xuanwu_staff, approve=False, reason="照片与现场不符")
    insp.refresh_from_db()
    client.force_login(world.meiyuan_clerk)
    page = client.get(reverse("assessments:inspection_detail", args=[insp.pk])).content.decode()
    assert "修改并重新提交" in page and "照片与现场不符" in page
    edit = client.get(reverse("assessments:inspection_edit", args=[insp.pk])).content.decode()
    assert "重新提交" in edit
    response = client.post(
        reverse("assessments:inspection_edit", args=[insp.pk]),
        {
            "estate_code": example_estate.code,
            "date": DAY.isoformat(),
            "source": "street",
            "inspector_name": "张三",
            "version": insp.version,
            "action": "submit",
            **{f"item_{k}": v for k, v in FULL.items()},
        },
    )
    assert response.status_code == 302
    insp.refresh_from_db()
    assert insp.status == "submitted"


def test_a_refused_return_keeps_the_chosen_action_and_shows_the_message_beside_the_reason(
    client, world, example_estate
):
    insp = services.save_inspection(
        by=world.meiyuan_clerk, estate=example_estate, date=DAY, scores=FULL, inspector_name="张三"
    )
    client.force_login(world.xuanwu_staff)
    opened = client.get(reverse("assessments:inspection_detail", args=[insp.pk])).content.decode()
    assert 'value="approve" checked' not in opened  # nothing preselected
    from_list = client.get(
        reverse("assessments:inspection_detail", args=[insp.pk]) + "?decision=reject"
    ).content.decode()
    assert 'value="reject" checked' in from_list
    response = client.post(
        reverse("assessments:inspection_review", args=[insp.pk]),
        {"decision": "reject", "reason": "", "version": insp.version},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'value="reject" checked' in page and 'value="approve" checked' not in page
    assert "请填写退回原因" in page and "is-invalid" in page
    insp.refresh_from_db()
    assert insp.status == "submitted"
    nothing = client.post(reverse("assessments:inspection_review", args=[insp.pk]), {"version": insp.version})
    assert nothing.status_code == 400 and "请选择审核结果" in nothing.content.decode()


def test_bulk_approval_checks_each_and_keeps_four_eyes(client, world, example_estate):
    theirs = [
        services.save_inspection(
            by=world.meiyuan_clerk,
            estate=example_estate,
            date=DAY + dt.timedelta(days=n),
            scores=FULL,
            inspector_name="张三",
        )
        for n in range(3)
    ]
    own = services.save_inspection(
        by=world.xuanwu_staff, estate=example_estate, date=DAY, scores=FULL, inspector_name="区检查员"
    )
    client.force_login(world.xuanwu_staff)
    listing = client.get(reverse("assessments:inspection_list")).content.decode()
    assert "待您审核 3 条" in listing  # not their own
    response = client.post(
        reverse("assessments:inspection_review_bulk"),
        {
            "ids": [i.pk for i in [*theirs, own]],
            **{f"version_{i.pk}": i.version for i in [*theirs, own]},
            "next": reverse("assessments:inspection_list"),
        },
        follow=True,
    )
    page = response.content.decode()
    assert "已审核通过 3 条" in page and "不能审核自己录入的检查记录" in page
    assert sorted(Inspection.objects.values_list("status", flat=True)) == ["approved"] * 3 + ["submitted"]
    assert "待您审核 0 条" in page


def test_bulk_approval_refuses_a_page_older_than_the_record(client, world, example_estate):
    insp = services.save_inspection(
        by=world.meiyuan_clerk, estate=example_estate, date=DAY, scores=FULL, inspector_name="张三"
    )
    seen = insp.version
    services.save_inspection(
        by=world.meiyuan_clerk,
        estate=example_estate,
        date=DAY,
        scores={**FULL, "order": "10"},
        inspector_name="张三",
        inspection=insp,
    )
    client.force_login(world.xuanwu_staff)
    client.post(reverse("assessments:inspection_review_bulk"), {"ids": [insp.pk], f"version_{insp.pk}": seen})
    insp.refresh_from_db()
    assert insp.status == "submitted"


def test_drafts_are_their_authors_and_their_streets_until_submitted(world):
    my101 = world.estates["MY101"]
    draft = services.save_inspection(
        by=world.meiyuan_clerk, estate=my101, date=DAY, scores={}, inspector_name="张三", submit=False
    )
    for persona in ("evaluator", "xuanwu_staff", "city_admin", "auditor", "meiyuan_advisor", "xinjiekou_clerk"):
        assert not Inspection.objects.visible_to(world.users[persona]).filter(pk=draft.pk).exists(), persona
    assert Inspection.objects.visible_to(world.meiyuan_clerk).filter(pk=draft.pk).exists()
    # The evaluator's own draft is the evaluator's; the street does see it (its estate).
    own = services.save_inspection(
        by=world.evaluator, estate=my101, date=DAY, scores={}, inspector_name="评估员", submit=False
    )
    assert Inspection.objects.visible_to(world.evaluator).filter(pk=own.pk).exists()
    assert not Inspection.objects.visible_to(world.xuanwu_staff).filter(pk=own.pk).exists()
    services.save_inspection(
        by=world.meiyuan_clerk, estate=my101, date=DAY, scores=FULL, inspector_name="张三", inspection=draft
    )
    for persona in ("evaluator", "xuanwu_staff", "city_admin"):
        assert Inspection.objects.visible_to(world.users[persona]).filter(pk=draft.pk).exists(), persona


def test_changing_the_estate_code_keeps_the_scores_already_typed(client, world, example_estate):
    client.force_login(world.meiyuan_clerk)
    page = client.get(
        reverse("assessments:inspection_checklist"),
        {
            "estate_code": example_estate.code,
            "date": DAY.isoformat(),
            "item_cleanliness": "13.5",
            "item_order": "",
        },
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'id="item_cleanliness"' in page and 'value="13.5"' in page
