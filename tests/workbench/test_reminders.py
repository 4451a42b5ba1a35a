"""提醒 (issue 18 point 3): the morning job once per item and user, events addressed to a
person at once, the bell, read/unread, the 184-day purge, the beat schedule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.workbench.helpers import build_todo, due_repair, inspection
from workbench import services
from workbench.models import Reminder

pytestmark = pytest.mark.django_db


def keys(user):
    return set(Reminder.objects.filter(user=user).values_list("key", flat=True))


def test_the_morning_job_reminds_each_item_once_even_if_beat_runs_twice(world):
    rows = build_todo(world)
    created = services.morning_reminders()
    assert created and services.morning_reminders() == 0  # the second run adds nothing
    soon, late = rows["repair_soon"].pk, rows["repair_late"].pk
    assert keys(world.meiyuan_clerk) == {
        f"repairs_open:{soon}:soon",
        f"referrals_overdue:{rows['referral_late'].pk}:overdue",
        f"meeting_tasks_overdue:{rows['task'].pk}:overdue",
    }
    assert keys(world.xinjiekou_clerk) == {f"repairs_open:{late}:overdue"}
    assert f"repairs_open:{soon}:soon" in keys(world.xuanwu_staff)
    assert not any(k.startswith("repairs_open") for k in keys(world.gulou_staff))  # never outside the scope
    assert keys(world.auditor) == set()
    # the appeal's window closes in 5 days: not yet due within 24 hours
    assert not any(k.startswith("appeals_pending") for k in keys(world.xuanwu_staff))


def test_an_item_due_soon_is_reminded_again_when_it_becomes_overdue(world):
    case = due_repair(world, "MY101", 3, "meiyuan_clerk")
    services.morning_reminders()
    later = timezone.now() + dt.timedelta(hours=4)
    services.morning_reminders(later)
    services.morning_reminders(later)
    assert keys(world.meiyuan_clerk) == {f"repairs_open:{case.pk}:soon", f"repairs_open:{case.pk}:overdue"}
    overdue = Reminder.objects.get(user=world.meiyuan_clerk, key__endswith="overdue")
    assert "已超" in overdue.body and "北京时间" in overdue.body and overdue.url == f"/cases/repairs/{case.pk}/"


def test_at_most_n_reminders_per_kind_and_one_line_for_the_rest(world, settings):
    settings.WORKBENCH_REMINDERS_PER_KIND = 2
    for i in range(4):
        due_repair(world, "MY101", -i - 1, "meiyuan_clerk")
    services.morning_reminders()
    titles = sorted(Reminder.objects.filter(user=world.meiyuan_clerk).values_list("title", flat=True))
    assert len(titles) == 3 and "未完成的应急维修：另有更多到期事项" in titles


def test_a_returned_inspection_reminds_its_author_at_once(world, django_capture_on_commit_callbacks):
    from assessments import services as assessment_services

    insp = inspection(world, "MY101", "submitted")
    with django_capture_on_commit_callbacks(execute=True):
        assessment_services.review_inspection(insp, by=world.xuanwu_staff, approve=False, reason="得分偏高")
    reminder = Reminder.objects.get(user=world.meiyuan_clerk)
    assert reminder.title == "您的检查记录被退回" and "得分偏高" in reminder.body
    assert reminder.url == f"/assessments/inspections/{insp.pk}/"
    assert Reminder.objects.count() == 1


def test_an_appeal_reminds_the_districts_staff_and_an_approval_the_confirmer(world, django_capture_on_commit_callbacks):
    rows = build_todo(world)
    # the appeal of build_todo was saved outside a commit; file one the real way
    from assessments.models import Appeal

    Appeal.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        Appeal.objects.create(
            estate=world.estates["MY101"],
            year=2019,
            result=rows["appeal"].result,
            reason="复核",
            filed_by=world.meiyuan_clerk,
        )
    assert set(Reminder.objects.filter(kind="appeal_filed").values_list("user__username", flat=True)) == {
        "xuanwu_staff",
        "xuanwu_staff2",
    }
    sheet = rows["sheet_confirmed"]
    with django_capture_on_commit_callbacks(execute=True):
        sheet.status = "approved"
        sheet.approved_by = world.city_admin
        sheet.save()
    assert list(Reminder.objects.filter(kind="sheet_approved").values_list("user__username", flat=True)) == [
        "gulou_staff"
    ]


def test_bell_counts_unread_and_the_reminders_page_marks_them_read(client, world):
    due_repair(world, "MY101", -1, "meiyuan_clerk")
    due_repair(world, "MY102", 2, "meiyuan_clerk")
    services.morning_reminders()
    client.force_login(world.meiyuan_clerk)
    assert client.get("/workbench/bell/").content.decode() == "2"
    page = client.get("/workbench/reminders/").content.decode()
    assert "即将到期" in page and "已逾期" in page
    first = Reminder.objects.filter(user=world.meiyuan_clerk).first()
    response = client.post(f"/workbench/reminders/{first.pk}/read/", {"go": "1"})
    assert response.status_code == 302 and response["Location"] == first.url
    assert client.get("/workbench/bell/").content.decode() == "1"
    # someone else's reminder does not exist for this user
    client.force_login(world.xinjiekou_clerk)
    assert client.post(f"/workbench/reminders/{first.pk}/read/").status_code == 404
    client.force_login(world.meiyuan_clerk)
    client.post("/workbench/reminders/read-all/")
    assert client.get("/workbench/bell/").content.decode() == ""


def test_reminders_are_kept_184_days(world):
    old = Reminder.objects.create(user=world.meiyuan_clerk, kind="x", key="old", title="旧")
    recent = Reminder.objects.create(user=world.meiyuan_clerk, kind="x", key="recent", title="新")
    Reminder.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=185))
    Reminder.objects.filter(pk=recent.pk).update(created_at=timezone.now() - dt.timedelta(days=183))
    assert services.purge_reminders() == 1
    assert list(Reminder.objects.values_list("key", flat=True)) == ["recent"]


def test_beat_runs_the_morning_job_at_0730_shanghai():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="workbench.tasks.morning_reminders_task")
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == ("7", "30", "Asia/Shanghai")
    assert PeriodicTask.objects.filter(task="workbench.tasks.purge_reminders_task", enabled=True).exists()


def test_the_task_runs_the_job(world):
    from workbench.tasks import morning_reminders_task

    due_repair(world, "MY101", -1, "meiyuan_clerk")
    morning_reminders_task.delay()
    assert Reminder.objects.filter(user=world.meiyuan_clerk).count() == 1
