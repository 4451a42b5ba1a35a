"""人员配备达标情况: each unit's counted staff against its norm (clause 五, spec/domain.md).

Counted are the unit's full-time staff in the norm's post (物业管理工作人员 for a district
authority and a street office, 专职物业管理辅导员 for a community), in post on the report's
day. Part-time staff are listed, not counted; the street's 分管副主任 is a separate check. A count
below the norm's minimum is a gap (缺编 n); above a maximum it is 超出 (not a gap). A street's norm
depends on its count of all residential estates (Street.residential_estate_count); while that
count is not recorded, the street's registered old estates stand in for it, and unless they
already reach the top band (the true count can only be higher) the row's status says that the
judgement is provisional (暂定), never a bare 达标 or 缺编. The norms are those in force in the
report day's year (StaffingNorm validity years), so a past year is judged by its own norms.

Everything is computed set-wise: one grouped query over the staff, one over the estates."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from accounts.choices import ROLE_LEVEL
from communities.models import Community, District, Estate, Street
from core.scoping import Level

from .choices import Post, UnitLevel
from .models import StaffingNorm, StaffMember


@dataclass
class UnitRow:
    level: str
    unit: object
    district: District
    street: Street | None = None
    norm: StaffingNorm | None = None
    counted: int = 0
    part_time: int = 0
    deputy: bool | None = None  # None: not required at this level
    estate_count: int | None = None  # streets: the residential estates the norm was chosen by
    estate_count_recorded: bool = True
    # the norm rests on the old-estate stand-in and a higher band could apply: judged provisionally
    provisional: bool = False

    @property
    def level_label(self) -> str:
        return UnitLevel(self.level).label

    @property
    def minimum(self) -> int:
        return self.norm.min_staff if self.norm else 0

    @property
    def maximum(self) -> int | None:
        return self.norm.max_staff if self.norm else None

    @property
    def range_label(self) -> str:
        return self.norm.range_label if self.norm else "未设标准"

    @property
    def gap(self) -> int:
        return max(self.minimum - self.counted, 0)

    @property
    def excess(self) -> int:
        return max(self.counted - self.maximum, 0) if self.maximum is not None else 0

    @property
    def meets_norm(self) -> bool:
        """The count is within the norm (an excess is not a gap)."""
        return self.gap == 0

    @property
    def status(self) -> str:
        if self.gap:
            status = f"缺编{self.gap}人"
        elif self.excess:
            status = f"超出{self.excess}人"
        else:
            status = "达标"
        if self.provisional:
            status += f"（暂定：辖区住宅小区总数未填报，按登记老旧小区{self.estate_count}个判定）"
        return status

    @property
    def deputy_label(self) -> str:
        if self.deputy is None:
            return "—"
        return "已配备" if self.deputy else "未配备"


@dataclass
class Report:
    day: dt.date
    title: str
    rows: list[UnitRow] = field(default_factory=list)

    def by_level(self, level: str) -> list[UnitRow]:
        return [r for r in self.rows if r.level == level]

    @property
    def summary(self) -> list[dict]:
        out = []
        for level in (UnitLevel.DISTRICT, UnitLevel.STREET, UnitLevel.COMMUNITY):
            rows = self.by_level(level)
            if not rows:
                continue
            out.append(
                {
                    "level": level.label,
                    "units": len(rows),
                    "meeting": sum(1 for r in rows if r.meets_norm and not r.excess),
                    "short": sum(1 for r in rows if r.gap),
                    "missing": sum(r.gap for r in rows),
                    "excess": sum(1 for r in rows if r.excess),
                    "counted": sum(r.counted for r in rows),
                    "required": sum(r.minimum for r in rows),
                    "part_time": sum(r.part_time for r in rows),
                    "no_deputy": sum(1 for r in rows if r.deputy is False),
                    "unrecorded": sum(1 for r in rows if not r.estate_count_recorded),
                }
            )
        return out


def norm_for(norms: list[StaffingNorm], level: str, estates: int = 0) -> StaffingNorm | None:
    """The norm of `level` with the largest lower bound not above `estates` (`norms`: those in
    force in the year judged)."""
    best = None
    for norm in norms:
        if (
            norm.level == level
            and norm.estates_from <= estates
            and (best is None or norm.estates_from > best.estates_from)
        ):
            best = norm
    return best


def street_norm(
    norms: list[StaffingNorm], street: Street, registered: int
) -> tuple[StaffingNorm | None, int, bool, bool]:
    """(norm, estate count, recorded, provisional) of a street. Without a recorded count of all
    residential estates the registered old estates stand in; that is conclusive only when they
    already reach the top band, otherwise the judgement is provisional and says so."""
    if street.residential_estate_count is not None:
        estates = street.residential_estate_count
        return norm_for(norms, UnitLevel.STREET, estates), estates, True, False
    higher = any(n.level == UnitLevel.STREET and n.estates_from > registered for n in norms)
    return norm_for(norms, UnitLevel.STREET, registered), registered, False, higher


def units_for(
    user, district: District | None = None, street: Street | None = None, with_communities: bool | None = None
):
    """The districts, streets and communities of the report, within the user's scope and the
    chosen district or street. Returns (districts, streets, communities)."""
    level = ROLE_LEVEL.get(getattr(user, "role", None))
    districts = District.objects.all()
    streets = Street.objects.select_related("district")
    communities = Community.objects.select_related("street", "district")
    if level == Level.DISTRICT:
        districts, streets, communities = (
            districts.filter(pk=user.district_id),
            streets.filter(district_id=user.district_id),
            communities.filter(district_id=user.district_id),
        )
    elif level == Level.STREET:
        districts, streets, communities = (
            districts.none(),
            streets.filter(pk=user.street_id),
            communities.filter(street_id=user.street_id),
        )
    elif level == Level.COMMUNITY:
        districts, streets, communities = districts.none(), streets.none(), communities.filter(pk=user.community_id)
    elif level != Level.CITY:
        districts, streets, communities = districts.none(), streets.none(), communities.none()
    if street is not None:
        districts, streets, communities = (
            districts.none(),
            streets.filter(pk=street.pk),
            communities.filter(street=street),
        )
    elif district is not None:
        districts, streets, communities = (
            districts.filter(pk=district.pk),
            streets.filter(district=district),
            communities.filter(district=district),
        )
    if with_communities is None:
        with_communities = street is not None or level in (Level.STREET, Level.COMMUNITY)
    if not with_communities:
        communities = communities.none()
    return (
        districts.order_by("code"),
        streets.order_by("district__code", "code"),
        communities.order_by("street__code", "name"),
    )


def staff_counts(day: dt.date) -> dict:
    """(level, unit id, post, full_time) → number of staff in post on `day`."""
    qs = StaffMember.objects.active_on(day).order_by()
    counts: dict = defaultdict(int)
    for row in qs.values("level", "district_id", "street_id", "community_id", "post", "full_time").annotate(
        n=Count("id")
    ):
        unit_id = row[f"{row['level']}_id"]
        counts[(row["level"], unit_id, row["post"], row["full_time"])] += row["n"]
    return counts


def compliance_report(
    user,
    district: District | None = None,
    street: Street | None = None,
    *,
    day: dt.date | None = None,
    with_communities: bool | None = None,
) -> Report:
    day = day or timezone.localdate()
    districts, streets, communities = units_for(user, district, street, with_communities)
    norms = list(StaffingNorm.objects.in_force(day.year))
    counts = staff_counts(day)
    registered = dict(
        # COUNT(*): an index-only scan of the (street, code) index at national scale
        Estate.objects.filter(street__in=streets).order_by().values_list("street_id").annotate(n=Count("*"))
    )
    # Named after what the page covers: the chosen unit, else the user's own (全市 for city roles,
    # the district for district staff) — a district user's page is not 全市.
    title = street.name if street else district.name if district else getattr(user, "unit_label", "全市")
    report = Report(day=day, title=f"{title}物业管理人员配备情况")

    part_time: dict = defaultdict(int)
    for (lvl, uid, _post, full), n in counts.items():
        if not full:
            part_time[(lvl, uid)] += n

    def fill(row: UnitRow, unit_id: int):
        post = row.norm.counted_post if row.norm else Post.STAFF
        row.counted = counts.get((row.level, unit_id, post, True), 0)
        row.part_time = part_time[(row.level, unit_id)]
        if row.norm and row.norm.requires_deputy:
            row.deputy = counts.get((row.level, unit_id, Post.DEPUTY_DIRECTOR, True), 0) > 0
        report.rows.append(row)

    for d in districts:
        fill(UnitRow(UnitLevel.DISTRICT, d, d, norm=norm_for(norms, UnitLevel.DISTRICT)), d.pk)
    for s in streets:
        norm, estates, recorded, provisional = street_norm(norms, s, registered.get(s.pk, 0))
        fill(
            UnitRow(
                UnitLevel.STREET,
                s,
                s.district,
                s,
                norm=norm,
                estate_count=estates,
                estate_count_recorded=recorded,
                provisional=provisional,
            ),
            s.pk,
        )
    for c in communities:
        fill(UnitRow(UnitLevel.COMMUNITY, c, c.district, c.street, norm=norm_for(norms, UnitLevel.COMMUNITY)), c.pk)
    return report


def unit_rows(day: dt.date, level: str, units) -> dict[int, UnitRow]:
    """Unit id → UnitRow for every unit of `level` (the unit assessment's 人员配备), no scoping."""
    norms = list(StaffingNorm.objects.in_force(day.year))
    counts = staff_counts(day)
    out = {}
    registered = {}
    if level == UnitLevel.STREET:
        registered = dict(Estate.objects.order_by().values_list("street_id").annotate(n=Count("id")))
    for unit in units:
        if level == UnitLevel.STREET:
            norm, estates, recorded, provisional = street_norm(norms, unit, registered.get(unit.pk, 0))
        else:
            norm, estates, recorded, provisional = norm_for(norms, level), 0, True, False
        post = norm.counted_post if norm else Post.STAFF
        row = UnitRow(
            level,
            unit,
            getattr(unit, "district", unit),
            norm=norm,
            estate_count=estates,
            estate_count_recorded=recorded,
            provisional=provisional,
            counted=counts.get((level, unit.pk, post, True), 0),
        )
        out[unit.pk] = row
    return out
