"""第三方评估 (clause 十 of the notice): engagements, the sample, the evaluator's scope and the
deviation report (偏差分析). docs/assessments.md, "Third-party evaluation", states the rules.

- An engagement is recorded by city_admin (for any districts) or a district's staff (for its
  own district). Its estates are drawn here: per street, ceil(share × the street's engaged
  estates), spread over the categories by largest remainder and drawn in each category with a
  generator seeded from the engagement's seed, the street code and the category — the same seed
  over the same registry draws the same estates.
- The evaluator users' scope is EvaluatorAssignment (accounts; core.scoping reads it for the
  evaluator level): `sync_assignments` makes it exactly the union of the samples of their
  active engagements, so scoping itself stays in one place.
- The deviation report compares, per street, the mean of the street's own approved
  inspections of each estate with the third party's, and tests whether the street's mean
  excess is significant with a one-sided paired t-test (`paired_t_test`).
"""

from __future__ import annotations

import math
import random
import secrets
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from accounts.choices import Role
from accounts.models import EvaluatorAssignment, User
from accounts.rules import can
from communities.choices import EstateCategory
from communities.models import District, Estate, Street
from core.money import yuan_to_fen
from core.validation import date_error

from .choices import DeviationConclusion, EngagementStatus, InspectionSource, InspectionStatus
from .errors import Refused
from .models import Inspection, Scheme
from .scoring import round_score
from .third_party_models import DeviationReview, Engagement, EngagementEstate

DEFAULT_THRESHOLD = Decimal("10")
DEFAULT_ALPHA = Decimal("0.05")
SEED_LIMIT = 2**53  # a seed a person can copy from the page and type back


# --- reading rights ---------------------------------------------------------------------------
def can_read(user) -> bool:
    """Engagements and the deviation report are the commissioners' pages: city and district roles."""
    return getattr(user, "is_authenticated", False) and user.scope_level in ("city", "district")


# --- sampling ----------------------------------------------------------------------------------
def _quotas(k: int, counts: dict[str, int]) -> dict[str, int]:
    """k draws spread over the categories in proportion to their counts (largest remainder;
    ties go to the category listed first in EstateCategory)."""
    total = sum(counts.values())
    order = [c for c in EstateCategory.values if counts.get(c)]
    exact = {c: Fraction(k * counts[c], total) for c in order}
    quotas = {c: math.floor(exact[c]) for c in order}
    left = k - sum(quotas.values())
    for c in sorted(order, key=lambda c: (-(exact[c] - quotas[c]), order.index(c)))[:left]:
        quotas[c] += 1
    return quotas


def draw_sample(seed: int, percent: Decimal, estates) -> list[int]:
    """The ids of the estates drawn from `estates` (rows of id, code, category, street code):
    per street ceil(percent % of its estates), at least one; stratified by category."""
    by_street: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for estate_id, code, category, street_code in estates:
        by_street[street_code][category].append((code, estate_id))
    share = Fraction(Decimal(percent)) / 100
    picked: list[int] = []
    for street_code in sorted(by_street):
        strata = by_street[street_code]
        n = sum(len(v) for v in strata.values())
        k = min(n, max(1, math.ceil(share * n)))
        for category, m in _quotas(k, {c: len(v) for c, v in strata.items()}).items():
            members = sorted(strata[category])
            rng = random.Random(f"{seed}:{street_code}:{category}")
            picked.extend(estate_id for _, estate_id in rng.sample(members, m))
    return sorted(picked)


def engaged_estates(district_ids):
    return (
        Estate.objects.filter(district_id__in=district_ids)
        .order_by("id")
        .values_list("id", "code", "category", "street__code")
    )


# --- engagements -------------------------------------------------------------------------------
@dataclass
class EngagementInput:
    year: object = None
    organisation: str = ""
    contract_no: str = ""
    district_ids: list = field(default_factory=list)
    evaluator_ids: list = field(default_factory=list)
    start_date: object = None
    end_date: object = None
    contract_amount: object = None  # yuan, text or Decimal
    sample_percent: object = None  # empty: the estates are named in estate_codes
    seed: object = None  # empty: a fresh one
    estate_codes: list = field(default_factory=list)


