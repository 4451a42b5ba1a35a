"""The demo city's organisation: staff of every district authority, street office and community
(with gaps, excesses, part-timers and missing deputy directors, so the compliance report has
something to show), each street's count of residential estates, committees' vettings and
supervision records, entrustment contracts (most estates consistent, some not, some ending
soon, so the coverage report has entries), joint meetings at every level with follow-up tasks
(some overdue) and district targets.

It draws from its own seeded generator, not the shared one, so adding it changes nothing in the
other apps' parts of the demo city."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db.models import Count
from simple_history.utils import bulk_create_with_history

from communities.choices import EntrustingParty, ManagementMode
from communities.contract_facts import refresh_all
from communities.demo import mobile, person_name
from communities.models import (
    CommitteeMember,
    Community,
    District,
    Estate,
    MemberVetting,
    PropertyCommittee,
    ServiceContract,
    Street,
    SupervisionRecord,
)

from .choices import Post, TargetIndicator, TaskStatus, UnitLevel
from .models import DistrictTarget, JointMeeting, MeetingTask, StaffMember

SEED = 20171229 + 6
DEPARTMENTS = [
    "市房产局",
    "市建委",
    "市规划局",
    "市民政局",
    "市城管局",
    "市公安局",
    "市质监局",
    "市物价局",
    "市人防办",
    "市环保局",
    "市安监局",
    "市水务局",
]
MAIN_DISTRICTS = ["玄武区", "秦淮区", "建邺区", "鼓楼区", "栖霞区", "雨花台区"]


def build(rng, ctx) -> None:
    local = random.Random(SEED)
    system = ctx["system"]
    users = ctx.get("users", {})
    today = dt.date.today()
    _estate_counts(local)
    _staff(local, system, today)
    _contracts(local, system, today)
    _committees(local, system, users, today)
    _meetings(local, system, users, today)
    _targets(system, today)


def _estate_counts(local):
    """辖区住宅小区总数: the old estates plus the street's newer ones; some main-urban streets ≥ 100."""
    old = {row["street_id"]: row["n"] for row in Estate.objects.order_by().values("street_id").annotate(n=Count("id"))}
    streets = list(Street.objects.select_related("district"))
    for street in streets:
        if local.random() < 0.08:
            street.residential_estate_count = None  # not reported yet: shown as such
            continue
        extra = local.randint(60, 140) if street.district.is_main_urban else local.randint(5, 60)
        street.residential_estate_count = old.get(street.pk, 0) + extra
    Street.objects.bulk_update(streets, ["residential_estate_count"])


def _member(level, unit, post, local, today, *, full_time=True):
    ids = {"district_id": None, "street_id": None, "community_id": None}
    if level == UnitLevel.DISTRICT:
        ids["district_id"] = unit.pk
    elif level == UnitLevel.STREET:
        ids.update(district_id=unit.district_id, street_id=unit.pk)
    else:
        ids.update(district_id=unit.district_id, street_id=unit.street_id, community_id=unit.pk)
    # Most came in 2015–2019 (the assessed years of the demo), some later.
    since = (
        dt.date(2015, 1, 1) + dt.timedelta(days=local.randint(0, 1800))
        if local.random() < 0.85
        else today - dt.timedelta(days=local.randint(30, 1500))
    )
    return StaffMember(
        level=level, post=post, full_time=full_time, name=person_name(local), phone=mobile(local), since=since, **ids
    )


