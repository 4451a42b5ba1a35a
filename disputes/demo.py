"""The demo city's 两站一中心: stations and repair teams of every street, and the cases of
2018 to 2020 (read by the assessment cycle's 效能效果) plus the last eight weeks, some of them
open past their limit so the overdue lists and the dashboards have something to show.

Rows are bulk-created (with history where the model keeps it); deadlines come from the
`TimeLimit` rows in force, as a case entered through the pages would get them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from .choices import (
    DisputeCategory,
    DisputeStatus,
    ReferralStatus,
    RepairCategory,
    RepairStatus,
    RepairTeamKind,
    Satisfaction,
    StationKind,
    Urgency,
)
from .limits import SHANGHAI, LimitTable
from .models import (
    Department,
    DisputeCase,
    DisputeEvent,
    EnforcementReferral,
    RepairEvent,
    RepairRequest,
    RepairTeam,
    Station,
)

YEARS = (2018, 2019, 2020)
# The channels a clerk records (居民自报 comes only through the public form); a fixed tuple so
# the demo city stays the same when a channel is added.
DEMO_CHANNELS = ("window", "phone", "hotline_12345", "grid", "other")

# What residents actually say, per category: a case's description follows its category.
REPAIR_DESCRIPTIONS = {
    "water_pipe": ("厨房水管爆裂，水漫到楼道", "卫生间进水管接头破裂", "楼道总水管漏水", "水表前阀门爆裂"),
    "drain": ("下水道堵塞外溢", "一楼卫生间返水", "化粪池满溢，污水流到路面", "厨房下水管堵塞"),
    "power": ("单元楼道停电", "楼道灯不亮", "电表箱跳闸无法合闸", "整栋楼停电"),
    "roof": ("顶楼渗水，雨天天花板滴水", "屋面防水层破损漏雨", "外墙渗水到室内", "阳台顶板渗漏"),
    "lift": ("电梯困人", "电梯停运", "电梯运行异响", "电梯门关不上"),
    "other": ("单元门禁损坏", "楼道扶手松动", "消防栓箱门脱落", "窨井盖破损"),
}
DISPUTE_DESCRIPTIONS = {
    "property_fee": ("业主反映物业费收费标准不清", "物业费上涨引发业主不满", "空置房物业费收取争议"),
    "maintenance": ("漏水影响楼下住户，维修责任不清", "公共部位维修费用分摊争议", "专项维修资金使用意见不一"),
    "parking": ("停车位分配争议", "外来车辆占用小区车位", "电动车充电桩安装争议"),
    "sanitation": ("垃圾清运不及时", "楼道堆物影响通行", "绿化带被占用种菜"),
    "committee": ("物管会换届意见不一", "物管会公示内容有异议", "业主对物管会决定不认可"),
    "neighbours": ("楼上噪音影响休息", "空调外机位置引起邻里矛盾", "违章搭建影响采光"),
    "other": ("群租房管理问题", "宠物扰民", "小区出入口管理争议"),
}
RECENT_DAYS = 56


def _moment(rng, year: int) -> dt.datetime:
    day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
    return dt.datetime(
        day.year, day.month, day.day, rng.randint(8, 19), rng.choice((0, 10, 20, 30, 40, 50)), tzinfo=SHANGHAI
    )


def _recent(rng, now: dt.datetime) -> dt.datetime:
    moment = now - dt.timedelta(days=rng.uniform(0.2, RECENT_DAYS))
    return moment.replace(second=0, microsecond=0)


def build(rng, ctx) -> None:
    from communities.demo import mobile, person_name

    system = ctx["system"]
    users = ctx.get("users", {})
    streets = ctx["streets"]
    stations, teams = [], []
    for street in streets:
        short = street.short_name
        for kind, label in (
            (StationKind.MEDIATION, "物业管理矛盾调解站"),
            (StationKind.REPAIR, "应急维修服务站"),
            (StationKind.SERVICE_CENTRE, "物业服务中心"),
        ):
            stations.append(
                Station(
                    street=street,
                    district_id=street.district_id,
                    kind=kind,
                    name=f"{short}{label}",
                    address=f"{short}街道办事处{rng.randint(1, 3)}楼",
                    phone=f"025-{rng.randint(52000000, 86999999)}",
                    hours="周一至周五 8:30-17:30，节假日值班",
                    staff_on_duty=f"{person_name(rng)} 站长\n{person_name(rng)} 值班员",
                )
            )
        teams.append(
            RepairTeam(
                street=street,
                district_id=street.district_id,
                name=f"{short}街道应急维修队",
                kind=RepairTeamKind.OWN,
                leader=person_name(rng),
                phone=mobile(rng),
                members=rng.randint(4, 12),
            )
        )
    bulk_create_with_history(stations, Station, default_user=system)
    bulk_create_with_history(teams, RepairTeam, default_user=system)
    team_of = {t.street_id: t for t in RepairTeam.objects.all()}

    clerk_of = {u.street_id: u for u in users.values() if u.street_id and not u.community_id}
    limits = LimitTable.load()
    now = timezone.now().replace(second=0, microsecond=0)
    disputes, repairs = [], []
    for estate in ctx["estates"]:
        # Each estate has a "temper": how often its residents call and how well the street copes.
        busy = rng.random()
        care = rng.random()
        author = clerk_of.get(estate.street_id, system)
        moments = [(_moment(rng, year), False) for year in YEARS for _ in range(int(busy * 2.2))]
        moments += [(_recent(rng, now), True) for _ in range(1 if rng.random() < 0.3 + busy * 0.3 else 0)]
        for when, recent in moments:
            disputes.append(_dispute(rng, estate, when, recent, care, limits, now, author))
        repair_moments = [(_moment(rng, year), False) for year in YEARS for _ in range(int(busy * 3.5))]
        repair_moments += [(_recent(rng, now), True) for _ in range(1 if rng.random() < 0.35 + busy * 0.35 else 0)]
        for when, recent in repair_moments:
            repairs.append(_repair(rng, estate, when, recent, care, limits, now, author, team_of[estate.street_id]))
    for case in disputes:
        case.party_name, case.party_phone = person_name(rng), mobile(rng)
    for case in repairs:
        case.reporter_name, case.reporter_phone = person_name(rng), mobile(rng)

    bulk_create_with_history(disputes, DisputeCase, batch_size=1000, default_user=system)
    bulk_create_with_history(repairs, RepairRequest, batch_size=1000, default_user=system)
    _events_and_referrals(rng, system, now)


def _dispute(rng, estate, when, recent, care, limits, now, author) -> DisputeCase:
    category = rng.choice(DisputeCategory.values)
    hours = limits.hours_for("dispute", category, "", when) or 360
    expected = when + dt.timedelta(hours=hours)
    case = DisputeCase(
        estate=estate,
        district_id=estate.district_id,
        street_id=estate.street_id,
        community_id=estate.community_id,
        service_code=category,
        channel=rng.choice(DEMO_CHANNELS),
        requested_datetime=when,
        limit_hours=hours,
        expected_datetime=expected,
        created_by=author,
        respondent=rng.choice(["物业服务企业", "相邻住户", "物管会", ""]),
        description=rng.choice(DISPUTE_DESCRIPTIONS[category]),
    )
    # Open (still in time, or forgotten past its limit) only among recent cases.
    if recent and rng.random() < 0.3:
        if expected < now and rng.random() < 0.5 + (1 - care) * 0.4:
            case.status = DisputeStatus.MEDIATING
        elif expected >= now:
            case.status = rng.choice([DisputeStatus.RECEIVED, DisputeStatus.MEDIATING])
        if case.status in (DisputeStatus.RECEIVED, DisputeStatus.MEDIATING):
            case.status_notes = "调解员已约谈双方"
            return case
    late = rng.random() > 0.75 + care * 0.22
    spent = hours * (rng.uniform(1.05, 1.8) if late else rng.uniform(0.1, 0.95))
    closed = when + dt.timedelta(hours=spent)
    if closed > now:
        closed = max(when, now - dt.timedelta(minutes=5))
    case.closed_datetime = closed.replace(second=0, microsecond=0)
    roll = rng.random()
    case.status = (
        DisputeStatus.RESOLVED
        if roll < 0.8 + care * 0.1
        else DisputeStatus.REFERRED
        if roll < 0.95
        else DisputeStatus.TERMINATED
    )
    if case.closed_datetime < case.requested_datetime:
        case.closed_datetime = case.requested_datetime
    if rng.random() < 0.6:
        case.satisfaction = rng.choice([Satisfaction.SATISFIED] * 3 + [Satisfaction.FAIRLY, Satisfaction.DISSATISFIED])
    return case


def _repair(rng, estate, when, recent, care, limits, now, author, team) -> RepairRequest:
    category = rng.choice(RepairCategory.values)
    urgency = Urgency.URGENT if category in ("water_pipe", "power", "lift") or rng.random() < 0.2 else Urgency.NORMAL
    hours = limits.hours_for("repair", category, urgency, when) or (24 if urgency == Urgency.URGENT else 72)
    expected = when + dt.timedelta(hours=hours)
    case = RepairRequest(
        estate=estate,
        district_id=estate.district_id,
        street_id=estate.street_id,
        community_id=estate.community_id,
        service_code=category,
        urgency=urgency,
        building=str(rng.randint(1, max(1, estate.buildings))),
        unit=f"{rng.randint(1, 4)}单元{rng.randint(1, 6)}0{rng.randint(1, 4)}室",
        channel=rng.choice(DEMO_CHANNELS),
        requested_datetime=when,
        limit_hours=hours,
        expected_datetime=expected,
        created_by=author,
        description=rng.choice(REPAIR_DESCRIPTIONS[category]),
        lat=estate.latitude,
        long=estate.longitude,
    )
    if recent and rng.random() < 0.25:
        # Still open: waiting, dispatched or on site; past its limit when the street is slow.
        case.status = rng.choice([RepairStatus.OPEN, RepairStatus.DISPATCHED, RepairStatus.ARRIVED])
        if case.status != RepairStatus.OPEN:
            case.team = team
            case.dispatched_datetime = min(now, when + dt.timedelta(minutes=rng.randint(10, 120)))
        if case.status == RepairStatus.ARRIVED:
            case.arrived_datetime = min(now, case.dispatched_datetime + dt.timedelta(minutes=rng.randint(15, 90)))
        return case
    late = rng.random() > 0.78 + care * 0.2
    spent = hours * (rng.uniform(1.05, 2.5) if late else rng.uniform(0.05, 0.95))
    done = when + dt.timedelta(hours=spent)
    if done > now:
        done = max(when, now - dt.timedelta(minutes=5))
    case.team = team
    case.dispatched_datetime = when + dt.timedelta(minutes=rng.randint(5, 60))
    case.completed_datetime = max(done, case.dispatched_datetime).replace(second=0, microsecond=0)
    case.dispatched_datetime = min(case.dispatched_datetime, case.completed_datetime)
    case.status = RepairStatus.COMPLETED
    case.cost_fen = rng.choice([0, 0, 5000, 12000, 18050, 32000, 86000])
    case.status_notes = "已修复"
    if rng.random() < 0.6:
        case.satisfaction = rng.choice([Satisfaction.SATISFIED] * 4 + [Satisfaction.FAIRLY, Satisfaction.DISSATISFIED])
    return case


def _events_and_referrals(rng, system, now) -> None:
    """A received event for every case, the closing step for closed ones, and a referral for
    every dispute sent to joint enforcement (to the department in force on that day)."""
    departments = list(Department.objects.order_by("sort_order", "id"))
    d_events, referrals = [], []
    for case in DisputeCase.objects.order_by("id").iterator(chunk_size=2000):
        d_events.append(
            DisputeEvent(
                dispute=case,
                action=DisputeEvent.Action.RECEIVED,
                to_status=DisputeStatus.RECEIVED,
                at=case.requested_datetime,
                actor_id=case.created_by_id,
            )
        )
        if case.closed_datetime:
            action = {"resolved": "resolve", "referred": "refer", "terminated": "terminate"}[case.status]
            d_events.append(
                DisputeEvent(
                    dispute=case,
                    action=action,
                    from_status=DisputeStatus.MEDIATING,
                    to_status=case.status,
                    at=case.closed_datetime,
                    actor_id=case.created_by_id,
                )
            )
        if case.status == DisputeStatus.REFERRED:
            day = case.closed_datetime.astimezone(SHANGHAI).date()
            valid = [d for d in departments if d.valid_from <= day and (d.valid_to is None or day <= d.valid_to)]
            if not valid:
                continue
            department = rng.choice(valid)
            due = day + dt.timedelta(days=rng.choice((15, 20, 30)))
            referral = EnforcementReferral(
                estate_id=case.estate_id,
                district_id=case.district_id,
                street_id=case.street_id,
                community_id=case.community_id,
                dispute=case,
                department=department,
                problem=f"{case.description}，需{department.name}依法处理",
                referred_on=day,
                due_on=due,
                created_by_id=case.created_by_id,
            )
            today = timezone.localdate(now)
            if due < today and rng.random() < 0.85:
                referral.status = ReferralStatus.ANSWERED if rng.random() < 0.9 else ReferralStatus.RETURNED
                referral.accepted_on = day + dt.timedelta(days=rng.randint(0, 3))
                referral.answered_on = min(today, day + dt.timedelta(days=rng.randint(3, 40)))
                referral.feedback = (
                    "已现场处理并责令整改" if referral.status == ReferralStatus.ANSWERED else "不属于本部门职责"
                )
            elif rng.random() < 0.5:
                referral.status, referral.accepted_on = ReferralStatus.ACCEPTED, min(today, day + dt.timedelta(days=2))
            referrals.append(referral)
    DisputeEvent.objects.bulk_create(d_events, batch_size=2000)
    bulk_create_with_history(referrals, EnforcementReferral, batch_size=1000, default_user=system)

    r_events = []
    for case in RepairRequest.objects.select_related("team").order_by("id").iterator(chunk_size=2000):
        r_events.append(
            RepairEvent(
                repair=case,
                action=RepairEvent.Action.RECEIVED,
                to_status=RepairStatus.OPEN,
                at=case.requested_datetime,
                actor_id=case.created_by_id,
            )
        )
        if case.dispatched_datetime:
            r_events.append(
                RepairEvent(
                    repair=case,
                    action=RepairEvent.Action.DISPATCH,
                    from_status=RepairStatus.OPEN,
                    to_status=RepairStatus.DISPATCHED,
                    at=case.dispatched_datetime,
                    actor_id=case.created_by_id,
                    note=case.team.name if case.team_id else "",
                )
            )
        if case.completed_datetime:
            r_events.append(
                RepairEvent(
                    repair=case,
                    action=RepairEvent.Action.COMPLETE,
                    from_status=RepairStatus.DISPATCHED,
                    to_status=RepairStatus.COMPLETED,
                    at=case.completed_datetime,
                    actor_id=case.created_by_id,
                )
            )
    RepairEvent.objects.bulk_create(r_events, batch_size=2000)
