"""The central change log (变更记录): every human change the models' django-simple-history
records keep — who, what, when, each field's old → new value — on one page, filterable by user,
kind of record, unit (district, street) and date range, paged, and exported to .xlsx as a job.

For city_admin and the auditor (spec/roles.md: the change history is theirs). The records are
read from each historical table as it is; one UNION ALL over the chosen tables orders and pages
them, then the page's records are read in full (one query per kind on the page) and compared
with the record before them. The unit filter follows each model's `scope_paths` (core/scoping),
the same lookups `visible_to` uses; a kind with no path at that level (schemes, policies,
users…) is city-wide and drops out when a unit is chosen. Only city roles read it, so the
viewer's own scope restricts nothing.

Residents' personal data stays masked here too: the apps that hold it register its fields
(`register_personal`, disputes does in its AppConfig.ready()), since the city and the auditor are
never the street that handles a case.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import CharField, Value
from django.utils import timezone

from . import permissions
from .exports import save_workbook
from .history import HIDDEN_FIELDS, TYPE_LABELS, display_value
from .jobs import enqueue
from .models import Job
from .scoping import Level
from .spreadsheets.writer import Col, XlsxWriter
from .validation import plausible_date

PAGE_SIZE = 30
EXPORT_KIND = "export_history"
EXPORT_CHUNK = 500
# field name → mask, per model label ("disputes.DisputeCase"): residents' names and phones.
PERSONAL: dict[str, dict[str, Callable[[str], str]]] = {}


def register_personal(label: str, fields: dict[str, Callable[[str], str]]):
    PERSONAL.setdefault(label, {}).update(fields)


def can_see(user) -> bool:
    return permissions.oversees(user)


# --- the kinds of record ---------------------------------------------------------------------
@dataclass(frozen=True)
class Kind:
    key: str  # "communities.Estate"
    label: str  # 小区
    model: type[models.Model]
    history: Any  # the historical model simple-history makes for `model`, built at run time

    def path(self, level: str) -> str | None:
        return (getattr(self.model, "scope_paths", None) or {}).get(level)


@lru_cache(maxsize=1)
def kinds() -> tuple[Kind, ...]:
    """Every model with a change history (HistoricalRecords), by its Chinese name."""
    found = []
    for model in apps.get_models():
        attribute = getattr(model._meta, "simple_history_manager_attribute", None)
        if not attribute or model._meta.label.startswith("simple_history"):
            continue
        history = getattr(model, attribute).model
        found.append(Kind(model._meta.label, str(model._meta.verbose_name), model, history))
    return tuple(sorted(found, key=lambda k: (k.model._meta.app_label, k.label)))


def kind_by_key() -> dict[str, Kind]:
    return {k.key: k for k in kinds()}


# --- the filter form -------------------------------------------------------------------------
class AuditFilterForm(forms.Form):
    # The querysets are the viewer's, set in __init__.
    user: forms.ModelChoiceField = forms.ModelChoiceField(
        label="操作人", queryset=None, required=False, empty_label="全部操作人"
    )
    kind = forms.ChoiceField(label="记录类型", required=False)
    district: forms.ModelChoiceField = forms.ModelChoiceField(
        label="区", queryset=None, required=False, empty_label="全部区"
    )
    street: forms.ModelChoiceField = forms.ModelChoiceField(
        label="街道", queryset=None, required=False, empty_label="全部街道"
    )
    date_from = forms.DateField(
        label="起始日期", required=False, validators=[plausible_date], widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="截止日期", required=False, validators=[plausible_date], widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data=None, *, viewer):
        super().__init__(data)
        # The registry's units, looked up by name: core sits below the apps (docs/architecture.md).
        District, Street = apps.get_model("communities", "District"), apps.get_model("communities", "Street")

        self.viewer = viewer
        self.fields["user"].queryset = get_user_model().objects.order_by("username")
        self.fields["user"].label_from_instance = lambda u: f"{u.display_name}（{u.username}）"
        self.fields["kind"].choices = [("", "全部类型")] + [(k.key, k.label) for k in kinds()]
        self.fields["district"].queryset = District.objects.visible_to(viewer).order_by("code")
        self.fields["street"].queryset = (
            Street.objects.visible_to(viewer).select_related("district").order_by("district__code", "code")
        )
        self.fields["street"].label_from_instance = lambda s: f"{s.name}（{s.district.name}）"
        for form_field in self.fields.values():
            small = (
                "form-select form-select-sm"
                if isinstance(form_field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            form_field.widget.attrs["class"] = small

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "截止日期不能早于起始日期。")
        street, district = data.get("street"), data.get("district")
        if street and district and street.district_id != district.pk:
            self.add_error("street", "所选街道不属于所选的区。")
        return data

    def as_params(self) -> dict:
        """The valid filters as plain values, for an export job's params."""
        data = self.cleaned_data
        return {
            key: value
            for key, value in {
                "user": data["user"].pk if data.get("user") else "",
                "kind": data.get("kind") or "",
                "district": data["district"].pk if data.get("district") else "",
                "street": data["street"].pk if data.get("street") else "",
                "date_from": data["date_from"].isoformat() if data.get("date_from") else "",
                "date_to": data["date_to"].isoformat() if data.get("date_to") else "",
            }.items()
            if value != ""
        }

    def described(self) -> str:
        data = self.cleaned_data
        parts = []
        for name in ("user", "kind", "district", "street", "date_from", "date_to"):
            value = data.get(name)
            if not value:
                continue
            if name == "kind":
                value = kind_by_key()[value].label
            elif name == "user":
                value = value.display_name
            elif name in ("district", "street"):
                value = value.name
            parts.append(f"{self.fields[name].label}：{value}")
        return "；".join(parts)