def check_engagement(by, data: EngagementInput) -> tuple[dict, dict]:
    """→ (cleaned values, errors {field: message}); one validation for the page and the tests."""
    errors: dict[str, str] = {}
    clean: dict = {}
    try:
        year = int(data.year)
        if year < 2000 or year > timezone.localdate().year + 1:
            raise ValueError
        clean["year"] = year
    except (TypeError, ValueError):
        errors["year"] = "评估年度须为2000年至明年之间的四位年份。"
    organisation = (data.organisation or "").strip()
    if not organisation:
        errors["organisation"] = "请填写评估机构名称。"
    clean["organisation"] = organisation
    clean["contract_no"] = (data.contract_no or "").strip()

    allowed = District.objects.all() if by.scope_level == "city" else District.objects.filter(pk=by.district_id)
    districts = list(allowed.filter(pk__in=[d for d in data.district_ids if str(d).isdigit()]))
    if not districts or len(districts) != len(set(map(str, data.district_ids))):
        errors["districts"] = "请选择评估范围内的区（区房产局只能委托本区）。"
    clean["districts"] = districts

    evaluators = list(
        User.objects.filter(
            role=Role.EVALUATOR, is_active=True, pk__in=[u for u in data.evaluator_ids if str(u).isdigit()]
        )
    )
    if not evaluators or len(evaluators) != len(set(map(str, data.evaluator_ids))):
        errors["evaluators"] = "请选择评估机构的账户（角色为第三方评估机构的用户）。"
    clean["evaluators"] = evaluators

    for key, label in (("start_date", "评估期起"), ("end_date", "评估期止")):
        value = getattr(data, key)
        if value is None:
            errors[key] = f"请填写{label}。"
        elif message := date_error(value, fact=False):
            errors[key] = message
        clean[key] = value
    if "start_date" not in errors and "end_date" not in errors:
        if clean["end_date"] < clean["start_date"]:
            errors["end_date"] = "评估期止不能早于评估期起。"
        elif "year" in clean and not (clean["start_date"].year <= clean["year"] <= clean["end_date"].year):
            errors["start_date"] = "评估期须包含评估年度中的日期。"

    try:
        amount = Decimal(str(data.contract_amount).strip().replace(",", ""))
        if (
            not amount.is_finite()
            or amount < 0
            or amount != amount.quantize(Decimal("0.01"))
            or amount > Decimal("1e10")
        ):
            raise InvalidOperation
        clean["contract_amount_fen"] = yuan_to_fen(amount)
    except (InvalidOperation, ValueError):
        errors["contract_amount"] = "合同金额须为不小于0的金额（元，最多两位小数）。"

    percent = data.sample_percent
    if percent in (None, ""):
        clean["sample_percent"] = clean["seed"] = None
        codes = [c.strip() for c in data.estate_codes if c and c.strip()]
        estates = list(Estate.objects.filter(code__in=codes, district__in=districts).only("id", "code", "category"))
        missing = sorted(set(codes) - {e.code for e in estates})
        if not codes:
            errors["estate_codes"] = "请填写抽样比例，或逐个列出评估的小区编码。"
        elif missing:
            errors["estate_codes"] = f"以下小区编码不存在或不在评估范围内：{'、'.join(missing[:10])}"
        clean["estates"] = estates
    else:
        try:
            value = Decimal(str(percent).strip())
            if not value.is_finite() or value <= 0 or value > 100 or value != value.quantize(Decimal("0.01")):
                raise InvalidOperation
            clean["sample_percent"] = value
        except InvalidOperation:
            errors["sample_percent"] = "抽样比例须为大于0、不超过100的百分数（最多两位小数）。"
        seed = data.seed
        if seed in (None, ""):
            clean["seed"] = secrets.randbelow(SEED_LIMIT)
        else:
            try:
                clean["seed"] = int(str(seed).strip())
                if not 0 <= clean["seed"] < SEED_LIMIT:
                    raise ValueError
            except ValueError:
                errors["seed"] = "抽样种子须为非负整数（不超过16位）。"
    return clean, errors


