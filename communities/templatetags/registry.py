"""Template helpers of the registry's lists: sortable column headers."""

from django import template

from core.templatetags.core_lists import sort_header

register = template.Library()


# The one sortable header of every list (core.ordering), under the registry's tag library too.
register.simple_tag(takes_context=True, name="sort_header")(sort_header)


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None
