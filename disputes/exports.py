"""Excel exports of every list (excel-templates.md "Exports"): the rows the requester may see
(visible_to), filtered as on the page, personal data masked unless the requester handles the
case. Each export is a Job (long work is a row): the task gets only the job id; the filter
travels as the page's query string in the job's params (it never holds personal data: no list
filters by name or phone)."""

from __future__ import annotations

from types import SimpleNamespace

from django.http import QueryDict
from django.utils import timezone

from core.exports import Export, register_exports, start_export  # noqa: F401 - start_export: the pages start them here
from core.spreadsheets.writer import Col, XlsxWriter

from . import privacy, stats
from .choices import StationKind
from .filters import DisputeFilter, FilingFilter, ReferralFilter, RepairFilter, StationFilter
from .models import DisputeCase, EnforcementReferral, Filing, RepairRequest, RepairTeam, Station
from .models.reference import limit_text

UNIT_COLUMNS = [
    Col("序号", "int", 7),
    Col("区", "text", 10),
    Col("街道", "text", 14),
    Col("社区", "text", 14),
    Col("小区编码", "text", 12),
    Col("小区名称", "text", 18),
]
UNIT_ORDER = ("district__code", "street__code", "community__name", "estate__code")


def _units(i, obj) -> list:
    return [i, obj.district.name, obj.street.name, obj.community.name, obj.estate.code, obj.estate.name]


def _yes_no(value: bool | None, open_text: str) -> str:
    return open_text if value is None else ("是" if value else "否")


def _on_time(case, now) -> str:
    done = case.closed_on_time if isinstance(case, DisputeCase) else case.completed_on_time
    if done is None:
        return "已逾期" if case.expected_datetime < now else "未到期"
    return "是" if done else "否"


def dispute_row(i, case, user, now) -> list:
    reveal = privacy.handles(user, case)
    from core.privacy import mask_name, mask_phone

    name = case.party_name if reveal else mask_name(case.party_name)
    phone = case.party_phone if reveal else mask_phone(case.party_phone)
    return _units(i, case) + [
        case.number,
        case.requested_datetime,
        case.get_service_code_display(),
        case.get_channel_display(),
        name,
        phone,
        case.get_status_display(),
        limit_text(case.limit_hours),
        case.expected_datetime,
        case.closed_datetime,
        _on_time(case, now),
        case.get_satisfaction_display() if case.satisfaction else "",
        case.description,
    ]


DISPUTE_COLUMNS = UNIT_COLUMNS + [
    Col("编号", "text", 10),
    Col("受理时间", "datetime"),
    Col("类别", "text", 12),
    Col("受理方式", "text", 10),
    Col("当事人", "text", 10),
    Col("联系电话", "text", 14),
    Col("状态", "text", 10),
    Col("处理时限", "text", 9),
    Col("办理期限", "datetime"),
    Col("办结时间", "datetime"),
    Col("是否按期", "text", 9),
    Col("满意度", "text", 9),
    Col("情况描述", "text", 40),
]


def repair_row(i, case, user, now) -> list:
    from core.privacy import mask_name, mask_phone

    reveal = privacy.handles(user, case)
    return _units(i, case) + [
        case.number,
        case.requested_datetime,
        case.get_service_code_display(),
        case.get_urgency_display(),
        case.building,
        case.unit,
        case.reporter_name if reveal else mask_name(case.reporter_name),
        case.reporter_phone if reveal else mask_phone(case.reporter_phone),
        case.get_status_display(),
        limit_text(case.limit_hours),
        case.expected_datetime,
        case.team.name if case.team_id else "",
        case.dispatched_datetime,
        case.arrived_datetime,
        case.completed_datetime,
        _on_time(case, now),
        case.cost_fen,
        case.get_satisfaction_display() if case.satisfaction else "",
        case.description,
    ]


REPAIR_COLUMNS = UNIT_COLUMNS + [
    Col("编号", "text", 10),
    Col("报修时间", "datetime"),
    Col("类别", "text", 12),
    Col("紧急程度", "text", 9),
    Col("楼栋", "text", 7),
    Col("单元/室", "text", 9),
    Col("报修人", "text", 10),
    Col("联系电话", "text", 14),
    Col("状态", "text", 9),
    Col("处理时限", "text", 9),
    Col("完成期限", "datetime"),
    Col("维修队伍", "text", 16),
    Col("派单时间", "datetime"),
    Col("到场时间", "datetime"),
    Col("完成时间", "datetime"),
    Col("是否按时", "text", 9),
    Col("维修费用(元)", "money"),
    Col("满意度", "text", 9),
    Col("情况说明", "text", 40),
]


