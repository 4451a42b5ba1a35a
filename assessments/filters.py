"""FilterSets shared by the pages and the API (one per model)."""

from __future__ import annotations

import django_filters as df
from django import forms

from communities.filters import cascade_units
from communities.models import Community, District, Street
from core.filters import FilterBarMixin, IdFilter, YearFilter

from .choices import Grade, InspectionSource, InspectionStatus, UnitLevel
from .models import CycleRun, EstateResult, FeeRate, Inspection, UnitResult

SELECT = {"class": "form-select form-select-sm"}
INPUT = {"class": "form-control form-control-sm"}


def _districts(request):
    return District.objects.visible_to(request.user) if request else District.objects.none()


def _streets(request):
    return Street.objects.visible_to(request.user) if request else Street.objects.none()


def _communities(request):
    return Community.objects.visible_to(request.user) if request else Community.objects.none()


class UnitCascadeMixin(FilterBarMixin):
    """全部… empty options and the district → street → community cascade (communities.filters)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cascade_units(self.form)


class PlaceFilterSet(UnitCascadeMixin, df.FilterSet):
    district = df.ModelChoiceFilter(label="区", queryset=_districts, widget=forms.Select(attrs=SELECT))
    street = df.ModelChoiceFilter(label="街道", queryset=_streets, widget=forms.Select(attrs=SELECT))
    community = df.ModelChoiceFilter(label="社区", queryset=_communities, widget=forms.Select(attrs=SELECT))
    code = df.CharFilter(
        label="小区编码", field_name="estate__code", lookup_expr="iexact", widget=forms.TextInput(attrs=INPUT)
    )


class InspectionFilter(PlaceFilterSet):
    date_from = df.DateFilter(
        label="检查日期自",
        field_name="date",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={**INPUT, "type": "date"}),
    )
    date_to = df.DateFilter(
        label="至", field_name="date", lookup_expr="lte", widget=forms.DateInput(attrs={**INPUT, "type": "date"})
    )
    source = df.ChoiceFilter(
        label="检查类型", choices=InspectionSource.choices, empty_label="全部类型", widget=forms.Select(attrs=SELECT)
    )
    status = df.ChoiceFilter(
        label="状态", choices=InspectionStatus.choices, empty_label="全部状态", widget=forms.Select(attrs=SELECT)
    )
    year = YearFilter(label="年度", widget=forms.NumberInput(attrs=INPUT))

    class Meta:
        model = Inspection
        fields = ["district", "street", "community", "code", "date_from", "date_to", "source", "status", "year"]


class FeeRateFilter(PlaceFilterSet):
    year = YearFilter(label="年度", widget=forms.NumberInput(attrs=INPUT))

    class Meta:
        model = FeeRate
        fields = ["year", "district", "street", "community", "code"]


class EstateResultFilter(PlaceFilterSet):
    year = YearFilter(label="年度", widget=forms.NumberInput(attrs=INPUT))
    grade = df.ChoiceFilter(
        label="考核等级", choices=Grade.choices, empty_label="全部等级", widget=forms.Select(attrs=SELECT)
    )
    run = IdFilter(label="计分任务", field_name="run_id")

    class Meta:
        model = EstateResult
        fields = ["year", "district", "street", "community", "code", "grade", "run"]


class UnitResultFilter(UnitCascadeMixin, df.FilterSet):
    year = YearFilter(label="年度", widget=forms.NumberInput(attrs=INPUT))
    level = df.ChoiceFilter(
        label="层级", choices=UnitLevel.choices, empty_label=None, widget=forms.Select(attrs=SELECT)
    )
    district = df.ModelChoiceFilter(label="区", queryset=_districts, widget=forms.Select(attrs=SELECT))
    street = df.ModelChoiceFilter(label="街道", queryset=_streets, widget=forms.Select(attrs=SELECT))

    class Meta:
        model = UnitResult
        fields = ["year", "level", "district", "street"]


class CycleRunFilter(FilterBarMixin, df.FilterSet):
    year = YearFilter(label="年度")

    class Meta:
        model = CycleRun
        fields = ["year", "status", "is_current"]
