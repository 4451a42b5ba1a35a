"""What the assessment pages share: page size, sortable columns, paging, the city check, the year asked for."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max
from django.utils import timezone

from core.ordering import Ordering

from ..models import CycleRun

PAGE_SIZE = 50


# Sortable columns of the lists (core.ordering).
INSPECTION_ORDER = Ordering(
    {
        "date": "date",
        "estate": "estate__code",
        "street": "street__code",
        "source": "source",
        "total": "total_tenths",
        "status": "status",
    },
    default=("-date", "-id"),
)
RESULT_ORDER = Ordering(
    {
        "district": "district__code",
        "street": "street__code",
        "community": "community__name",
        "code": "estate__code",
        "management": "management",
        "effectiveness": "effectiveness",
        "fee": "fee",
        "size": "size",
        "total": "total",
        "grade": "grade",
    },
    default=("district__code", "street__code", "community__name", "estate__code"),
)
APPEAL_ORDER = Ordering(
    {"year": "year", "estate": "estate__code", "created": "created_at", "status": "status"},
    default=("-created_at", "-id"),
)


def _page(request, qs):
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()


def _is_city(user) -> bool:
    return user.scope_level == "city"


def _require_city(user):
    if not _is_city(user):
        raise PermissionDenied("只有市级用户可以查看此页面。")


def _latest_year() -> int:
    return CycleRun.objects.filter(is_current=True).aggregate(y=Max("year"))["y"] or timezone.localdate().year - 1


def _year_param(request) -> int:
    try:
        return int(request.GET.get("year") or _latest_year())
    except ValueError:
        return _latest_year()
