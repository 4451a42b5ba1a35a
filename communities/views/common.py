"""Small helpers shared by the registry's pages."""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import InvalidPage, Paginator

PAGE_SIZES = (20, 50, 100)
DEFAULT_PAGE_SIZE = 50


class CountedPaginator(Paginator):
    """A paginator told its count (taken with the list's totals in one query), so a page costs
    no second COUNT."""

    def __init__(self, object_list, per_page, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self):
        return self._known_count


def page_size(request) -> int:
    try:
        size = int(request.GET.get("per_page", DEFAULT_PAGE_SIZE))
    except (TypeError, ValueError):
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def paginate(request, queryset, count: int | None = None, per_page: int | None = None):
    """The requested page (an out-of-range page number shows the last page)."""
    per_page = per_page or page_size(request)
    if count is None:
        paginator = Paginator(queryset, per_page)
    else:
        paginator = CountedPaginator(queryset, per_page, count)
    number = request.GET.get("page") or 1
    try:
        return paginator.page(number)
    except InvalidPage:
        try:
            number = int(number)
        except (TypeError, ValueError):
            return paginator.page(1)
        return paginator.page(paginator.num_pages if number > 1 else 1)


def query_string(request, *drop: str) -> str:
    params = request.GET.copy()
    for key in ("page", *drop):
        params.pop(key, None)
    return params.urlencode()


def posted(request):
    """The POST data of a submitted form (even an empty one), None on GET: `request.POST or
    None` would treat an empty submission as no submission."""
    return request.POST if request.method == "POST" else None