def _staff(local, system, today):
    rows = []
    for district in District.objects.order_by("code"):
        for _ in range(local.choice([3, 4, 5, 5, 6, 6, 7, 8])):
            rows.append(_member(UnitLevel.DISTRICT, district, Post.STAFF, local, today))
        if local.random() < 0.5:
            rows.append(_member(UnitLevel.DISTRICT, district, Post.STAFF, local, today, full_time=False))
    for street in Street.objects.order_by("code"):
        if local.random() < 0.85:
            rows.append(_member(UnitLevel.STREET, street, Post.DEPUTY_DIRECTOR, local, today))
        for _ in range(local.choice([1, 2, 3, 3, 4, 4, 5, 5, 6])):
            rows.append(_member(UnitLevel.STREET, street, Post.STAFF, local, today))
        for _ in range(local.choice([0, 0, 1, 2])):
            rows.append(_member(UnitLevel.STREET, street, Post.STAFF, local, today, full_time=False))
    for community in Community.objects.order_by("id"):
        for _ in range(local.choice([0, 1, 1, 1, 2, 2, 3])):
            rows.append(_member(UnitLevel.COMMUNITY, community, Post.ADVISOR, local, today))
    # a few who left: listed with their end date, not counted
    for member in local.sample(rows, k=min(20, len(rows))):
        member.until = today - dt.timedelta(days=local.randint(10, 150))
    bulk_create_with_history(rows, StaffMember, batch_size=1000, default_user=system)


def _contracts(local, system, today):
    """Contracts that agree with the estates' modes, except ~4 % left out (a mismatch) and ~5 %
    ending within 90 days."""
    rows = []
    estates = (
        Estate.objects.filter(
            management_mode__in=[ManagementMode.PUBLIC_WELFARE, ManagementMode.MARKET], service_firm__isnull=False
        )
        .select_related("service_firm")
        .order_by("code")
    )
    for estate in estates:
        if local.random() < 0.04:
            continue
        owners = estate.management_mode == ManagementMode.MARKET
        if owners:
            party = EntrustingParty.OWNERS
        else:
            party = (
                EntrustingParty.STREET
                if estate.service_firm.street_id or local.random() < 0.6
                else EntrustingParty.DISTRICT
            )
        if local.random() < 0.05:
            end = today + dt.timedelta(days=local.randint(5, 85))
            start = end - dt.timedelta(days=729)
        else:
            start = today - dt.timedelta(days=local.randint(30, 600))
            end = start + dt.timedelta(days=local.choice([729, 1094]))
        fee = (
            Decimal(local.choice(["0.30", "0.35", "0.40", "0.45", "0.50"]))
            if not owners
            else Decimal(local.choice(["0.60", "0.80", "0.95", "1.10", "1.20"]))
        )
        rows.append(
            ServiceContract(
                estate=estate,
                district_id=estate.district_id,
                street_id=estate.street_id,
                community_id=estate.community_id,
                firm=estate.service_firm,
                entrusted_by=party,
                number=f"WT{estate.code}",
                start_date=start,
                end_date=end,
                fee_per_m2_month=fee,
                security=True,
                cleaning=True,
                greening=True,
                repair=owners or local.random() < 0.5,
                created_by=system,
            )
        )
    bulk_create_with_history(rows, ServiceContract, batch_size=1000, default_user=system)
    # written past the model's receivers: the estates' contract facts as the nightly task does
    refresh_all()


def _committees(local, system, users, today):
    street_user = users.get("meiyuan_jd") or system
    advisor = users.get("meiyuan_sq") or system
    vettings, records = [], []
    committees = list(PropertyCommittee.objects.select_related("estate__service_firm").order_by("id"))
    members = {}
    for m in CommitteeMember.objects.order_by("id"):
        members.setdefault(m.committee_id, []).append(m)
    for committee in committees:
        if local.random() < 0.6:
            for member in members.get(committee.pk, []):
                for unit, who in (("street", street_user), ("community", advisor)):
                    ok = local.random() < 0.95
                    vettings.append(
                        MemberVetting(
                            member=member,
                            unit=unit,
                            public_spirit=True,
                            ability=ok,
                            availability=True,
                            confirmed_by=who,
                            confirmed_on=committee.formed_on,
                        )
                    )
        for _ in range(local.randint(0, 3)):
            day = committee.formed_on + dt.timedelta(days=local.randint(10, 300))
            if day > today:
                continue
            satisfied = local.random() < 0.75
            records.append(
                SupervisionRecord(
                    committee=committee,
                    estate_id=committee.estate_id,
                    district_id=committee.district_id,
                    street_id=committee.street_id,
                    community_id=committee.community_id,
                    date=day,
                    firm=committee.estate.service_firm,
                    findings=local.choice(
                        ["楼道堆物较多", "绿化修剪不及时", "门岗夜间无人值守", "垃圾清运不及时", "设施巡查记录不全"]
                    ),
                    rectification="已要求企业限期整改。" if not satisfied else "",
                    satisfied=satisfied,
                    recorded_by=street_user,
                )
            )
    bulk_create_with_history(vettings, MemberVetting, batch_size=1000, default_user=system)
    bulk_create_with_history(records, SupervisionRecord, batch_size=1000, default_user=system)


