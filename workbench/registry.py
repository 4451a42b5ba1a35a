"""The registry of to-do kinds (待办类型): one entry per kind of work, computed from the data.

A kind says who has it (roles, and optionally a finer predicate), which rows are the work (a
queryset through `visible_to(user)`, so nothing outside the user's scope is ever counted), when
each row is due (a DateTimeField, a DateField or nothing), and where the work is done (a list
link; the row's own page when there is just one). Another app adds a kind with one call:

    from workbench.registry import TodoKind, register
    register(TodoKind(code="resident_reports", title="待处理的居民报事", roles={Role.STREET_CLERK},
                      queryset=lambda user: Report.objects.visible_to(user).filter(status="new"),
                      url="/cases/reports/?status=new", due="due_datetime"))

(workbench imports every app; no app imports workbench except to register, from its own
AppConfig.ready(), guarded so the app still works without workbench installed.)

Counting costs one aggregate query per kind the user has, whatever the data size: the count,
the overdue and due-soon counts, the earliest due time and the smallest id come back together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Due rules: a DateTimeField is due at that instant; a DateField at the end of that day in
# Asia/Shanghai (natural days, spec §2), i.e. overdue from the next day's 00:00.
DATETIME, DATE = "datetime", "date"


@dataclass(frozen=True)
class TodoKind:
    code: str
    title: str  # 待审核检查
    roles: frozenset
    queryset: Callable  # user -> QuerySet, through visible_to(user)
    url: str | Callable  # the list where the work is done (a URL name, a path, or user -> path)
    due: str = ""  # the field holding the due time; "" when the work has no deadline
    due_type: str = DATETIME
    detail: Callable | None = None  # pk -> the row's page, used when there is exactly one row
    applies: Callable | None = None  # user -> bool, finer than the role (e.g. only some districts)
    due_rule: str = ""  # the due rule in words (docs/workbench.md, the page's tooltip)
    order: int = 100  # ties in the list: lower first

    def for_user(self, user) -> bool:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        if user.role not in self.roles:
            return False
        return self.applies is None or bool(self.applies(user))

    def list_url(self, user) -> str:
        if callable(self.url):
            return self.url(user)
        if self.url.startswith("/"):
            return self.url
        path, _, query = self.url.partition("?")
        return reverse(path) + (f"?{query}" if query else "")


_KINDS: dict[str, TodoKind] = {}


def register(kind: TodoKind) -> TodoKind:
    """Add (or replace, by code) a kind of to-do."""
    _KINDS[kind.code] = kind
    return kind


def kinds() -> list[TodoKind]:
    return sorted(_KINDS.values(), key=lambda k: (k.order, k.code))


def get(code: str) -> TodoKind:
    return _KINDS[code]


def kinds_for(user) -> list[TodoKind]:
    return [k for k in kinds() if k.for_user(user)]


def due_soon_hours() -> int:
    return settings.WORKBENCH_DUE_SOON_HOURS


def thresholds(kind: TodoKind, now: dt.datetime):
    """(overdue Q, due-soon Q) of a kind at `now`: due-soon excludes the overdue rows."""
    if not kind.due:
        return None, None
    soon_until = now + dt.timedelta(hours=due_soon_hours())
    if kind.due_type == DATE:
        today = timezone.localtime(now, SHANGHAI).date()
        last_day = timezone.localtime(soon_until, SHANGHAI).date()
        overdue = Q(**{f"{kind.due}__lt": today})
        soon = Q(**{f"{kind.due}__gte": today, f"{kind.due}__lte": last_day})
    else:
        overdue = Q(**{f"{kind.due}__lt": now})
        soon = Q(**{f"{kind.due}__gte": now, f"{kind.due}__lt": soon_until})
    return overdue, soon


def due_moment(kind: TodoKind, value) -> dt.datetime | None:
    """A row's due time as an aware instant (a date: the end of that day, Shanghai)."""
    if value is None:
        return None
    if kind.due_type == DATE:
        nxt = value + dt.timedelta(days=1)
        return dt.datetime(nxt.year, nxt.month, nxt.day, tzinfo=SHANGHAI)
    return value


@dataclass
class TodoItem:
    """One line of a user's 待办: a kind with its counts, due time and link."""

    kind: TodoKind
    count: int
    overdue: int = 0
    due_soon: int = 0
    earliest: dt.datetime | None = None
    url: str = ""
    now: dt.datetime = field(default_factory=timezone.now)

    @property
    def title(self) -> str:
        return self.kind.title

    @property
    def code(self) -> str:
        return self.kind.code

    @property
    def state(self) -> str:
        if self.overdue:
            return "overdue"
        if self.due_soon:
            return "soon"
        return "normal"

    @property
    def remaining(self) -> str:
        """剩余 5小时 / 已超 2天, of the earliest due row (Asia/Shanghai natural time)."""
        if self.earliest is None:
            return ""
        seconds = (self.earliest - self.now).total_seconds()
        return f"{'剩余' if seconds >= 0 else '已超'} {span(seconds)}"


def span(seconds: float) -> str:
    seconds = abs(seconds)
    hours = int(seconds // 3600)
    if hours >= 48:
        return f"{hours // 24}天"
    if hours >= 1:
        return f"{hours}小时"
    return f"{max(1, int(seconds // 60))}分钟"


def summarise(kind: TodoKind, user, now: dt.datetime | None = None) -> TodoItem:
    """One aggregate query: the kind's rows for this user, counted."""
    now = now or timezone.now()
    aggregates = {"count": Count("pk"), "first": Min("pk")}
    overdue, soon = thresholds(kind, now)
    if kind.due:
        aggregates.update(overdue=Count("pk", filter=overdue), soon=Count("pk", filter=soon), earliest=Min(kind.due))
    row = kind.queryset(user).aggregate(**aggregates)
    count = row["count"] or 0
    url = kind.list_url(user)
    if count == 1 and kind.detail is not None:
        url = kind.detail(row["first"])
    return TodoItem(
        kind=kind,
        count=count,
        overdue=row.get("overdue") or 0,
        due_soon=row.get("soon") or 0,
        earliest=due_moment(kind, row.get("earliest")),
        url=url,
        now=now,
    )


def todo_for(user, now: dt.datetime | None = None) -> list[TodoItem]:
    """The user's to-do items that hold work, overdue first, then by the earliest due time,
    then the items without a deadline."""
    now = now or timezone.now()
    items = [summarise(kind, user, now) for kind in kinds_for(user)]
    items = [item for item in items if item.count]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    items.sort(key=lambda i: (i.state != "overdue", i.state != "soon", i.earliest or far, i.kind.order))
    return items