def overdue_hours(case, now) -> int:
    return int((now - case.expected_datetime).total_seconds() // 3600)


def referral_row(i, r, user, now) -> list:
    today = timezone.localdate()
    return _units(i, r) + [
        r.number,
        r.department.name,
        r.problem,
        r.referred_on,
        r.due_on,
        r.get_status_display(),
        r.accepted_on,
        r.answered_on,
        r.feedback,
        "是" if r.is_overdue(today) else "否",
        r.dispute.number if r.dispute_id else "",
    ]


REFERRAL_COLUMNS = UNIT_COLUMNS + [
    Col("编号", "text", 10),
    Col("执法部门", "text", 10),
    Col("移交事项", "text", 40),
    Col("移交日期", "date"),
    Col("办理期限", "date"),
    Col("状态", "text", 10),
    Col("部门受理日期", "date"),
    Col("反馈日期", "date"),
    Col("部门反馈", "text", 40),
    Col("是否逾期", "text", 9),
    Col("来源纠纷", "text", 10),
]


def filing_row(i, f, user, now) -> list:
    return _units(i, f) + [
        f.number,
        f.get_kind_display(),
        f.summary,
        f.applicant,
        f.submitted_on,
        f.get_status_display(),
        f.decided_on,
        f.decision_note,
    ]


FILING_COLUMNS = UNIT_COLUMNS + [
    Col("编号", "text", 10),
    Col("备案类型", "text", 16),
    Col("备案事项", "text", 30),
    Col("报送单位", "text", 20),
    Col("报送日期", "date"),
    Col("状态", "text", 9),
    Col("办结日期", "date"),
    Col("审查意见", "text", 30),
]


def _fake_request(user):
    return SimpleNamespace(user=user, GET=QueryDict())


def _case_export(model, filter_class, columns, row, title, overdue_only=False):
    def write(wb: XlsxWriter, user, params: QueryDict, report) -> int:
        now = timezone.now()
        base = model.objects.visible_to(user)
        if overdue_only:
            base = stats.overdue(base, now)
        related = ["estate", "district", "street", "community"] + (["team"] if model is RepairRequest else [])
        params = params.copy()
        params.pop("kind", None)
        params.pop("page", None)
        qs = filter_class(params or None, queryset=base, request=_fake_request(user)).qs
        qs = qs.select_related(*related).order_by(*UNIT_ORDER, "requested_datetime", "id")
        cols = columns + ([Col("逾期(小时)", "int", 10)] if overdue_only else [])
        sheet = wb.sheet(
            title, cols, title=f"{title}（导出时间 {timezone.localtime(now):%Y-%m-%d %H:%M}，范围：{user.unit_label}）"
        )
        total = qs.count()
        n = 0
        for n, case in enumerate(qs.iterator(chunk_size=2000), start=1):
            values = row(n, case, user, now)
            if overdue_only:
                values.append(overdue_hours(case, now))
            sheet.row(values)
            if n % 2000 == 0:
                report(n, total)
        return n

    return Export(title, write, unit="条")


def _referral_export(wb, user, params, report) -> int:
    now = timezone.now()
    qs = ReferralFilter(
        params or None, queryset=EnforcementReferral.objects.visible_to(user), request=_fake_request(user)
    ).qs
    qs = qs.select_related("estate", "district", "street", "community", "department", "dispute").order_by(
        *UNIT_ORDER, "referred_on", "id"
    )
    sheet = wb.sheet("联合执法", REFERRAL_COLUMNS, title=f"联合执法移交台账（范围：{user.unit_label}）")
    n = 0
    for n, r in enumerate(qs.iterator(chunk_size=2000), start=1):
        sheet.row(referral_row(n, r, user, now))
    return n


def _department_export(wb, user, params, report) -> int:
    today = timezone.localdate()
    qs = ReferralFilter(
        params or None, queryset=EnforcementReferral.objects.visible_to(user), request=_fake_request(user)
    ).qs
    rows = stats.department_counts(qs, today)
    sheet = wb.sheet(
        "按部门统计",
        [
            Col("序号", "int", 7),
            Col("执法部门", "text", 12),
            Col("移交数", "int", 9),
            Col("办理中", "int", 9),
            Col("逾期", "int", 9),
            Col("已反馈办结", "int", 11),
            Col("按期反馈", "int", 10),
            Col("部门退回", "int", 10),
        ],
        title=f"联合执法按部门统计（范围：{user.unit_label}，统计日 {today:%Y-%m-%d}）",
    )
    for i, r in enumerate(rows, start=1):
        sheet.row(
            [
                i,
                r["department"].name,
                r["total"],
                r["open"],
                r["overdue"],
                r["answered"],
                r["answered_on_time"],
                r["returned"],
            ]
        )
    sheet.total_row(
        ["", "合计"]
        + [sum(r[k] for r in rows) for k in ("total", "open", "overdue", "answered", "answered_on_time", "returned")]
    )
    return len(rows)


def _filing_export(wb, user, params, report) -> int:
    qs = FilingFilter(params or None, queryset=Filing.objects.visible_to(user), request=_fake_request(user)).qs
    qs = qs.select_related("estate", "district", "street", "community").order_by(*UNIT_ORDER, "submitted_on", "id")
    sheet = wb.sheet("备案", FILING_COLUMNS, title=f"备案登记（范围：{user.unit_label}）")
    n = 0
    for n, f in enumerate(qs.iterator(chunk_size=2000), start=1):
        sheet.row(filing_row(n, f, user, None))
    return n


def _station_export(wb, user, params, report) -> int:
    stations = StationFilter(params or None, queryset=Station.objects.visible_to(user), request=_fake_request(user)).qs
    stations = stations.select_related("district", "street").order_by("district__code", "street__code", "kind")
    sheet = wb.sheet(
        "两站一中心",
        [
            Col("序号", "int", 7),
            Col("区", "text", 10),
            Col("街道", "text", 14),
            Col("类型", "text", 18),
            Col("名称", "text", 26),
            Col("地址", "text", 30),
            Col("电话", "text", 14),
            Col("办公时间", "text", 24),
            Col("值班人员", "text", 30),
        ],
        title=f"两站一中心站点（范围：{user.unit_label}）",
    )
    n = 0
    for n, s in enumerate(stations, start=1):
        sheet.row(
            [
                n,
                s.district.name,
                s.street.name,
                StationKind(s.kind).label,
                s.name,
                s.address,
                s.phone,
                s.hours,
                "；".join(s.staff_lines),
            ]
        )
    teams = (
        RepairTeam.objects.visible_to(user)
        .select_related("district", "street", "firm")
        .order_by("district__code", "street__code", "name")
    )
    street_ids = set(stations.values_list("street_id", flat=True)) if params else None
    tsheet = wb.sheet(
        "维修队伍",
        [
            Col("序号", "int", 7),
            Col("区", "text", 10),
            Col("街道", "text", 14),
            Col("队伍名称", "text", 20),
            Col("队伍类型", "text", 20),
            Col("所属企业", "text", 24),
            Col("负责人", "text", 10),
            Col("值班电话", "text", 14),
            Col("人数", "int", 7),
            Col("在用", "text", 7),
        ],
    )
    for i, t in enumerate((t for t in teams if street_ids is None or t.street_id in street_ids), start=1):
        tsheet.row(
            [
                i,
                t.district.name,
                t.street.name,
                t.name,
                t.get_kind_display(),
                t.firm.name if t.firm_id else "",
                t.leader,
                t.phone,
                t.members,
                "是" if t.is_active else "否",
            ]
        )
    return n


EXPORTS: dict[str, Export] = {
    "disputes": _case_export(DisputeCase, DisputeFilter, DISPUTE_COLUMNS, dispute_row, "矛盾纠纷台账"),
    "repairs": _case_export(RepairRequest, RepairFilter, REPAIR_COLUMNS, repair_row, "应急维修台账"),
    "overdue_disputes": _case_export(
        DisputeCase, DisputeFilter, DISPUTE_COLUMNS, dispute_row, "逾期矛盾纠纷", overdue_only=True
    ),
    "overdue_repairs": _case_export(
        RepairRequest, RepairFilter, REPAIR_COLUMNS, repair_row, "逾期应急维修", overdue_only=True
    ),
    "referrals": Export("联合执法移交台账", _referral_export, unit="条"),
    "departments": Export("联合执法按部门统计", _department_export, unit="条"),
    "filings": Export("备案登记", _filing_export, unit="条"),
    "stations": Export("两站一中心站点", _station_export, unit="条"),
}
