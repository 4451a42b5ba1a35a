"""测算 (what-if): the year's allocations under changed rates, tiers or split, per district,
beside the real ones. Nothing is saved: the scenario changes in-memory copies of the policies
and the computation writes no row (start-up totals are taken afresh from the scenario's tiers)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from core.money import fen_to_yuan, yuan_to_fen

from .allocation import PolicyBook, compute_lines
from .choices import GRADE_ORDER, PolicyKind
from .models import AllocationSheet

GRADES = GRADE_ORDER[:3]


def defaults(year: int) -> dict:
    book = PolicyBook(year)
    out = {"rates": {}, "city_share": "0.25", "tiers": [], "shares": ""}
    for kinds in book.by_district.values():
        m = kinds.get(PolicyKind.MANAGEMENT)
        if m is not None and not out["rates"]:
            out["rates"] = {g: str(r) for g, r in book.rates[m.pk].items()}
            out["city_share"] = str(m.city_share.normalize())
        s = kinds.get(PolicyKind.STARTUP)
        if s is not None and not out["tiers"]:
            out["tiers"] = [(str(a), f"{Decimal(t) / 100:.2f}") for a, t in sorted(book.tiers[s.pk])]
            out["shares"] = ",".join(s.tranche_shares)
    return out


def _dec(raw, label, errors, lo=Decimal("0"), hi=None):
    text = (raw or "").strip().replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors.append(f"{label}须为数字。")
        return None
    if not value.is_finite() or value < lo or (hi is not None and value > hi):
        errors.append(f"{label}超出范围。")
        return None
    return value


def read_scenario(params, year: int):
    """The scenario from the form (GET): None when the form was not submitted."""
    if "run" not in params:
        return None, []
    errors: list[str] = []
    rates = {}
    for g in GRADES:
        v = _dec(params.get(f"rate_{g}"), f"{g}补贴标准", errors, hi=Decimal("1000"))
        if v is not None:
            rates[g] = v.quantize(Decimal("0.01"))
    split = _dec(params.get("city_share"), "市级承担比例", errors, hi=Decimal("1"))
    tiers = []
    for i in range(3):
        area = _dec(params.get(f"tier_area_{i}"), f"第{i + 1}档面积下限", errors)
        total = _dec(params.get(f"tier_total_{i}"), f"第{i + 1}档扶持总额", errors, hi=Decimal("100000000"))
        if area is not None and total is not None:
            tiers.append((area, yuan_to_fen(total)))
    shares = []
    text = (params.get("shares") or "").replace("，", ",").strip()
    if text:
        try:
            shares = [Decimal(x.strip()) for x in text.split(",")]
            if any(s <= 0 for s in shares) or sum(shares) != 1:
                errors.append("分期比例须为正数且合计为1。")
        except InvalidOperation:
            errors.append("分期比例须为数字。")
    return {"rates": rates, "city_share": split, "tiers": tiers, "shares": [str(s) for s in shares]}, errors


def form_values(params, year: int) -> dict:
    """What the form shows: the values as entered once 测算 ran (so the user sees and adjusts
    what was computed), the policies' values before."""
    values = defaults(year)
    if "run" not in params:
        return values
    rates = {g: params.get(f"rate_{g}", values["rates"].get(g, "")).strip() for g in GRADES}
    tiers = [
        (params.get(f"tier_area_{i}", a).strip(), params.get(f"tier_total_{i}", t).strip())
        for i, (a, t) in enumerate(values["tiers"])
    ]
    return {
        "rates": rates,
        "city_share": params.get("city_share", values["city_share"]).strip(),
        "tiers": tiers,
        "shares": params.get("shares", values["shares"]).strip(),
    }


TOTAL_KEYS = (
    "real_management",
    "management",
    "real_startup",
    "startup",
    "real_total",
    "total",
    "change",
    "real_city",
    "city",
)


def totals(rows: list[dict]) -> dict:
    """合计 of the comparison: the city-wide change is the first number a finance bureau asks."""
    return {k: sum(r[k] for r in rows) for k in TOTAL_KEYS}


def chart(rows: list[dict]) -> dict:
    """Bar chart data: real against scenario total per district (yuan as text, exact)."""
    return {
        "districts": [r["district"] for r in rows],
        "series": [
            {"name": "实际合计", "data": [str(fen_to_yuan(r["real_total"])) for r in rows]},
            {"name": "测算合计", "data": [str(fen_to_yuan(r["total"])) for r in rows]},
        ],
    }


def compare(year: int, scenario: dict) -> list[dict]:
    book = PolicyBook(year)
    seen = set()
    for kinds in book.by_district.values():
        for policy in kinds.values():
            if policy.pk in seen:
                continue
            seen.add(policy.pk)
            if scenario["city_share"] is not None:
                policy.city_share = scenario["city_share"]  # in memory only
            if policy.kind == PolicyKind.MANAGEMENT and scenario["rates"]:
                book.rates[policy.pk] = dict(scenario["rates"])
            if policy.kind == PolicyKind.STARTUP:
                if scenario["tiers"]:
                    book.tiers[policy.pk] = sorted(scenario["tiers"], reverse=True)
                if scenario["shares"]:
                    policy.tranche_shares = scenario["shares"]
    lines = compute_lines(year, book, grants={}, new_grants=None)
    real = {s.district_id: s for s in AllocationSheet.objects.filter(year=year, version=1).select_related("district")}
    rows = []
    from communities.models import District

    names = dict(District.objects.filter(pk__in=set(lines) | set(real)).values_list("pk", "name"))
    codes = dict(District.objects.filter(pk__in=set(lines) | set(real)).values_list("pk", "code"))
    for district_id in sorted(set(lines) | set(real), key=lambda d: codes[d]):
        ls = lines.get(district_id, [])
        s = real.get(district_id)
        row = {
            "district": names[district_id],
            "real_management": s.management_fen if s else 0,
            "real_startup": s.startup_fen if s else 0,
            "real_total": s.total_fen if s else 0,
            "real_city": s.city_fen if s else 0,
            "management": sum(x.amount_fen for x in ls if x.kind == PolicyKind.MANAGEMENT),
            "startup": sum(x.amount_fen for x in ls if x.kind == PolicyKind.STARTUP),
            "city": sum(x.city_fen for x in ls),
        }
        row["total"] = row["management"] + row["startup"]
        row["change"] = row["total"] - row["real_total"]
        rows.append(row)
    return rows