# --- the rows --------------------------------------------------------------------------------
def _bounds(day: dt.date, next_day: bool = False) -> dt.datetime:
    day = day + dt.timedelta(days=1) if next_day else day
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def record_index(viewer, cleaned: dict):
    """One UNION ALL over the chosen kinds' history tables: (kind key, history id, date), newest
    first. None when no kind can match."""
    if viewer.scope_level != Level.CITY:
        # roles.md gives the change history to city roles only (accounts.choices.CITY_OVERSIGHT); a unit-level
        # reader would need core.scoping here, which no role asks for yet.
        raise PermissionError("the change log is read at city level")
    chosen = [kind_by_key()[cleaned["kind"]]] if cleaned.get("kind") else list(kinds())
    parts = []
    for kind in chosen:
        qs = kind.history._default_manager.all()
        skip = False
        for level in (Level.DISTRICT, Level.STREET):
            unit = cleaned.get(level)
            if unit is None:
                continue
            path = kind.path(level)
            if path is None:
                skip = True
                break
            qs = qs.filter(**{path: unit.pk})
        if skip:
            continue
        if cleaned.get("user"):
            qs = qs.filter(history_user=cleaned["user"])
        if cleaned.get("date_from"):
            qs = qs.filter(history_date__gte=_bounds(cleaned["date_from"]))
        if cleaned.get("date_to"):
            qs = qs.filter(history_date__lt=_bounds(cleaned["date_to"], next_day=True))
        parts.append(
            qs.order_by()
            .annotate(kind_key=Value(kind.key, output_field=CharField()))
            .values_list("kind_key", "history_id", "history_date")
        )
    if not parts:
        return None
    first, rest = parts[0], parts[1:]
    combined = first.union(*rest, all=True) if rest else first
    return combined.order_by("-history_date", "-kind_key", "-history_id")


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    when: dt.datetime
    who: str
    username: str
    kind: str
    action: str
    what: str
    reason: str
    changes: list[Change] = field(default_factory=list)


def _field(model, name):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _m2m_text(model_field, value) -> str:
    """A many-to-many change (a policy's districts) as the names of the rows it links."""
    if not value:
        return "（空）"
    target = model_field.m2m_reverse_field_name()
    ids = [row.get(target) for row in value if isinstance(row, dict)]
    names = model_field.related_model._base_manager.in_bulk([i for i in ids if i is not None])
    return "、".join(str(names.get(i, f"#{i}")) for i in ids)


