"""The workbench's operations: 已办 from the change history, reminders (提醒) created by the
morning job and by events addressed to one person, read/unread, and their purge."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone

from . import registry
from .models import HomeChoice, Reminder, WorkbenchSetting

# 已办: the human-edited models whose change history says what a user did, with the list where
# those rows are (history rows are the user's own actions, so no scope question arises).
DONE_SOURCES = (
    ("assessments.Inspection", "检查记录", "assessments:inspection_list"),
    ("assessments.Appeal", "考核申诉", "assessments:appeal_list"),
    ("disputes.RepairRequest", "应急维修", "disputes:repair_list"),
    ("disputes.DisputeCase", "矛盾纠纷", "disputes:dispute_list"),
    ("disputes.EnforcementReferral", "联合执法移交", "disputes:referral_list"),
    ("disputes.Filing", "物管会备案", "disputes:filing_list"),
    ("staffing.MeetingTask", "督办事项", "staffing:meeting_list"),
    ("subsidies.AllocationSheet", "补贴分配表", "subsidies:index"),
    ("subsidies.Disbursement", "拨付记录", "subsidies:disbursement_list"),
)


def done_for(user, now: dt.datetime | None = None, days: int = 7) -> list[dict]:
    """What `user` did in the last `days` days: per kind of record, how many records they
    changed and when last. One query per source, whatever the history's size."""
    from django.apps import apps

    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    done = []
    for label, title, url_name in DONE_SOURCES:
        model = apps.get_model(label)
        history = model.history.model
        row = history.objects.filter(history_user=user, history_date__gte=since).aggregate(
            records=Count("id", distinct=True), changes=Count("history_id"), last=Max("history_date")
        )
        if row["changes"]:
            done.append(
                {
                    "title": title,
                    "records": row["records"],
                    "changes": row["changes"],
                    "last": row["last"],
                    "url": reverse(url_name),
                }
            )
    done.sort(key=lambda d: d["last"], reverse=True)
    return done


# --- home page choice -----------------------------------------------------------------------------
def home_of(user) -> str:
    setting = WorkbenchSetting.objects.filter(user=user).values_list("home", flat=True).first()
    return setting or HomeChoice.WORKBENCH


def set_home(user, home: str) -> None:
    if home not in HomeChoice.values:
        raise ValueError(home)
    WorkbenchSetting.objects.update_or_create(user=user, defaults={"home": home})


# --- reminders --------------------------------------------------------------------------------------
def notify(user, *, kind: str, key: str, title: str, body: str = "", url: str = "", due_at=None) -> bool:
    """An event addressed to one person: a reminder now, once per (user, key). True if new."""
    if user is None or not user.is_active:
        return False
    key = key[:120]
    if Reminder.objects.filter(user=user, key=key).exists():
        return False
    # ignore_conflicts: a simultaneous second delivery of the same event adds nothing either
    Reminder.objects.bulk_create(
        [Reminder(user=user, kind=kind, key=key, title=title[:200], body=body[:500], url=url[:300], due_at=due_at)],
        ignore_conflicts=True,
    )
    return True


def unread_count(user) -> int:
    return Reminder.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user, pk: int | None = None, now=None) -> int:
    """Mark one of the user's reminders (or all of them) read; the count marked."""
    qs = Reminder.objects.filter(user=user, read_at__isnull=True)
    if pk is not None:
        qs = qs.filter(pk=pk)
    return qs.update(read_at=now or timezone.now())


def morning_reminders(now: dt.datetime | None = None) -> int:
    """提醒 of the morning (Celery beat, WORKBENCH_MORNING_TIME Asia/Shanghai): for every active
    user and every to-do kind with a deadline they have, one reminder per row that is due within
    WORKBENCH_DUE_SOON_HOURS and one when it is overdue — each once (the (user, key) pair is
    unique, so a second run the same morning adds nothing). At most
    WORKBENCH_REMINDERS_PER_KIND rows per kind and user (the most urgent), and one line saying
    how many more, so a city-wide role is not buried. Returns how many reminders were new."""
    now = now or timezone.now()
    cap = settings.WORKBENCH_REMINDERS_PER_KIND
    due_kinds = [k for k in registry.kinds() if k.due]
    roles = set().union(*(k.roles for k in due_kinds)) if due_kinds else set()
    users = get_user_model().objects.filter(is_active=True, role__in=roles).order_by("pk")
    created = 0
    for user in users.iterator(chunk_size=500):
        batch = []
        for kind in due_kinds:
            if not kind.for_user(user):
                continue
            overdue, soon = registry.thresholds(kind, now)
            rows = list(
                kind.queryset(user)
                .filter(overdue | soon)
                .order_by(kind.due, "pk")
                .values_list("pk", kind.due)[: cap + 1]
            )
            list_url = kind.list_url(user)
            for pk, due in rows[:cap]:
                moment = registry.due_moment(kind, due)
                state = "overdue" if moment <= now else "soon"
                wording = (
                    f"已超 {registry.span((now - moment).total_seconds())}"
                    if state == "overdue"
                    else f"剩余 {registry.span((moment - now).total_seconds())}"
                )
                local = timezone.localtime(moment, registry.SHANGHAI)
                batch.append(
                    Reminder(
                        user=user,
                        kind=kind.code,
                        key=f"{kind.code}:{pk}:{state}",
                        title=f"{kind.title}：{'已逾期' if state == 'overdue' else '即将到期'}",
                        body=f"期限 {local:%Y-%m-%d %H:%M}（北京时间），{wording}。",
                        url=kind.detail(pk) if kind.detail else list_url,
                        due_at=moment,
                    )
                )
            if len(rows) > cap:
                day = timezone.localtime(now, registry.SHANGHAI).date()
                batch.append(
                    Reminder(
                        user=user,
                        kind=kind.code,
                        key=f"{kind.code}:more:{day:%Y%m%d}",
                        title=f"{kind.title}：另有更多到期事项",
                        body="请在列表中查看全部。",
                        url=list_url,
                    )
                )
        if batch:
            before = Reminder.objects.filter(user=user).count()
            Reminder.objects.bulk_create(batch, ignore_conflicts=True)
            created += Reminder.objects.filter(user=user).count() - before
    return created


def purge_reminders(now: dt.datetime | None = None) -> int:
    """Reminders older than WORKBENCH_REMINDER_RETENTION_DAYS (184) are deleted."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.WORKBENCH_REMINDER_RETENTION_DAYS)
    deleted, _ = Reminder.objects.filter(created_at__lt=cutoff).delete()
    return deleted
