"""The registry's domain operations and the one place its rules live (小区登记).

Every write to estates, communities, service firms, property committees and owners'
organisations goes through a function here that takes the acting user (`by=`), checks the rule
(accounts.rules plus the user's writable scope), validates with the entity's validation
function, writes in one transaction and records who acted in the change history.

Validation is written once per entity and used by the pages (communities/forms.py), the API
(communities/api/serializers.py) and the estate importer (communities/imports.py):

- `estate_value_errors(values)` checks one estate's values without touching the database;
  `estate_rule_errors(values)` is its cross-field part (category and renovation year, years
  in order), which the importer calls per row after its parsers and bulk lookups;
- `validate_estate(values, by=..., instance=...)` adds the checks that need the database (code
  taken, community in the user's writable scope, firm exists) and returns the cleaned values or
  raises ValidationError({field: [messages]}).

Messages are the constants of `Msg`, so a form, the API and an import say the same thing.

The operations live in modules named for what they do (common: messages, parsers, scope;
estates; registry: communities and firms; committees: committees and owners' organisations;
streets: the estate count and reassignment); this package re-exports them, so
`from communities.services import …` and `services.<name>` keep working. The page counts stay
here: tests and views read and patch `services.LIST_SUMS_LIMIT` on this module.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from accounts.rules import can  # noqa: F401 - read as services.can by the estate pages

from ..choices import EstateCategory, ManagementMode
from ..models import Community, District, Estate, Street
from .committees import (  # noqa: F401 - the package's public names
    COMMITTEE_FIELDS,
    MEMBER_FIELDS,
    MEMBER_LABELS,
    ORG_FIELDS,
    add_months,
    committee_size_errors,
    create_committee,
    create_owners_org,
    update_committee,
    update_owners_org,
    validate_committee,
    validate_member,
    validate_owners_org,
)
from .common import (  # noqa: F401 - the package's public names
    AREA_MAX,
    AREA_PLACES,
    FIRST_YEAR,
    EditConflict,
    Msg,
    can_see_history,
    can_write,
    phone_error,
    this_year,
    writable_estates,
)
from .estates import (  # noqa: F401 - the package's public names
    CROSS_FIELD_RULES,
    ESTATE_FIELDS,
    create_estate,
    estate_rule_errors,
    estate_value_errors,
    mode_firm_error,
    update_estate,
    validate_estate,
)
from .registry import (  # noqa: F401 - the package's public names
    FIRM_FIELDS,
    create_community,
    create_firm,
    update_community,
    update_firm,
    validate_community,
    validate_firm,
)
from .streets import (  # noqa: F401 - the package's public names
    Reassignment,
    _district_street_columns,
    moves_with_street,
    reassign_street,
    set_residential_estate_count,
)

# --- counts for pages --------------------------------------------------------------------------
# Past this many estates a list shows its count without the area and household sums: the count
# is an index-only scan, summing decimals over a whole city is not (docs/registry.md).
LIST_SUMS_LIMIT = 20_000


def estate_totals(queryset, sums_up_to: int | None = None) -> dict:
    """Count, area and households of a (scoped, filtered) estate queryset, over the estate
    table alone (no join). With `sums_up_to`, the sums are taken only for sets up to that size
    (area and households are None above it)."""
    queryset = queryset.order_by()
    if sums_up_to is None:
        totals = queryset.aggregate(count=Count("id"), area=Sum("building_area"), households=Sum("households"))
    else:
        totals = {"count": queryset.count(), "area": None, "households": None}
        if totals["count"] <= sums_up_to:
            totals.update(queryset.aggregate(area=Sum("building_area"), households=Sum("households")))
        else:
            totals["sums_skipped"] = True
            return totals
    totals["area"] = totals["area"] or Decimal("0")
    totals["households"] = totals["households"] or 0
    return totals


SUMMARY_CACHE_SECONDS = 60


def registry_summary(user) -> dict:
    """The home page's figures for the user's scope: estates by category and management mode,
    and by the unit one level below the user's (districts for the city, streets for a district,
    communities for a street).

    Two grouped index-only scans; area and households are summed only for scopes up to
    LIST_SUMS_LIMIT estates. A scope larger than that (a city of 220,000 estates, where each
    scan costs ~100 ms) is served from a cache for SUMMARY_CACHE_SECONDS and says when it was
    counted; smaller scopes are always counted live."""
    from django.core.cache import cache

    level = getattr(user, "scope_level", None)
    unit = {"city": "all", "district": user.district_id, "street": user.street_id, "community": user.community_id}.get(
        level, f"user{user.pk}"
    )
    key = f"registry-summary:{level}:{unit}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    summary = _registry_summary(user)
    if summary["totals"]["count"] > LIST_SUMS_LIMIT:
        summary["as_of"] = timezone.now()
        cache.set(key, summary, SUMMARY_CACHE_SECONDS)
    return summary


def _registry_summary(user) -> dict:
    from django.urls import reverse

    estates = Estate.objects.visible_to(user).order_by()
    pairs = list(estates.values_list("category", "management_mode").annotate(n=Count("id")))
    by_category: dict[str, int] = {}
    by_mode: dict[str, int] = {}
    for category, mode, n in pairs:
        by_category[category] = by_category.get(category, 0) + n
        by_mode[mode] = by_mode.get(mode, 0) + n
    count = sum(by_category.values())
    totals = {"count": count, "area": None, "households": None, "sums_skipped": count > LIST_SUMS_LIMIT}
    if count and not totals["sums_skipped"]:
        sums = estates.aggregate(area=Sum("building_area"), households=Sum("households"))
        totals.update(area=sums["area"] or Decimal("0"), households=sums["households"] or 0)

    list_url = reverse("communities:estate_list")
    level = getattr(user, "scope_level", None)
    units, unit_label = [], ""
    if level == "city":
        unit_label = "区"
        counts = dict(estates.values_list("district_id").annotate(n=Count("id")))
        units = [
            {"pk": d.pk, "name": d.name, "count": counts.get(d.pk, 0), "url": f"{list_url}?district={d.code}"}
            for d in District.objects.visible_to(user)
        ]
    elif level == "district":
        unit_label = "街道"
        counts = dict(estates.values_list("street_id").annotate(n=Count("id")))
        units = [
            {
                "name": s.name,
                "count": counts.get(s.pk, 0),
                "url": f"{list_url}?district={user.district.code}&street={s.code}",
            }
            for s in Street.objects.visible_to(user).select_related("district")
        ]
    elif level == "street":
        unit_label = "社区"
        counts = dict(estates.values_list("community_id").annotate(n=Count("id")))
        units = [
            {
                "name": c.name,
                "count": counts.get(c.pk, 0),
                "url": f"{list_url}?district={user.district.code}&street={user.street.code}&community={c.pk}",
            }
            for c in Community.objects.visible_to(user).order_by("name")
        ]
    return {
        "totals": totals,
        "by_category": [
            {"value": c.value, "label": c.label, "count": by_category.get(c.value, 0)} for c in EstateCategory
        ],
        "by_mode": [{"value": m.value, "label": m.label, "count": by_mode.get(m.value, 0)} for m in ManagementMode],
        "by_unit": units,
        "unit_label": unit_label,
    }


def counts_by(queryset, field: str) -> dict:
    return dict(queryset.order_by().values_list(field).annotate(n=Count("id")))


def counts_by_street(user, district: District | None = None) -> dict[int, dict]:
    """Street id → {count, area, by category} of the estates the user sees (optionally under a
    district): one grouped query on the estate table."""
    estates = Estate.objects.visible_to(user)
    if district is not None:
        estates = estates.filter(district=district)
    result: dict[int, dict] = {}
    rows = estates.order_by().values("street_id", "category").annotate(n=Count("id"), area=Sum("building_area"))
    for row in rows:
        entry = result.setdefault(row["street_id"], {"count": 0, "area": Decimal("0"), "by_category": {}})
        entry["count"] += row["n"]
        entry["area"] += row["area"] or 0
        entry["by_category"][row["category"]] = row["n"]
    return result