def entries_for(index_rows) -> list[Entry]:
    """The page's records in full, each compared with the record of the same row before it."""
    by_kind: dict[str, list[int]] = {}
    for key, history_id, _when in index_rows:
        by_kind.setdefault(key, []).append(history_id)
    lookup = kind_by_key()
    records: dict[tuple[str, int], Any] = {}
    for key, ids in by_kind.items():
        for record in lookup[key].history._default_manager.filter(history_id__in=ids).select_related("history_user"):
            records[(key, record.history_id)] = record

    pairs = []
    wanted: dict[tuple[str, str], set] = {}
    for key, history_id, _when in index_rows:
        record = records.get((key, history_id))
        if record is None:
            continue
        kind = lookup[key]
        delta = None
        if record.history_type == "~":
            previous = record.prev_record
            if previous is not None:
                delta = record.diff_against(previous)
        pairs.append((kind, record, delta))
        for change in delta.changes if delta else []:
            model_field = _field(kind.model, change.field)
            if isinstance(model_field, models.ForeignKey):
                wanted.setdefault((key, change.field), set()).update(
                    v for v in (change.old, change.new) if v is not None
                )
    related: dict[tuple[str, str], dict] = {}
    for (key, name), fk_values in wanted.items():
        model: Any = lookup[key].model._meta.get_field(name).related_model
        related[(key, name)] = {pk: str(row) for pk, row in model._base_manager.in_bulk(list(fk_values)).items()}

    entries = []
    for kind, record, delta in pairs:
        user = record.history_user
        masks = PERSONAL.get(kind.key, {})
        entry = Entry(
            when=record.history_date,
            who=user.display_name if user is not None else "系统",
            username=user.username if user is not None else "",
            kind=kind.label,
            action=TYPE_LABELS.get(record.history_type, record.history_type),
            what=_describe(record),
            reason=record.history_change_reason or "",
        )
        for change in delta.changes if delta else []:
            if change.field in HIDDEN_FIELDS:
                continue
            model_field = _field(kind.model, change.field)
            if model_field is None:
                continue
            if isinstance(model_field, models.ManyToManyField):
                old, new = _m2m_text(model_field, change.old), _m2m_text(model_field, change.new)
            else:
                names = {change.field: related.get((kind.key, change.field), {})}
                old = display_value(model_field, change.old, names)
                new = display_value(model_field, change.new, names)
                if change.field in masks:
                    old = masks[change.field](change.old) or "（空）"
                    new = masks[change.field](change.new) or "（空）"
            entry.changes.append(Change(str(model_field.verbose_name), old, new))
        entries.append(entry)
    return entries


ISO_DATE = re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b")


def _describe(record) -> str:
    """The row the record is of, by its own name (as it was then); a date in that name (an
    inspection's "MY101 2019-05-01") written as every page writes dates."""
    try:
        text = str(record.instance)
    except Exception:  # noqa: BLE001 - a row whose related rows are gone still has an id
        text = ""
    text = ISO_DATE.sub(lambda m: f"{m[1]}年{int(m[2])}月{int(m[3])}日", text)
    return text or f"#{record.instance.pk}"


# --- the export ------------------------------------------------------------------------------
COLUMNS = [
    Col("时间", "datetime"),
    Col("操作人", "text", 12),
    Col("账号", "text", 14),
    Col("记录类型", "text", 14),
    Col("记录", "text", 30),
    Col("操作", "label"),
    Col("字段", "text", 16),
    Col("原值", "text", 24),
    Col("新值", "text", 24),
    Col("原因", "text", 20),
]


def start_export(user, params: dict) -> Job:
    job = Job.objects.create(kind=EXPORT_KIND, title="导出变更记录", created_by=user, params={"filters": params})
    enqueue(job)
    return job


def export_history_job(job, report) -> dict:
    from .jobs import JobRefused

    user = job.created_by
    if not can_see(user):
        raise JobRefused("您没有查看变更记录的权限。")
    form = AuditFilterForm((job.params or {}).get("filters", {}), viewer=user)
    if not form.is_valid():
        raise JobRefused("筛选条件无效：" + "；".join(str(e) for errors in form.errors.values() for e in errors))
    index = record_index(user, form.cleaned_data)
    total = index.count() if index is not None else 0
    now = timezone.localtime()
    described = form.described()
    writer = XlsxWriter()
    sheet = writer.sheet(
        "变更记录",
        COLUMNS,
        title=f"变更记录（共 {total} 条）",
        subtitle=f"导出：{user.display_name}，{now.year}年{now.month}月{now.day}日 {now:%H:%M}"
        + (f"；筛选条件：{described}" if described else ""),
    )
    rows = 0
    for start in range(0, total, EXPORT_CHUNK):
        for entry in entries_for(list(index[start : start + EXPORT_CHUNK])):
            head = [entry.when, entry.who, entry.username, entry.kind, entry.what, entry.action]
            if entry.changes:
                for change in entry.changes:
                    sheet.row([*head, change.label, change.old, change.new, entry.reason])
                    rows += 1
            else:
                sheet.row([*head, "", "", "", entry.reason])
                rows += 1
        report(min(start + EXPORT_CHUNK, total), total, f"已写入 {min(start + EXPORT_CHUNK, total)} / {total} 条记录")
    save_workbook(job, writer, f"变更记录_{now:%Y%m%d_%H%M}.xlsx", stored_as="history")
    return {"rows": rows, "summary": f"已导出 {total} 条变更记录（{rows} 行）。"}
