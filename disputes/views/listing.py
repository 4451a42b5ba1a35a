"""What the lists of cases share: their sortable columns, pages, years, filters and the
resident-first order of the to-do lists."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Case, Value, When
from django.shortcuts import render
from django.utils import timezone

from communities.models import Community, District, Estate, Street
from core.ordering import Ordering

from ..choices import Channel

PER_PAGE = 50
# Sortable columns of the lists (core.ordering): dates, deadlines, codes and statuses.
DISPUTE_ORDER = Ordering(
    {
        "number": "id",
        "requested": "requested_datetime",
        "estate": "estate__code",
        "status": "status",
        "expected": "expected_datetime",
        "closed": "closed_datetime",
    },
    default=("-requested_datetime", "-id"),
)
REPAIR_ORDER = Ordering(
    {
        "number": "id",
        "requested": "requested_datetime",
        "estate": "estate__code",
        "urgency": "urgency",
        "status": "status",
        "expected": "expected_datetime",
    },
    default=("-requested_datetime", "-id"),
)
REFERRAL_ORDER = Ordering(
    {
        "number": "id",
        "department": "department__sort_order",
        "estate": "estate__code",
        "referred": "referred_on",
        "due": "due_on",
        "status": "status",
        "answered": "answered_on",
    },
    default=("-referred_on", "-id"),
)
FILING_ORDER = Ordering(
    {
        "number": "id",
        "kind": "kind",
        "estate": "estate__code",
        "submitted": "submitted_on",
        "status": "status",
        "decided": "decided_on",
    },
    default=("-submitted_on", "-id"),
)


# --- helpers ----------------------------------------------------------------------------------
class KnownCountPaginator(Paginator):
    """A paginator told its count (already computed by a grouped query on the same rows)."""

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self):
        return self._known_count


def paginate(request, queryset, count: int | None = None):
    paginator = Paginator(queryset, PER_PAGE) if count is None else KnownCountPaginator(queryset, PER_PAGE, count)
    return paginator.get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def year_param(request) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def unit_breakdown(user):
    """The level below the user's scope, for the per-unit tables: (field, label, units)."""
    level = user.scope_level
    if level == "district":
        return "street_id", "街道", list(Street.objects.filter(district_id=user.district_id).order_by("code"))
    if level == "street":
        return "community_id", "社区", list(Community.objects.filter(street_id=user.street_id).order_by("name"))
    if level == "community":
        return "estate_id", "小区", list(Estate.objects.filter(community_id=user.community_id).order_by("code"))
    if level == "assigned":
        return "estate_id", "小区", list(Estate.objects.visible_to(user).order_by("code"))
    return "district_id", "区", list(District.objects.order_by("code"))


# Filters a user's level makes pointless (one choice) or too long to list (the city's
# communities, every team of the city); they still apply when given in the address.
HIDDEN_FILTERS = {
    "city": {"community", "team"},
    "district": {"district", "team"},
    "street": {"district", "street"},
    "community": {"district", "street", "community"},
    "assigned": {"district", "street", "community", "team"},
}


def render_list(request, template, filterset, page, extra):
    context = {
        "filter": filterset,
        "page_obj": page,
        "query_string": query_without_page(request),
        "hidden_filters": HIDDEN_FILTERS.get(request.user.scope_level, set()),
    }
    context.update(extra)
    return render(request, template, context)


def resident_first(user, queryset, first_status):
    """Newest first; for the people who handle cases (a street, a community), the new resident
    reports (居民自报, not yet acted on) come first, so no one waits unseen below the fold. The
    city's and districts' lists keep the plain (index-ordered) order."""
    if user.scope_level in ("street", "community"):
        new = Case(When(channel=Channel.RESIDENT, status=first_status, then=Value(0)), default=Value(1))
        return queryset.order_by(new, "-requested_datetime", "-id")
    return queryset.order_by("-requested_datetime", "-id")
