"""Chinese formats for pages: 2019年12月31日, amounts with thousands separators and 元."""

from decimal import Decimal

from django import template
from django.utils import timezone

from core import permissions
from core.money import format_yuan

register = template.Library()


@register.filter
def yuan(fen):
    """Fen (int) → '117,361.80'."""
    return format_yuan(fen) if fen is not None else ""


@register.filter
def yuan_unit(fen):
    return format_yuan(fen, unit=True) if fen is not None else ""


@register.filter
def area(value):
    if value is None:
        return ""
    return f"{Decimal(value):,.2f}"


@register.filter
def wan(value):
    """m² → 万㎡ with two places."""
    if not value:
        return "0"
    return f"{Decimal(value) / Decimal(10000):,.2f}"


@register.filter
def score(value):
    return "" if value is None else f"{Decimal(value):.2f}"


@register.filter
def cn_date(value):
    if not value:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def cn_datetime(value):
    if not value:
        return ""
    value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"


@register.filter
def mask_phone(value):
    from core.privacy import mask_phone as _mask

    return _mask(value)


@register.simple_tag(takes_context=True)
def query_without(context, *keys):
    """The current query string without the given keys (for sort and page links)."""
    params = context["request"].GET.copy()
    for key in keys:
        params.pop(key, None)
    return params.urlencode()


@register.filter
def can(user, action):
    """{% if user|can:"estate" %}: may this user write this kind of thing (accounts.rules)?"""
    return permissions.can(user, action)


@register.filter
def with_errors(field):
    """{{ field|with_errors }}: the field's widget, marked `is-invalid` (and tied to its messages
    for screen readers) when the form refused it, so the box itself shows what to correct."""
    if not getattr(field, "errors", None):
        return field
    attrs = dict(field.field.widget.attrs)
    css = attrs.get("class", "")
    attrs["class"] = css if "is-invalid" in css.split() else f"{css} is-invalid".strip()
    attrs["aria-invalid"] = "true"
    attrs["aria-describedby"] = f"{field.auto_id}-error"
    return field.as_widget(attrs=attrs)