@transaction.atomic
def create_engagement(*, by, data: EngagementInput) -> Engagement:
    """Record an engagement and draw its estates (or take those named); the evaluators' scope
    follows at once."""
    if not can(by, "engagement"):
        raise Refused("只有市房产局或区房产局可以登记第三方评估委托。")
    clean, errors = check_engagement(by, data)
    if errors:
        raise Refused("委托信息有误，请按提示修改。", errors)
    engagement = Engagement.objects.create(
        year=clean["year"],
        organisation=clean["organisation"],
        contract_no=clean["contract_no"],
        commissioned_by_district_id=None if by.scope_level == "city" else by.district_id,
        start_date=clean["start_date"],
        end_date=clean["end_date"],
        contract_amount_fen=clean["contract_amount_fen"],
        sample_percent=clean["sample_percent"],
        seed=clean["seed"],
        created_by=by,
    )
    engagement.districts.set(clean["districts"])
    engagement.evaluators.set(clean["evaluators"])
    if engagement.is_sampled:
        ids = draw_sample(
            engagement.seed, engagement.sample_percent, engaged_estates([d.pk for d in clean["districts"]])
        )
    else:
        ids = [e.pk for e in clean["estates"]]
    if not ids:
        raise Refused("评估范围内没有小区，无法抽样。", {"districts": "所选区没有登记小区。"})
    rows = []
    for estate in Estate.objects.filter(pk__in=ids).only("id", "district_id", "street_id", "community_id", "category"):
        rows.append(
            EngagementEstate(
                engagement=engagement,
                estate_id=estate.pk,
                district_id=estate.district_id,
                street_id=estate.street_id,
                community_id=estate.community_id,
                category=estate.category,
            )
        )
    EngagementEstate.objects.bulk_create(rows, batch_size=2000)
    sync_assignments([u.pk for u in clean["evaluators"]], by=by)
    return engagement


def engagement_writable(by, engagement: Engagement) -> bool:
    """The commissioner changes its own engagement: the city its own, a district its own."""
    if not can(by, "engagement"):
        return False
    if by.scope_level == "city":
        return engagement.commissioned_by_district_id is None
    return engagement.commissioned_by_district_id == by.district_id


@transaction.atomic
def cancel_engagement(engagement: Engagement, *, by, reason: str) -> Engagement:
    """撤销: the evaluators lose the estates no other active engagement of theirs covers; their
    inspections already entered stay (the district reviewed them or will)."""
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if not engagement_writable(by, engagement):
        raise Refused("只有委托单位可以撤销该委托。")
    if engagement.status != EngagementStatus.ACTIVE:
        raise Refused("该委托已撤销。")
    reason = (reason or "").strip()
    if not reason:
        raise Refused("请填写撤销原因。", {"reason": "请填写撤销原因。"})
    engagement.status, engagement.cancelled_by, engagement.cancelled_at = EngagementStatus.CANCELLED, by, timezone.now()
    engagement.cancel_reason = reason[:200]
    engagement.save()
    sync_assignments(list(engagement.evaluators.values_list("pk", flat=True)), by=by)
    return engagement


def sync_assignments(evaluator_ids, *, by) -> None:
    """Make each evaluator's EvaluatorAssignment rows exactly the estates of its active
    engagements (the scope core.scoping gives the evaluator level)."""
    for evaluator_id in evaluator_ids:
        wanted = set(
            EngagementEstate.objects.filter(
                engagement__evaluators=evaluator_id,
                engagement__status=EngagementStatus.ACTIVE,
            ).values_list("estate_id", flat=True)
        )
        have = set(EvaluatorAssignment.objects.filter(evaluator_id=evaluator_id).values_list("estate_id", flat=True))
        EvaluatorAssignment.objects.filter(evaluator_id=evaluator_id, estate_id__in=have - wanted).delete()
        new = Estate.objects.filter(pk__in=wanted - have).only("id", "district_id", "street_id", "community_id")
        EvaluatorAssignment.objects.bulk_create(
            [
                EvaluatorAssignment(
                    evaluator_id=evaluator_id,
                    estate_id=e.pk,
                    district_id=e.district_id,
                    street_id=e.street_id,
                    community_id=e.community_id,
                    assigned_by=by,
                )
                for e in new
            ],
            batch_size=2000,
        )


