"""List page tags: sortable column headers (core.ordering), unit selects."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

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


@register.simple_tag
def unit_options(units, selected=None):
    """The <option>s of a unit select (district or street: value its code, text its name), written
    in one pass: a city-wide street select has a thousand options at national scale, which the
    template loop renders many times slower."""
    selected_pk = getattr(selected, "pk", None)
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((u.code, mark_safe(" selected") if u.pk == selected_pk else "", u.name) for u in units),
    )
