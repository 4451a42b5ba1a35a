"""A new kind of case is one description (disputes.workflow.register): registering it alone gives
its list, receiving, detail and step pages — no view, form or template of its own."""

from __future__ import annotations

import importlib

import pytest
from django.urls import clear_url_caches, reverse

from disputes import services
from disputes.choices import RepairStatus
from disputes.forms import RepairForm
from disputes.models import RepairEvent, RepairRequest
from disputes.workflow import KINDS, CaseKind, Creation, note_step, register
from tests.disputes.helpers import repair

pytestmark = pytest.mark.django_db


def _reload_urls():
    import config.urls
    import disputes.urls

    importlib.reload(disputes.urls)
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.fixture
def small_works():
    """小型维修: a kind on the repairs' table, described here and nowhere else."""
    kind = register(
        CaseKind(
            slug="small-works",
            name="small_works",
            label="小型维修",
            model=RepairRequest,
            rule="case",
            states=RepairStatus,
            creation=Creation(
                form=lambda user, *a, **k: RepairForm(*a, user=user, **k),
                call=lambda by, d: services.create_repair(
                    by=by,
                    estate=d["estate"],
                    service_code=d["service_code"],
                    urgency=d["urgency"],
                    requested_datetime=d["requested_datetime"],
                ),
                title="登记小型维修",
                submit="登记",
                done=lambda case: f"已登记 {case.number}。",
            ),
            steps=(note_step(services.add_repair_note, label="登记进展"),),
        )
    )
    _reload_urls()
    yield kind
    KINDS.pop(kind.name)
    _reload_urls()


def test_a_registered_kind_answers_on_every_page_and_takes_a_step(client, world, small_works):
    client.force_login(world.meiyuan_clerk)
    case = repair(world)
    listing = client.get(reverse("disputes:small_works_list"))
    assert listing.status_code == 200 and case.number in listing.content.decode()
    assert client.get(reverse("disputes:small_works_create")).status_code == 200
    detail = client.get(reverse("disputes:small_works_detail", args=[case.pk]))
    html = detail.content.decode()
    assert detail.status_code == 200 and "小型维修" in html and "登记进展" in html
    step = client.post(
        reverse("disputes:small_works_step", args=[case.pk]),
        {"step": "note", "version": case.version, "note": "已联系物业", "public_note": ""},
    )
    assert step.status_code == 302 and step["Location"] == reverse("disputes:small_works_detail", args=[case.pk])
    assert RepairEvent.objects.filter(repair=case, action=RepairEvent.Action.NOTE, note="已联系物业").exists()
    refused = client.post(reverse("disputes:small_works_step", args=[case.pk]), {"step": "note", "note": ""})
    assert refused.status_code == 200 and "请填写进展情况。" in refused.content.decode()


def test_the_kind_is_gone_with_its_description(client, world):
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        reverse("disputes:small_works_list")