def evaluator_refusal(user, estate_id: int, date) -> str | None:
    """An evaluator enters an inspection only of an estate of an active engagement of its own,
    dated within that engagement's period and year."""
    covered = EngagementEstate.objects.filter(
        estate_id=estate_id,
        engagement__evaluators=user.pk,
        engagement__status=EngagementStatus.ACTIVE,
    ).values_list("engagement__year", "engagement__start_date", "engagement__end_date")
    periods = list(covered)
    if any(year == date.year and start <= date <= end for year, start, end in periods):
        return None
    if not periods:
        return "该小区不在您受委托的第三方评估范围内。"
    spans = "；".join(f"{y}年度 {s:%Y-%m-%d}至{e:%Y-%m-%d}" for y, s, e in sorted(periods))
    return f"检查日期不在委托的评估期内（{spans}）。"


# --- the paired one-sided t-test -----------------------------------------------------------------
def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the regularised incomplete beta function (modified Lentz)."""
    tiny, eps = 1e-300, 3e-16
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + aa / c if abs(1 + aa / c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + aa / c if abs(1 + aa / c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1) < eps:
            break
    return h


def incomplete_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b), the regularised incomplete beta function."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):
        return front * _betacf(a, b, x) / a
    return 1 - front * _betacf(b, a, 1 - x) / b


def t_upper_tail(t: float, df: int) -> float:
    """P(T > t) for Student's t with df degrees of freedom."""
    tail = 0.5 * incomplete_beta(df / 2, 0.5, df / (df + t * t))
    return tail if t > 0 else 1 - tail


def paired_t_test(differences) -> tuple[float | None, float | None]:
    """One-sided paired t-test of H0 "mean difference ≤ 0" against "the street scores higher":
    → (t, p). Fewer than two pairs: (None, None), no test. Identical differences (no spread):
    p is 0 when they are positive, 1 otherwise."""
    values = [float(d) for d in differences]
    n = len(values)
    if n < 2:
        return None, None
    mean = statistics.fmean(values)
    sd = statistics.stdev(values)
    if sd == 0:
        return (math.inf, 0.0) if mean > 0 else (-math.inf if mean < 0 else 0.0, 1.0)
    t = mean / (sd / math.sqrt(n))
    return t, t_upper_tail(t, n - 1)


# --- the deviation report ------------------------------------------------------------------------
@dataclass
class StreetDeviation:
    """偏差分析 of one street."""

    district_id: int
    street_id: int
    district_name: str = ""
    street_name: str = ""
    district_code: str = ""
    street_code: str = ""
    pairs: list = field(default_factory=list)  # (estate_id, street mean Fraction, third-party mean Fraction)
    threshold: Decimal = DEFAULT_THRESHOLD
    alpha: Decimal = DEFAULT_ALPHA
    t: float | None = None
    p: float | None = None
    review: DeviationReview | None = None

    @property
    def compared(self) -> int:
        return len(self.pairs)

    def _mean(self, index: int) -> Decimal:
        return round_score(sum((p[index] for p in self.pairs), Fraction(0)) / len(self.pairs))

    @property
    def street_mean(self) -> Decimal:
        return self._mean(1)

    @property
    def third_party_mean(self) -> Decimal:
        return self._mean(2)

    @property
    def differences(self) -> list[Fraction]:
        return [s - t for _, s, t in self.pairs]

    @property
    def mean_difference(self) -> Decimal:
        return round_score(sum(self.differences, Fraction(0)) / len(self.pairs))

    @property
    def high_estates(self) -> int:
        """偏高小区数: estates whose street score exceeds the third party's by more than the threshold."""
        limit = Fraction(self.threshold)
        return sum(1 for d in self.differences if d > limit)

    @property
    def flagged(self) -> bool:
        """是否偏高: the one-sided paired t-test rejects "no excess" at the scheme's level."""
        return self.p is not None and self.p < float(self.alpha)

    @property
    def p_display(self) -> str:
        if self.p is None:
            return "—"
        return "<0.0001" if self.p < 0.0001 else f"{self.p:.4f}"


def year_policy(year: int) -> tuple[Decimal, Decimal]:
    """(threshold, alpha) of the scheme in force for the year; the defaults when none is."""
    scheme = Scheme.objects.for_year(year)
    if scheme is None:
        return DEFAULT_THRESHOLD, DEFAULT_ALPHA
    return scheme.deviation_threshold, scheme.deviation_alpha


