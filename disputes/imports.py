"""Ledger imports (excel-templates.md): 矛盾纠纷台账 and 维修台账, all or nothing.

Past cases come in as they were: received (and closed) on the ledger's dates, with the time
limit in force on the day received, marked as imported, with an event per step in their
timeline. A row that repeats a case already imported (same estate, received time, category and
parties) is refused, so importing a ledger twice does not double the effectiveness counts.
Dates without a time are 00:00 Asia/Shanghai.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Max, Min
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from communities.lookups import estates_by_code
from core.imports import CellError, Column, Importer
from core.imports import parsers as p
from core.years import YearGate

from . import validation as v
from .choices import (
    CLERK_CHANNELS,
    Channel,
    DisputeCategory,
    DisputeStatus,
    RepairCategory,
    RepairStatus,
    Urgency,
)
from .limits import LimitTable, deadline, start_of_day
from .models import Department, DisputeCase, DisputeEvent, RepairEvent, RepairRequest

DISPUTE_CATEGORY = {c.label: c.value for c in DisputeCategory}
REPAIR_CATEGORY = {c.label: c.value for c in RepairCategory}
URGENCY = {u.label: u.value for u in Urgency}
# 居民自报 comes only through the residents' public form (with its tracking link), not from a ledger.
CHANNEL = {label: value for value, label in CLERK_CHANNELS}
OUTCOME = {
    DisputeStatus.RESOLVED.label: DisputeStatus.RESOLVED,
    DisputeStatus.REFERRED.label: DisputeStatus.REFERRED,
    DisputeStatus.TERMINATED.label: DisputeStatus.TERMINATED,
}
CLOSE_EVENT = {
    DisputeStatus.RESOLVED: DisputeEvent.Action.RESOLVE,
    DisputeStatus.REFERRED: DisputeEvent.Action.REFER,
    DisputeStatus.TERMINATED: DisputeEvent.Action.TERMINATE,
}


def phone(raw):
    """联系电话: an 11-digit mobile or a landline; a number cell is read as its digits."""
    text = p.text(30)(raw)
    try:
        return v.normalise_phone(text) or None
    except ValidationError:
        raise CellError(v.PHONE_MESSAGE) from None


class CaseImporter(Importer):
    write_action = "case"

    def _estates(self, rows):
        estates = estates_by_code(self.user, (r["estate_code"] for r in rows), writable=True)
        for row in rows:
            if row["estate_code"] and row["estate_code"] not in estates:
                row.error("estate_code", "小区编码不存在。")
            row.values["_estate"] = estates.get(row["estate_code"])
        return estates

    @staticmethod
    def _scope(estate) -> dict:
        return {
            "estate_id": estate.id,
            "district_id": estate.district_id,
            "street_id": estate.street_id,
            "community_id": estate.community_id,
        }


class DisputeImporter(CaseImporter):
    kind = "disputes"
    title = "矛盾纠纷台账"
    instructions = (
        "矛盾纠纷台账：每行一件纠纷。受理日期不得晚于今天；已办结的填写办结日期和办理结果（调解成功、转联合执法、终止调解），"
        "办结日期不得早于受理日期；未办结的两列都留空。转联合执法的可填写移交部门。当事人和联系电话为个人信息，仅经办街道、社区可见。"
    )
    columns = [
        Column("estate_code", "小区编码", p.code, required=True),
        Column("received", "受理日期", p.date(not_future=True), required=True, note="不得晚于今天"),
        Column("category", "类别", p.choice(DISPUTE_CATEGORY), required=True, note="、".join(DISPUTE_CATEGORY)),
        Column("party_name", "当事人", p.text(50), note="个人信息，列表中脱敏显示"),
        Column("party_phone", "联系电话", phone, note="11位手机号或固定电话"),
        Column("closed", "办结日期", p.date(not_future=True), note="未办结留空；不得早于受理日期"),
        Column("outcome", "办理结果", p.choice(OUTCOME), note="填写办结日期时必填：" + "、".join(OUTCOME)),
        Column(
            "channel", "受理方式", p.choice(CHANNEL), default=Channel.OTHER, note="、".join(CHANNEL) + "；空 = 其他"
        ),
        Column("department", "移交部门", p.text(50), note="转联合执法时填写，如 城管、市场监管"),
    ]

    def validate(self, rows):
        self._estates(rows)
        departments = list(Department.objects.all())
        by_name = {}
        for d in departments:
            by_name.setdefault(d.name, d)
            by_name.setdefault(d.full_name, d)
        limits = LimitTable.load()
        now = timezone.now()
        gate = YearGate()  # one lookup per year for the whole file
        for row in rows:
            received = start_of_day(row["received"]) if row["received"] else None
            closed = start_of_day(row["closed"]) if row["closed"] else None
            if received is None:
                continue
            outcome = row["outcome"]
            if outcome is None and closed is not None:
                row.error("outcome", "填写办结日期时须同时填写办理结果（调解成功、转联合执法或终止调解）。")
            errors = v.dispute_errors(
                requested=received,
                closed=closed,
                status=outcome or (None if closed else DisputeStatus.RECEIVED),
                now=now,
                gate=gate,
            )
            for key, message in errors.items():
                row.error(
                    {"requested_datetime": "received", "closed_datetime": "closed", "status": "outcome"}.get(key, key),
                    message,
                )
            department = None
            if row["department"]:
                department = by_name.get(row["department"])
                if department is None:
                    row.error("department", f"移交部门“{row['department']}”不在联合执法部门名单中。")
                elif outcome != DisputeStatus.REFERRED:
                    row.error("department", "只有办理结果为“转联合执法”时才填写移交部门。")
                elif not department.in_force_on(row["closed"] or row["received"]):
                    successor = f"，应为“{department.successor.name}”" if department.successor_id else ""
                    row.error("department", f"“{department.name}”在办结日期已不是联合执法部门{successor}。")
            row.values["_department"] = department
            row.values["_received"], row.values["_closed"] = received, closed
            if row["category"]:
                hours = limits.hours_for("dispute", row["category"], "", received)
                if hours is None:
                    row.error("received", "受理日期没有适用的处理时限，请联系市房产局维护处理时限。")
                row.values["_hours"] = hours
        self._flag_already_imported(rows)

    def _key(self, estate_id, received, category, name, phone_):
        return (estate_id, received, category, name or "", phone_ or "")

    def _flag_already_imported(self, rows):
        good = [r for r in rows if r.ok and r["_estate"] is not None]
        if not good:
            return
        span = [r["_received"] for r in good]
        existing = {
            self._key(*values)
            for values in DisputeCase.objects.filter(
                imported=True,
                estate_id__in={r["_estate"].id for r in good},
                requested_datetime__gte=min(span),
                requested_datetime__lte=max(span),
            ).values_list("estate_id", "requested_datetime", "service_code", "party_name", "party_phone")
        }
        for row in good:
            key = self._key(row["_estate"].id, row["_received"], row["category"], row["party_name"], row["party_phone"])
            if key in existing:
                row.error("estate_code", "该纠纷已导入过（小区、受理日期、类别、当事人、联系电话均相同）。")

    def write(self, rows):
        cases = []
        for row in rows:
            received, closed = row["_received"], row["_closed"]
            cases.append(
                DisputeCase(
                    **self._scope(row["_estate"]),
                    service_code=row["category"],
                    channel=row["channel"] or Channel.OTHER,
                    party_name=row["party_name"] or "",
                    party_phone=row["party_phone"] or "",
                    status=row["outcome"] or DisputeStatus.RECEIVED,
                    requested_datetime=received,
                    limit_hours=row["_hours"],
                    expected_datetime=deadline(received, row["_hours"]),
                    closed_datetime=closed,
                    referred_department=row["_department"],
                    imported=True,
                    created_by=self.user,
                )
            )
        created = bulk_create_with_history(cases, DisputeCase, batch_size=1000, default_user=self.user)
        created = self._with_ids(created, DisputeCase)
        events = []
        for case in created:
            events.append(
                DisputeEvent(
                    dispute_id=case.pk,
                    action=DisputeEvent.Action.IMPORTED,
                    to_status=DisputeStatus.RECEIVED,
                    at=case.requested_datetime,
                    actor=self.user,
                    note="矛盾纠纷台账导入",
                )
            )
            if case.closed_datetime is not None:
                events.append(
                    DisputeEvent(
                        dispute_id=case.pk,
                        action=CLOSE_EVENT[case.status],
                        from_status=DisputeStatus.RECEIVED,
                        to_status=case.status,
                        at=case.closed_datetime,
                        actor=self.user,
                        note="矛盾纠纷台账导入",
                    )
                )
        DisputeEvent.objects.bulk_create(events, batch_size=2000)
        return {"created": len(created)}

    def _with_ids(self, objs, model):
        """bulk_create gives ids back on PostgreSQL and SQLite ≥ 3.35; fetch them otherwise."""
        if all(o.pk for o in objs):
            return objs
        bounds = model.objects.filter(created_by=self.user, imported=True).aggregate(lo=Min("id"), hi=Max("id"))
        return list(model.objects.filter(id__gte=bounds["lo"], id__lte=bounds["hi"]).order_by("id"))[-len(objs) :]


class RepairImporter(CaseImporter):
    kind = "repairs"
    title = "维修台账"
    instructions = (
        "维修台账：每行一次报修。报修时间、完成时间写作 2019-03-05 14:30（北京时间）；报修时间不得晚于现在；"
        "已完成的填写完成时间，不得早于报修时间；未完成的留空。紧急程度：紧急（24小时内完成）或一般（72小时内完成）。"
    )
    columns = [
        Column("estate_code", "小区编码", p.code, required=True),
        Column("reported", "报修时间", p.datetime(not_future=True), required=True, note="如 2019-03-05 14:30"),
        Column("category", "类别", p.choice(REPAIR_CATEGORY), required=True, note="、".join(REPAIR_CATEGORY)),
        Column("urgency", "紧急程度", p.choice(URGENCY), required=True, note="紧急（24小时）或一般（72小时）"),
        Column("completed", "完成时间", p.datetime(not_future=True), note="未完成留空；不得早于报修时间"),
    ]

    def validate(self, rows):
        self._estates(rows)
        limits = LimitTable.load()
        now = timezone.now()
        gate = YearGate()
        for row in rows:
            if row["reported"] is None:
                continue
            errors = v.repair_errors(requested=row["reported"], completed=row["completed"], now=now, gate=gate)
            for key, message in errors.items():
                row.error({"requested_datetime": "reported", "completed_datetime": "completed"}.get(key, key), message)
            if row["category"] and row["urgency"]:
                hours = limits.hours_for("repair", row["category"], row["urgency"], row["reported"])
                if hours is None:
                    row.error("urgency", "报修时间没有适用的处理时限，请联系市房产局维护处理时限。")
                row.values["_hours"] = hours
        good = [r for r in rows if r.ok and r["_estate"] is not None]
        if good:
            span = [r["reported"] for r in good]
            existing = set(
                RepairRequest.objects.filter(
                    imported=True,
                    estate_id__in={r["_estate"].id for r in good},
                    requested_datetime__gte=min(span),
                    requested_datetime__lte=max(span),
                ).values_list("estate_id", "requested_datetime", "service_code", "urgency")
            )
            for row in good:
                if (row["_estate"].id, row["reported"], row["category"], row["urgency"]) in existing:
                    row.error("estate_code", "该报修已导入过（小区、报修时间、类别、紧急程度均相同）。")

    def write(self, rows):
        repairs = []
        for row in rows:
            estate = row["_estate"]
            repairs.append(
                RepairRequest(
                    **self._scope(estate),
                    service_code=row["category"],
                    urgency=row["urgency"],
                    channel=Channel.OTHER,
                    status=RepairStatus.COMPLETED if row["completed"] else RepairStatus.OPEN,
                    requested_datetime=row["reported"],
                    limit_hours=row["_hours"],
                    expected_datetime=deadline(row["reported"], row["_hours"]),
                    completed_datetime=row["completed"],
                    imported=True,
                    created_by=self.user,
                )
            )
        created = bulk_create_with_history(repairs, RepairRequest, batch_size=1000, default_user=self.user)
        created = DisputeImporter._with_ids(self, created, RepairRequest)
        events = []
        for repair in created:
            events.append(
                RepairEvent(
                    repair_id=repair.pk,
                    action=RepairEvent.Action.IMPORTED,
                    to_status=RepairStatus.OPEN,
                    at=repair.requested_datetime,
                    actor=self.user,
                    note="维修台账导入",
                )
            )
            if repair.completed_datetime is not None:
                events.append(
                    RepairEvent(
                        repair_id=repair.pk,
                        action=RepairEvent.Action.COMPLETE,
                        from_status=RepairStatus.OPEN,
                        to_status=RepairStatus.COMPLETED,
                        at=repair.completed_datetime,
                        actor=self.user,
                        note="维修台账导入",
                    )
                )
        RepairEvent.objects.bulk_create(events, batch_size=2000)
        return {"created": len(created)}
