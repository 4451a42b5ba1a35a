"""Optimistic locking (乐观锁) for rows that people edit from a page they opened earlier.

A `VersionedModel` carries `version`, moved by one on every save of an existing row. A page
(or an API client) sends back the version it showed; the service locks the row (SELECT … FOR
UPDATE) and `check_version` refuses the change when the row moved on meanwhile — so of two
people saving the same record, the second is told, and nothing the first saved is overwritten.
The second's typed input stays on the page; the page then carries the new version, so
submitting again is a deliberate overwrite (the registry's estates work the same way)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from core.errors import Refused

CONFLICT = "页面打开后此记录已被他人修改（{who}，{when}）。您填写的内容没有保存，也没有丢失：请核对页面上的最新内容后重新提交。"


class VersionedModel(models.Model):
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.version = (self.version or 0) + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)


class EditConflict(Refused):
    """A stale save: the row changed since the form (or the API client) read it. A refusal,
    so a page puts it on the form like any other; the API answers 409. `template` is the
    message, with {who} and {when}; an app may word its own (the registry's estates)."""

    template = CONFLICT

    def __init__(self, current, who: str, when):
        self.current, self.who, self.when = current, who, when
        super().__init__(self.template.format(who=who, when=_cn_datetime(when)), code="conflict")

    @property
    def message_text(self) -> str:
        return self.messages[0]


def _cn_datetime(value) -> str:
    if not value:
        return "刚才"
    value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"


def last_change(current) -> tuple[str, object]:
    """Who changed the row last and when (its history), for the conflict message."""
    history = getattr(current, "history", None)
    last = (
        history.select_related("history_user").order_by("-history_date", "-history_id").first()
        if history is not None
        else None
    )
    who = getattr(last.history_user, "display_name", None) if last is not None and last.history_user else None
    return who or "其他用户", last.history_date if last is not None else None


def check_version(current, expected) -> None:
    """Refuse (EditConflict) when `current` — the row as locked now — is no longer at the
    `expected` version the user saw. `expected` None means the caller did not say (a command,
    an API client without If-Match): no check."""
    if expected is None or expected == "":
        return
    try:
        expected = int(expected)
    except (TypeError, ValueError):
        raise ValidationError("版本号无效，请刷新页面后重试。") from None
    if expected != current.version:
        who, when = last_change(current)
        raise EditConflict(current, who, when)


def mark_seen(obj, version) -> None:
    """Record on an object loaded for a write the version the user's page (or API client)
    showed; the service's `check_version(locked, seen_version(obj))` compares. Code that calls
    services directly (commands, jobs, tests) marks nothing and is not checked."""
    version = parse_version(version)
    if version is not None:
        obj._seen_version = version


def seen_version(obj) -> int | None:
    return getattr(obj, "_seen_version", None)


def parse_version(value) -> int | None:
    """A version sent back by a page (hidden field) or an API client (If-Match: "3", W/"3", 3)."""
    if value is None:
        return None
    match = re.fullmatch(r'\s*(?:W/)?"?(\d+)"?\s*', str(value))
    return int(match.group(1)) if match else None