def deviation_report(year: int, *, user=None, district_ids=None) -> list[StreetDeviation]:
    """One StreetDeviation per street with at least one estate that has approved inspections of
    both kinds in the year, within the user's scope, ordered by district and street code.

    An estate's street score is the mean total of its approved 街道日常检查 of the year, its
    third-party score the mean of its approved 第三方评估 (exact Fractions; rounded for display)."""
    threshold, alpha = year_policy(year)
    qs = Inspection.objects.filter(
        year=year,
        status=InspectionStatus.APPROVED,
        source__in=[InspectionSource.STREET, InspectionSource.THIRD_PARTY],
    )
    if user is not None:
        qs = qs.visible_to(user)
    if district_ids is not None:
        qs = qs.filter(district_id__in=district_ids)
    means: dict[int, dict] = defaultdict(dict)
    place: dict[int, tuple[int, int]] = {}
    for estate_id, district_id, street_id, source, n, s in (
        qs.order_by()
        .values("estate_id", "district_id", "street_id", "source")
        .annotate(n=Count("*"), s=Sum("total_tenths"))
        .values_list("estate_id", "district_id", "street_id", "source", "n", "s")
    ):
        means[estate_id][source] = Fraction(s, 10 * n)
        place[estate_id] = (district_id, street_id)
    streets: dict[int, StreetDeviation] = {}
    for estate_id in sorted(means):
        m = means[estate_id]
        if InspectionSource.STREET not in m or InspectionSource.THIRD_PARTY not in m:
            continue
        district_id, street_id = place[estate_id]
        row = streets.get(street_id)
        if row is None:
            row = streets[street_id] = StreetDeviation(district_id, street_id, threshold=threshold, alpha=alpha)
        row.pairs.append((estate_id, m[InspectionSource.STREET], m[InspectionSource.THIRD_PARTY]))
    names = {s.pk: s for s in Street.objects.filter(pk__in=list(streets)).select_related("district")}
    reviews = {
        r.street_id: r
        for r in DeviationReview.objects.filter(year=year, street_id__in=list(streets)).select_related("reviewed_by")
    }
    for row in streets.values():
        street = names[row.street_id]
        row.street_name, row.street_code = street.name, street.code
        row.district_name, row.district_code = street.district.name, street.district.code
        row.t, row.p = paired_t_test(row.differences)
        row.review = reviews.get(row.street_id)
    return sorted(streets.values(), key=lambda r: (r.district_code, r.street_code))


def deviation_reviews_count(user, year: int | None = None) -> int:
    """待复核偏差: the flagged streets in the user's scope that no district review has concluded
    yet — the to-do the district's 工作台 shows. 0 for users who read no deviation report.
    Without a year: the latest year of an engagement in the user's scope."""
    if not can_read(user):
        return 0
    if year is None:
        year = Engagement.objects.visible_to(user).order_by("-year").values_list("year", flat=True).first()
        if year is None:
            return 0
    return sum(1 for row in deviation_report(year, user=user) if row.flagged and row.review is None)


@transaction.atomic
def review_deviation(*, by, year: int, street_id, conclusion: str, note: str) -> DeviationReview:
    """A district's conclusion on a flagged street of its own (one per street and year)."""
    if not can(by, "deviation_review"):
        raise Refused("只有区房产局可以复核街道的检查偏差。")
    errors = {}
    if conclusion not in DeviationConclusion.values:
        errors["conclusion"] = "请选择复核结论。"
    note = (note or "").strip()
    if not note:
        errors["note"] = "请填写复核意见。"
    row = next((r for r in deviation_report(year, user=by) if str(r.street_id) == str(street_id)), None)
    if row is None:
        raise Refused("该街道不在您的偏差分析范围内。")
    if not row.flagged:
        raise Refused("该街道未被判定为偏高，无需复核。")
    if row.review is not None:
        raise Refused("该街道该年度已复核。")
    if errors:
        raise Refused("复核信息有误，请按提示修改。", errors)
    return DeviationReview.objects.create(
        year=year,
        district_id=row.district_id,
        street_id=row.street_id,
        conclusion=conclusion,
        note=note[:2000],
        compared_estates=row.compared,
        mean_difference=row.mean_difference,
        p_value=None if row.p is None else Decimal(f"{row.p:.5f}"),
        reviewed_by=by,
    )
