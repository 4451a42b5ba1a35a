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


def rows_of_page(queryset, bottom: int, top: int, count: int, related=(), only=()) -> list:
    """Rows bottom..top of an ordered queryset, read the way a page of a national list stays
    fast at any depth: first the ids of the page from the table alone (an index walk with no
    join), from whichever end is nearer (the queryset reversed past the middle); then those
    rows with their related rows. A deep OFFSET with the joins would pay them for every row
    it skips."""
    if top <= bottom:
        return []
    if bottom > count // 2 and queryset.ordered:
        ids = list(queryset.reverse().values_list("pk", flat=True)[max(0, count - top) : count - bottom])
        ids.reverse()
    else:
        ids = list(queryset.values_list("pk", flat=True)[bottom:top])
    rows = queryset.model._default_manager.select_related(*related).order_by()
    if only:
        rows = rows.only(*only)
    rows = rows.in_bulk(ids)
    return [rows[pk] for pk in ids if pk in rows]


def page_of(request, queryset, count: int, related=(), only=(), per_page: int | None = None):
    """The requested page of an ordered queryset whose count is known (rows_of_page)."""
    page = paginate(request, queryset, count=count, per_page=per_page)
    page.object_list = rows_of_page(
        queryset, page.start_index() - 1 if count else 0, page.end_index(), count, related, only
    )
    return page


def url_pattern(name: str) -> str:
    """The URL of `name` for any pk, as a pattern with {} for the pk: a list of thousands of
    links reverses the route once instead of once per row."""
    from django.urls import reverse

    return reverse(name, args=[987654321]).replace("987654321", "{}")


def query_string(request, *drop: str) -> str:
    params = request.GET.copy()
    for key in ("page", *drop):
        params.pop(key, None)
    return params.urlencode()


def posted(request):
    """The POST data of a submitted form (even an empty one), None on GET: `request.POST or
    None` would treat an empty submission as no submission."""
    return request.POST if request.method == "POST" else None


# --- the same for the API ------------------------------------------------------------------
def api_pagination_class():
    from rest_framework.exceptions import NotFound

    from core.api.pagination import StandardPagination

    class DeferredJoinPagination(StandardPagination):
        """StandardPagination (same parameters and response) reading a page's rows as
        rows_of_page does: one COUNT without joins, the page's ids, then the rows."""

        related: tuple = ()

        def paginate_queryset(self, queryset, request, view=None):
            self.request = request
            page_size = self.get_page_size(request)
            count = queryset.count()
            paginator = CountedPaginator(queryset, page_size, count)
            number = self.get_page_number(request, paginator)
            try:
                self.page = paginator.page(number)
            except InvalidPage:
                raise NotFound("页码无效。") from None
            if paginator.num_pages > 1 and self.template is not None:
                self.display_page_controls = True
            related = getattr(view, "list_related", ())
            bottom = self.page.start_index() - 1 if count else 0
            self.page.object_list = rows_of_page(
                queryset, bottom, self.page.end_index(), count, related, getattr(view, "list_only", ())
            )
            return list(self.page.object_list)

    return DeferredJoinPagination
