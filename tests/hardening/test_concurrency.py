"""Two people saving the same record (issue 8, point 5): optimistic locking (core/locking.py)
on inspections (检查记录: edit and review) and on disputes and repairs (矛盾纠纷, 应急维修:
every workflow step), through the pages and the API — the second save of a stale page gets a
clear Chinese conflict message, and neither the first save nor the second's input is lost.
On PostgreSQL two connections race for real. (Ten simultaneous starts of one year's cycle give
exactly one run: tests/assessments/test_worker.py::test_ten_simultaneous_starts_make_exactly_one_run.)"""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from django.db import connections
from django.test import Client

from assessments.models import Inspection
from disputes import services as cases
from disputes.models import DisputeCase
from tests.assessments.conftest import add_inspection

CONFLICT = "页面打开后此记录已被他人修改"
SCORES = {"cleanliness": 14, "order": 13, "greening": 9, "facilities": 8}


def shown_version(html: str) -> str:
    return re.search(r'name="version" value="(\d+)"', html).group(1)


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def edit_post(version, inspector, cleanliness="14"):
    return {
        "version": version,
        "estate_code": "MY101",
        "date": "2019-03-05",
        "source": "street",
        "inspector_name": inspector,
        "note": "",
        "item_cleanliness": cleanliness,
        "item_order": "13",
        "item_greening": "9",
        "item_facilities": "8",
        "action": "submit",
    }


@pytest.mark.django_db
def test_second_save_of_a_stale_inspection_page_is_refused_and_nothing_is_lost(world):
    insp = add_inspection(world.estates["MY101"], world.meiyuan_clerk, dt.date(2019, 3, 5), SCORES)
    author, admin = client_for(world.meiyuan_clerk), client_for(world.city_admin)
    url = f"/assessments/inspections/{insp.pk}/edit/"
    seen_by_author = shown_version(author.get(url).content.decode())
    seen_by_admin = shown_version(admin.get(url).content.decode())
    assert seen_by_author == seen_by_admin == "1"

    assert admin.post(url, edit_post(seen_by_admin, "市局复核员", cleanliness="12")).status_code == 302
    stale = author.post(url, edit_post(seen_by_author, "张三改", cleanliness="15"))
    page = stale.content.decode()
    assert stale.status_code == 400 and CONFLICT in page and "市房产局甲" in page
    insp.refresh_from_db()
    assert (insp.inspector_name, insp.scores["cleanliness"], insp.version) == (
        "市局复核员",
        "12.0",
        2,
    )  # the first save stands
    assert 'value="张三改"' in page  # the second's input is still on the page
    assert shown_version(page) == "2"  # ... which now carries the saved version
    # Submitting again is a deliberate overwrite, and it goes through.
    assert author.post(url, edit_post(shown_version(page), "张三改", cleanliness="15")).status_code == 302
    insp.refresh_from_db()
    assert (insp.inspector_name, insp.version) == ("张三改", 3)
    assert insp.history.count() == 3  # created, the admin's save, the author's: every change has its row


@pytest.mark.django_db
def test_a_review_of_scores_changed_since_the_page_was_opened_is_refused(world):
    insp = add_inspection(world.estates["MY101"], world.meiyuan_clerk, dt.date(2019, 3, 5), SCORES)
    reviewer = client_for(world.xuanwu_staff)
    seen = shown_version(reviewer.get(f"/assessments/inspections/{insp.pk}/").content.decode())
    url = f"/assessments/inspections/{insp.pk}/edit/"
    assert client_for(world.meiyuan_clerk).post(url, edit_post("1", "张三", cleanliness="5")).status_code == 302
    response = reviewer.post(
        f"/assessments/inspections/{insp.pk}/review/", {"decision": "approve", "version": seen}, follow=True
    )
    assert CONFLICT in response.content.decode()
    insp.refresh_from_db()
    assert insp.status == "submitted" and insp.reviewed_by is None


def new_dispute(world):
    return cases.create_dispute(
        by=world.meiyuan_clerk,
        estate=world.estates["MY101"],
        service_code="property_fee",
        party_name="王小明",
        party_phone="13812345678",
        description="物业费争议",
    )


def new_repair(world):
    return cases.create_repair(
        by=world.meiyuan_clerk,
        estate=world.estates["MY101"],
        service_code="water_pipe",
        urgency="urgent",
        description="水管爆裂",
    )


