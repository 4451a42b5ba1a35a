"""List page tags: sortable column headers (core.ordering)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(context, field: str, label: str, numeric: bool = False):
    """A column header that sorts the list by `field` (a second click reverses the order); the
    current order is announced to screen readers with aria-sort."""
    request = context["request"]
    params = request.GET.copy()
    current = params.get("ordering", "")
    if current == field:
        new, state, icon = f"-{field}", "ascending", "bi-sort-up"
    elif current == f"-{field}":
        new, state, icon = field, "descending", "bi-sort-down"
    else:
        new, state, icon = field, "none", ""
    params["ordering"] = new
    params.pop("page", None)
    css = "num" if numeric else ""
    arrow = format_html(' <i class="bi {}" aria-hidden="true"></i>', icon) if icon else ""
    return format_html(
        '<th scope="col" class="{}" aria-sort="{}"><a class="link-dark text-decoration-none" href="?{}">{}{}</a></th>',
        css,
        state,
        params.urlencode(),
        label,
        arrow,
    )
