"""Filters whose values are integers: ids and years (年度).

django-filter's NumberFilter reads a Decimal, so `?year=0.0` or `?year=1e9` reached the query as
a Decimal and the date lookup raised ValueError (a 500). These read an integer in a bounded range
through Django's IntegerField: anything else is a 400 with a Chinese message (through the API
backend) or a filter error on the page, and the OpenAPI schema says integer with its bounds."""

from __future__ import annotations

import re

import django_filters as df
from django import forms
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field

YEAR_MIN = 1949
YEAR_MAX = 2100
# The largest id PostgreSQL's bigint holds: a bigger number can never name a row.
ID_MAX = 2**63 - 1

INTEGER_MESSAGES = {
    "invalid": "请输入整数。",
    "min_value": "不能小于 %(limit_value)s。",
    "max_value": "不能大于 %(limit_value)s。",
}


class StrictIntegerField(forms.IntegerField):
    """Digits only: Django's IntegerField takes "1949.0" as 1949, which the schema (integer)
    does not allow, so a client could not know which spellings pass."""

    def to_python(self, value):
        if value not in self.empty_values and not re.fullmatch(r"[+-]?[0-9]+", str(value).strip()):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class IntegerFilter(df.NumberFilter):
    field_class = StrictIntegerField

    def __init__(self, *args, min_value=None, max_value=None, **kwargs):
        kwargs.setdefault("min_value", min_value)
        kwargs.setdefault("max_value", max_value)
        kwargs.setdefault("error_messages", INTEGER_MESSAGES)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX})
class YearFilter(IntegerFilter):
    """A year (年度), 1949–2100."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", YEAR_MIN)
        kwargs.setdefault("max_value", YEAR_MAX)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": ID_MAX})
class IdFilter(IntegerFilter):
    """A row id."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)


class FilterSet(df.FilterSet):
    """The base of the FilterSets django-filter builds from a viewset's `filterset_fields`: an
    integer model field filters as a bounded IntegerFilter (a field named year as a YearFilter)
    instead of NumberFilter's Decimal."""

    @classmethod
    def filter_for_field(cls, field, field_name, lookup_expr=None):
        from django.db import models

        if (
            isinstance(field, models.IntegerField)
            and not isinstance(field, models.AutoField)
            and lookup_expr in (None, "exact")
        ):
            if field.name == "year":
                return YearFilter(field_name=field_name, label=field.verbose_name)
            return IntegerFilter(
                field_name=field_name, label=field.verbose_name, min_value=-ID_MAX - 1, max_value=ID_MAX
            )
        return super().filter_for_field(field, field_name, lookup_expr)


class FilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend whose generated FilterSets use core.filters.FilterSet.

    A filter naming a row (an id, or a code) that does not exist or lies outside the user's scope
    gives an empty list, not a 400: the OpenAPI schema can only say "an integer" (or "a code"),
    so a client sending a well-formed value must get an answer, and an empty list also tells
    nothing about rows the user may not see. A value of the wrong form (not an integer where the
    schema says integer, a year out of range) is still a 400 with the Chinese message."""

    filterset_base = FilterSet

    def filter_queryset(self, request, queryset, view):
        from django_filters import utils

        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        strict_booleans(filterset)
        if not filterset.is_valid():
            if names_no_row(filterset):
                return queryset.none()
            raise utils.translate_validation(filterset.errors)
        return filterset.qs


BOOLEAN_SPELLINGS = ("true", "false", "True", "False")


def strict_booleans(filterset):
    """A yes/no filter (`?overdue=`) is true or false, as the schema says: django-filter's
    NullBooleanSelect read anything else as "no filter" and answered the whole list."""
    from rest_framework.exceptions import ValidationError

    errors = {}
    for name, flt in filterset.filters.items():
        value = filterset.data.get(name)
        if isinstance(flt, df.BooleanFilter) and value not in (None, "", *BOOLEAN_SPELLINGS):
            errors[name] = ["应为 true 或 false。"]
    if errors:
        raise ValidationError(errors)


def names_no_row(filterset) -> bool:
    """True when every error of the (invalid) filterset is a well-formed value of a model-choice
    filter that matched no row."""
    errors = filterset.form.errors.as_data()
    if not errors:
        return False
    for name, field_errors in errors.items():
        flt = filterset.filters.get(name)
        if not isinstance(flt, df.ModelChoiceFilter | df.ModelMultipleChoiceFilter):
            return False
        if any(error.code not in ("invalid_choice", "invalid_pk_value") for error in field_errors):
            return False
        field = filterset.form.fields[name]
        pk = field.queryset.model._meta.pk
        pk_is_integer = pk.get_internal_type() in ("AutoField", "BigAutoField", "IntegerField", "BigIntegerField")
        if field.to_field_name in (None, "pk", pk.name) and pk_is_integer:
            values = filterset.data.getlist(name) if hasattr(filterset.data, "getlist") else [filterset.data.get(name)]
            if not all(re.fullmatch(r"[0-9]{1,18}", str(value or "").strip()) for value in values):
                return False
    return True


def chinese_empty_options(form) -> None:
    """The empty option of every select of a filter bar reads "全部…" (全部区, 全部状态), never
    django's "---------"; a yes/no/either select reads 全部 for either."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.NullBooleanSelect):
            widget.choices = [("unknown", "全部"), ("true", "是"), ("false", "否")]
        elif getattr(field, "empty_label", None) is not None and set(str(field.empty_label)) <= {"-"}:
            field.empty_label = f"全部{field.label or ''}"


class FilterBarMixin:
    """A FilterSet whose page shows it as a filter bar: 全部… empty options."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chinese_empty_options(self.form)