@pytest.mark.django_db
def test_second_step_from_a_stale_dispute_page_is_refused_and_nothing_is_lost(world):
    case = new_dispute(world)
    clerk, advisor = client_for(world.meiyuan_clerk), client_for(world.meiyuan_advisor)
    seen_by_clerk = shown_version(clerk.get(f"/cases/disputes/{case.pk}/").content.decode())
    seen_by_advisor = shown_version(advisor.get(f"/cases/disputes/{case.pk}/").content.decode())
    step = f"/cases/disputes/{case.pk}/step/"
    assert advisor.post(step, {"step": "note", "note": "已联系物业公司", "version": seen_by_advisor}).status_code == 302
    stale = clerk.post(step, {"step": "start", "note": "开始调解，约双方周五面谈", "version": seen_by_clerk})
    page = stale.content.decode()
    assert CONFLICT in page and "约双方周五面谈" in page
    case.refresh_from_db()
    assert case.status == "received" and case.status_notes == "已联系物业公司"
    assert list(case.events.values_list("action", flat=True).order_by("at", "pk")) == ["received", "note"]
    # Taking the step again from the refreshed page works.
    assert clerk.post(step, {"step": "start", "note": "开始调解", "version": shown_version(page)}).status_code == 302
    case.refresh_from_db()
    assert case.status == "mediating"


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["disputes", "repairs"])
def test_api_step_with_a_stale_version_is_a_409_with_the_message(world, kind):
    obj = new_dispute(world) if kind == "disputes" else new_repair(world)
    api = client_for(world.meiyuan_clerk)
    read = api.get(f"/api/{kind}/{obj.pk}/").json()
    assert read["version"] == 1
    ok = api.post(
        f"/api/{kind}/{obj.pk}/step/", {"step": "note", "note": "第一次", "version": 1}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2
    for how in ({"HTTP_IF_MATCH": '"1"'}, {}):
        body = {"step": "note", "note": "第二次"} | ({} if how else {"version": 1})
        stale = api.post(f"/api/{kind}/{obj.pk}/step/", body, content_type="application/json", **how)
        assert stale.status_code == 409 and CONFLICT in stale.json()["detail"], stale.content
    obj.refresh_from_db()
    assert obj.status_notes == "第一次" and obj.version == 2


# --- real races on PostgreSQL -------------------------------------------------------------------
def race(n, work):
    """Run `work(i)` in n threads released together, each on its own connection."""
    barrier = threading.Barrier(n)
    outcomes, lock = [], threading.Lock()

    def run(i):
        try:
            barrier.wait()
            outcome = ("ok", work(i))
        except Exception as exc:  # noqa: BLE001 - the outcome is what we assert on
            outcome = (type(exc).__name__, str(exc))
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@TRANSACTIONAL
def test_two_connections_saving_the_same_dispute_one_wins_one_is_told(require_postgres, world):
    from core.locking import mark_seen

    case = new_dispute(world)
    users = [world.meiyuan_clerk, world.meiyuan_advisor]

    def step(i):
        seen = DisputeCase.objects.get(pk=case.pk)
        mark_seen(seen, 1)
        return cases.add_dispute_note(seen, by=users[i], note=f"进展{i}").version

    outcomes = race(2, step)
    assert sorted(o[0] for o in outcomes) == ["EditConflict", "ok"], outcomes
    assert any(CONFLICT in o[1] for o in outcomes if o[0] == "EditConflict")
    case.refresh_from_db()
    assert case.version == 2 and case.history.count() == 2 and case.events.filter(action="note").count() == 1


@TRANSACTIONAL
def test_two_connections_saving_the_same_inspection_one_wins_one_is_told(require_postgres, world):
    from assessments.errors import Refused
    from assessments.services import save_inspection
    from core.locking import mark_seen

    insp = add_inspection(world.estates["MY101"], world.meiyuan_clerk, dt.date(2019, 3, 5), SCORES)
    users = [world.meiyuan_clerk, world.city_admin]

    def save(i):
        seen = Inspection.objects.get(pk=insp.pk)
        mark_seen(seen, 1)
        try:
            return save_inspection(
                by=users[i],
                estate=seen.estate,
                date=seen.date,
                scores=dict(SCORES, order=10 + i),
                inspector_name=f"检查员{i}",
                inspection=seen,
            ).version
        except Refused as exc:
            raise RuntimeError(exc.message) from exc

    outcomes = race(2, save)
    assert sorted(o[0] for o in outcomes) == ["RuntimeError", "ok"], outcomes
    assert CONFLICT in next(o[1] for o in outcomes if o[0] == "RuntimeError")
    insp.refresh_from_db()
    winner = next(o for o in outcomes if o[0] == "ok")
    assert insp.version == winner[1] == 2 and insp.history.count() == 2
