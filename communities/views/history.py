"""The change history of a registry row as people read it: who, when, and each field's old and
new value, with choices by their Chinese label and related rows by name. Shown only to
city_admin and the auditor (services.can_see_history)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models

from core.history import HIDDEN_FIELDS, TYPE_LABELS
from core.history import display_value as _display

HISTORY_LIMIT = 100


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    when: object
    who: str
    kind: str
    reason: str
    changes: list[Change] = field(default_factory=list)


def change_log(obj, limit: int = HISTORY_LIMIT) -> dict:
    """The latest `limit` history entries of `obj`, newest first, each with its field changes.
    A constant number of queries: the records, then one lookup per related model named."""
    model = type(obj)
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    truncated = len(records) > limit
    pairs = []
    for index, record in enumerate(records[:limit]):
        older = records[index + 1] if index + 1 < len(records) else None
        delta = record.diff_against(older) if (older is not None and record.history_type != "+") else None
        pairs.append((record, delta))

    # Names of the related rows the changes mention, one query per related model.
    wanted: dict[str, set] = {}
    for _record, delta in pairs:
        for change in delta.changes if delta else []:
            model_field = model._meta.get_field(change.field)
            if isinstance(model_field, models.ForeignKey):
                wanted.setdefault(change.field, set()).update(v for v in (change.old, change.new) if v is not None)
    related_names = {}
    for name, ids in wanted.items():
        related = model._meta.get_field(name).related_model
        related_names[name] = {pk: str(row) for pk, row in related._base_manager.in_bulk(list(ids)).items()}

    entries = []
    for record, delta in pairs:
        user = record.history_user
        entry = Entry(
            when=record.history_date,
            who=(user.display_name if user is not None else "系统"),
            kind=TYPE_LABELS.get(record.history_type, record.history_type),
            reason=record.history_change_reason or "",
        )
        for change in delta.changes if delta else []:
            if change.field in HIDDEN_FIELDS:
                continue
            model_field = model._meta.get_field(change.field)
            entry.changes.append(
                Change(
                    label=str(model_field.verbose_name),
                    old=_display(model_field, change.old, related_names),
                    new=_display(model_field, change.new, related_names),
                )
            )
        if entry.kind == "修改" and not entry.changes and not entry.reason:
            continue  # a save that changed nothing visible
        entries.append(entry)
    return {"entries": entries, "truncated": truncated, "limit": limit}
