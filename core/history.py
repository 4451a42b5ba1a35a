"""Who acts: the change history records the user behind every human change, whether it comes
from a page (HistoryRequestMiddleware), a command (`--as`) or a job run by the worker."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django.db import models
from simple_history.models import HistoricalRecords

# The built-in account (系统) that commands and scheduled jobs act as when no person does; its
# row comes with accounts' migrations, the name is here so that core can find it.
SYSTEM_USERNAME = "system"
TYPE_LABELS = {"+": "新建", "~": "修改", "-": "删除"}
HIDDEN_FIELDS = {"created_at", "updated_at", "version", "id"}


@contextlib.contextmanager
def acting_as(user):
    previous = getattr(HistoricalRecords.context, "request", None)
    HistoricalRecords.context.request = SimpleNamespace(user=user)
    try:
        yield user
    finally:
        if previous is None:
            with contextlib.suppress(AttributeError):
                del HistoricalRecords.context.request
        else:
            HistoricalRecords.context.request = previous


def display_value(model_field, value, related_names: dict) -> str:
    """A field's value as people read it: choices by label, related rows by name (from
    `related_names`: field name → {id: name}), yes/no, areas with thousands separators."""
    if value is None or value == "":
        return "（空）"
    if isinstance(model_field, models.ForeignKey):
        name = related_names.get(model_field.name, {}).get(value)
        return str(name) if name is not None else f"#{value}"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        # As every page writes dates (2026年12月6日 06:15): local time to the minute, not
        # "2026-12-05 22:15:01.553959+00:00".
        from core.templatetags.core_format import cn_date, cn_datetime

        return cn_datetime(value) if isinstance(value, dt.datetime) else cn_date(value)
    if isinstance(value, Decimal):
        return f"{value:,.2f}" if model_field.name == "building_area" else str(value)
    return str(value)
