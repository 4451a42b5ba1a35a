"""Small display helpers of the stations' pages: deadlines, rates."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from disputes.models.reference import limit_text as _limit_text

register = template.Library()


def _span(delta_seconds: float) -> str:
    hours = int(abs(delta_seconds) // 3600)
    if hours >= 48:
        return f"{hours // 24}天"
    if hours >= 1:
        return f"{hours}小时"
    return f"{max(1, int(abs(delta_seconds) // 60))}分钟"


@register.simple_tag
def due_badge(case, now):
    """逾期 3天 / 剩余 5小时 / 按期办结 / 超期办结, as a Bootstrap badge."""
    closed = getattr(case, "closed_datetime", None) if hasattr(case, "closed_datetime") else case.completed_datetime
    if closed is not None:
        if closed <= case.expected_datetime:
            return mark_safe('<span class="badge text-bg-success">按期</span>')
        return format_html(
            '<span class="badge text-bg-warning">超期 {}</span>',
            _span((closed - case.expected_datetime).total_seconds()),
        )
    delta = (case.expected_datetime - now).total_seconds()
    if delta < 0:
        return format_html('<span class="badge text-bg-danger">逾期 {}</span>', _span(delta))
    return format_html('<span class="badge text-bg-light border">剩余 {}</span>', _span(delta))


@register.filter
def limit_text(hours):
    return _limit_text(hours)


@register.filter
def pct(value):
    return "—" if value is None else f"{value}%"


@register.simple_tag
def select_attrs(bound_field):
    """The htmx attributes of a filter select written out by hand (its cascade: hx-get …)."""
    from django.utils.html import format_html_join

    attrs = {k: v for k, v in bound_field.field.widget.attrs.items() if k.startswith("hx-")}
    return format_html_join("", ' {}="{}"', attrs.items())


@register.simple_tag
def select_options(bound_field):
    """The <option>s of a filter select, written in Python: a city user's street list at
    national scale holds a thousand options, and the template loop over them was most of the
    overdue list's time (docs/performance.md). The blank choice reads 全部."""
    from django.forms import NullBooleanSelect
    from django.utils.html import escape

    field, widget, current = bound_field.field, bound_field.field.widget, bound_field.value()
    if isinstance(widget, NullBooleanSelect):  # yes / no / either, as "true" / "false" / "unknown"
        current, blank = widget.format_value(current), "unknown"
    else:
        current, blank = ("" if current is None else str(current)), ""
    parts = []
    # The widget's choices: a cascaded select shows fewer than the field accepts (communities.filters.cascade_units).
    for value, label in widget.choices or getattr(field, "choices", None) or ():
        value = "" if value is None else str(value)
        selected = " selected" if value == current else ""
        shown = "全部" if value == blank and not str(label).startswith("全部") else label
        parts.append(f'<option value="{escape(value)}"{selected}>{escape(shown)}</option>')
    return mark_safe("".join(parts))  # noqa: S308 - every value and label is escaped above