def _meetings(local, system, users, today):
    city_user = users.get("shi_admin") or system
    topics = [
        "老旧小区物业管理全覆盖推进情况",
        "物业费收缴率提升措施",
        "两站一中心建设",
        "公益性物业服务企业组建",
        "物管会组建和换届",
        "联合执法案件办理情况",
    ]
    tasks = []
    city = JointMeeting.objects.create(
        level=UnitLevel.CITY,
        date=today - dt.timedelta(days=75),
        title="全市老旧小区物业管理联席会议",
        chair="分管副市长",
        attendees="\n".join(DEPARTMENTS + [f"{d}政府" for d in MAIN_DISTRICTS]),
        topics="\n".join(topics[:4]),
        resolutions="各区年内实现已整治老旧小区物业管理全覆盖；未整治小区落实基本服务保障。",
        created_by=city_user,
    )
    for i, owner in enumerate(["玄武区政府", "秦淮区政府", "市民政局", "市城管局"]):
        tasks.append(
            MeetingTask(
                meeting=city,
                description=f"落实{topics[i]}",
                owner=owner,
                due_date=today - dt.timedelta(days=20 - i * 15),
                status=TaskStatus.DONE if i == 2 else TaskStatus.OPEN,
                done_on=today - dt.timedelta(days=25) if i == 2 else None,
            )
        )
    for name in MAIN_DISTRICTS:
        district = District.objects.get(name=name)
        meeting = JointMeeting.objects.create(
            level=UnitLevel.DISTRICT,
            district=district,
            date=today - dt.timedelta(days=local.randint(20, 60)),
            title=f"{name}物业管理联席会议",
            chair=f"{name}分管副区长",
            attendees="区房产局\n区城管局\n区民政局\n区公安分局\n各街道办事处",
            topics="\n".join(local.sample(topics, 2)),
            resolutions="各街道按月报送覆盖情况。",
            created_by=system,
        )
        tasks.append(
            MeetingTask(
                meeting=meeting,
                description="排查无物业管理小区并制定方案",
                owner="区房产局",
                due_date=meeting.date + dt.timedelta(days=local.choice([10, 30, 90])),
            )
        )
        for street in Street.objects.filter(district=district).order_by("code")[:2]:
            sm = JointMeeting.objects.create(
                level=UnitLevel.STREET,
                district=district,
                street=street,
                date=today - dt.timedelta(days=local.randint(5, 40)),
                title=f"{street.name}物业管理工作会议",
                chair=f"{street.name}分管副主任",
                attendees="街道物业服务中心\n社区居委会\n物管会代表\n物业服务企业",
                topics="物管会换届与监督",
                created_by=system,
            )
            tasks.append(
                MeetingTask(
                    meeting=sm,
                    description="督促物管会开展季度监督检查",
                    owner=f"{street.name}物业服务中心",
                    due_date=sm.date + dt.timedelta(days=local.choice([3, 20, 60])),
                )
            )
    bulk_create_with_history(tasks, MeetingTask, default_user=system)


def _targets(system, today):
    rows = []
    for name in MAIN_DISTRICTS:
        district = District.objects.get(name=name)
        for indicator, value in (
            (TargetIndicator.COVERAGE, "95"),
            (TargetIndicator.FEE_COLLECTION, "85"),
            (TargetIndicator.STAR_SHARE, "60"),
            (TargetIndicator.STAFFING, "80"),
        ):
            rows.append(DistrictTarget(district=district, year=today.year, indicator=indicator, target=Decimal(value)))
    bulk_create_with_history(rows, DistrictTarget, default_user=system)
