"""Audit (issue 8, point 8): every model people edit keeps a change history (who, when, old,
new); computed rows trace to the run or sheet that made them; no role can alter the history
through the app — no URL, API or admin page writes a history row."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(settings.BASE_DIR)

# Models without a change history, and why. A new model must either get HistoricalRecords or
# be listed here with its reason — the test fails otherwise.
WITHOUT_HISTORY = {
    "core.Job": "long work as a row: written by the system, its own record of who started it",
    "accounts.PasswordHistory": "password hashes kept to refuse reuse; written by the system, never edited",
    "assessments.YearEvent": "an audit log itself (publish / close / reopen, who, when, reason)",
    "assessments.InspectionPhoto": "append-only upload (taken time, inspection); never edited",
    "assessments.CycleRun": "a job row: computed, who started it recorded on it",
    "assessments.EstateResult": "computed by a run (run_id), never edited",
    "assessments.UnitResult": "computed by a run (run_id), never edited",
    "assessments.Notice": "a reminder the system writes",
    "subsidies.StartupGrant": "computed once by a run (fixed_year), never edited",
    "subsidies.SheetEvent": "an audit log itself (computed / confirmed / approved / payee changed, who, when)",
    "subsidies.Allocation": "computed by a run into its sheet; the payee edit is a SheetEvent (old → new)",
    "disputes.DisputeEvent": "an audit log itself (the case's timeline)",
    "residents.EstateEntry": "append-only: a regenerated entry is a new row (who, when); the old one only gets revoked_at",
    "disputes.RepairEvent": "an audit log itself (the repair's timeline)",
    "disputes.Attachment": "append-only upload; never edited",
    "assessments.EngagementEstate": "the drawn sample of an engagement (seed recorded on it); redrawn only by a new engagement",
    "workbench.Reminder": "a reminder the system writes to one user; read/unread only",
    "workbench.WorkbenchSetting": "a user's own preference (home page), not a record of the city",
    "integrations.SystemAPIKey": "issued and revoked by command or page, each logged; only a hash and dates are kept",
    "integrations.Open311Request": "append-only link of a hotline case to its key and token; the case keeps the history",
    "communities.ContractFactsDay": "the day the contract facts were last derived; written by the system, never edited",
}

# The issue names these: registry, inspections, policies, schemes and sheets.
MUST_HAVE_HISTORY = [
    "communities.Estate",
    "communities.Community",
    "communities.Street",
    "communities.District",
    "communities.ServiceFirm",
    "communities.PropertyCommittee",
    "assessments.Inspection",
    "assessments.FeeRate",
    "assessments.Appeal",
    "assessments.Scheme",
    "assessments.ChecklistItem",
    "assessments.SchemeBand",
    "assessments.GradeBand",
    "assessments.AssessmentYear",
    "subsidies.Policy",
    "subsidies.PolicyRate",
    "subsidies.PolicyTier",
    "subsidies.AllocationSheet",
    "subsidies.Disbursement",
    "subsidies.PayeeOverride",
    "disputes.DisputeCase",
    "disputes.RepairRequest",
    "accounts.User",
]


def project_models():
    for config in apps.get_app_configs():
        if not config.path.startswith(str(ROOT)) or "site-packages" in config.path:
            continue
        for model in config.get_models():
            if not model.__name__.startswith("Historical"):
                yield model


def has_history(model) -> bool:
    from simple_history.models import registered_models

    return model._meta.db_table in {m._meta.db_table for m in registered_models.values()}


def test_every_model_people_edit_keeps_history():
    missing = [m._meta.label for m in project_models() if not has_history(m) and m._meta.label not in WITHOUT_HISTORY]
    assert not missing, f"no change history and no reason given in WITHOUT_HISTORY: {missing}"
    for label in MUST_HAVE_HISTORY:
        assert has_history(apps.get_model(label)), label
    stale = [label for label in WITHOUT_HISTORY if has_history(apps.get_model(label))]
    assert not stale, f"listed as without history but has one: {stale}"


def test_computed_rows_trace_to_the_run_or_sheet_that_made_them():
    from assessments.models import EstateResult, UnitResult
    from subsidies.models import Allocation, AllocationSheet

    for model, field in ((EstateResult, "run"), (UnitResult, "run"), (Allocation, "sheet")):
        f = model._meta.get_field(field)
        assert f.is_relation and not f.null, (model, field)
    assert AllocationSheet._meta.get_field("run").is_relation
    assert EstateResult._meta.get_field("scheme_version")


# --- who, when, old, new -------------------------------------------------------------------------
def last_change(obj):
    record = obj.history.order_by("-history_date", "-history_id").first()
    previous = record.prev_record
    delta = record.diff_against(previous) if previous else None
    return record, {c.field: (c.old, c.new) for c in delta.changes} if delta else {}


@pytest.mark.django_db
def test_a_human_change_leaves_who_when_old_and_new(world, client):
    import datetime as dt

    from assessments.models import Inspection
    from tests.assessments.conftest import add_inspection

    estate = world.estates["MY101"]
    client.force_login(world.meiyuan_clerk)
    from communities.forms import estate_initial

    data = {k: ("" if v is None else v) for k, v in estate_initial(estate).items()}
    data["name"] = "审计测试小区"
    response = client.post(f"/registry/estates/{estate.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[-1500:]
    estate.refresh_from_db()
    record, changes = last_change(estate)
    assert record.history_user == world.meiyuan_clerk and record.history_date is not None
    assert changes["name"] == ("梅园新村1-1小区", "审计测试小区"), changes

    insp = add_inspection(
        estate,
        world.meiyuan_clerk,
        dt.date(2019, 3, 5),
        {"cleanliness": 14, "order": 13, "greening": 9, "facilities": 8},
    )
    client.force_login(world.xuanwu_staff)
    client.post(
        f"/assessments/inspections/{insp.pk}/review/", {"decision": "reject", "reason": "照片不清", "version": 1}
    )
    insp = Inspection.objects.get(pk=insp.pk)
    record, changes = last_change(insp)
    assert record.history_user == world.xuanwu_staff and changes["status"] == ("submitted", "rejected"), changes


@pytest.mark.django_db
def test_sheet_steps_and_payee_changes_are_in_the_history(world, client):
    from subsidies import services
    from subsidies.models import AllocationSheet
    from tests.hardening.test_invariants import subsidised_world
    from tests.subsidies.helpers import close_year, sheet

    subsidised_world(world)
    close_year(2019, world.city_admin)
    draft = sheet(2019, "玄武区")
    row = draft.rows.first()
    client.force_login(world.xuanwu_staff)
    client.post(f"/subsidies/rows/{row.pk}/payee/", {"payee": "南京某物业服务有限公司"})
    event = draft.events.get(action="payee")
    assert event.by == world.xuanwu_staff and "→ 南京某物业服务有限公司" in event.note and row.estate.code in event.note
    services.confirm_sheet(draft, by=world.xuanwu_staff)
    services.approve_sheet(AllocationSheet.objects.get(pk=draft.pk), by=world.city_admin2)
    approved = AllocationSheet.objects.get(pk=draft.pk)
    record, changes = last_change(approved)
    assert record.history_user == world.city_admin2 and changes["status"] == ("confirmed", "approved"), changes
    confirmed = record.prev_record
    assert confirmed.history_user == world.xuanwu_staff and confirmed.status == "confirmed"


# --- nobody alters the history through the app ---------------------------------------------------
def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def models_behind(callback):
    """The models a view reads or writes, as far as its class declares them."""
    found = []
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    for holder in (cls, getattr(callback, "model_admin", None)):
        if holder is None:
            continue
        queryset = getattr(holder, "queryset", None)
        if queryset is not None:
            found.append(queryset.model)
        if getattr(holder, "model", None) is not None:
            found.append(holder.model)
        serializer = getattr(holder, "serializer_class", None)
        meta = getattr(serializer, "Meta", None)
        if getattr(meta, "model", None) is not None:
            found.append(meta.model)
    return found


def test_no_url_serves_a_history_model():
    offenders = []
    for route, callback in walk(get_resolver().url_patterns):
        for model in models_behind(callback):
            if model.__name__.startswith("Historical"):
                offenders.append((route, model.__name__))
    assert not offenders, offenders
    registered = [m.__name__ for m in admin.site._registry if m.__name__.startswith("Historical")]
    assert not registered, registered


HISTORY_WRITE = re.compile(
    r"Historical\w+\.objects\.(?:create|update|bulk_create|filter\([^)]*\)\.(?:update|delete))"
    r"|\.history\.(?:all|filter|exclude|get)\([^)]*\)\.(?:update|delete)\("
    r"|\.history\.(?:update|delete)\("
)


def test_no_code_outside_migrations_writes_history_rows():
    offenders = []
    for config in apps.get_app_configs():
        if not config.path.startswith(str(ROOT)) or "site-packages" in config.path:
            continue
        for path in Path(config.path).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            offenders += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in HISTORY_WRITE.finditer(text)]
    assert not offenders, offenders


@pytest.mark.django_db
def test_even_city_admin_cannot_reach_history_in_the_admin(world, client):
    from communities.models import Estate

    client.force_login(world.city_admin)
    history_model = Estate.history.model
    url = f"/admin/{history_model._meta.app_label}/{history_model._meta.model_name}/"
    assert client.get(url).status_code == 404
    assert client.post(url + "add/", {}).status_code == 404
