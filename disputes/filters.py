"""One FilterSet per list, shared by the pages, the exports and the API."""

from __future__ import annotations

import django_filters as df
from django.db.models import Q
from django.utils import timezone

from communities.filters import cascade_units
from communities.models import Community, District, Street
from core.filters import YearFilter, chinese_empty_options

from .choices import (
    Channel,
    DisputeCategory,
    DisputeStatus,
    FilingKind,
    FilingStatus,
    ReferralStatus,
    RepairCategory,
    RepairStatus,
    StationKind,
    Urgency,
)
from .limits import start_of_day, year_bounds
from .models import Department, DisputeCase, EnforcementReferral, Filing, RepairRequest, RepairTeam, Station


# The unit selects need the id and the name only (their label): a city's street list at
# national scale is a thousand rows, read on every list page.
def _districts(request):
    return (
        District.objects.visible_to(getattr(request, "user", None)).only("id", "name")
        if request
        else District.objects.none()
    )


def _streets(request):
    return (
        Street.objects.visible_to(getattr(request, "user", None)).only("id", "name")
        if request
        else Street.objects.none()
    )


def _communities(request):
    return (
        Community.objects.visible_to(getattr(request, "user", None)).only("id", "name")
        if request
        else Community.objects.none()
    )


def _teams(request):
    return RepairTeam.objects.visible_to(getattr(request, "user", None)) if request else RepairTeam.objects.none()


class StyledFilterSet(df.FilterSet):
    """Bootstrap classes on the filter bar's inputs (the same FilterSet serves the API)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django import forms

        for field in self.form.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select form-select-sm")
            else:
                widget.attrs.setdefault("class", "form-control form-control-sm")
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"
            if isinstance(field, forms.DecimalField):
                widget.attrs.setdefault("style", "max-width: 6rem")
        chinese_empty_options(self.form)
        cascade_units(self.form)


class UnitFilterSet(StyledFilterSet):
    district = df.ModelChoiceFilter(label="区", queryset=_districts)
    street = df.ModelChoiceFilter(label="街道", queryset=_streets)
    community = df.ModelChoiceFilter(label="社区", queryset=_communities)
    estate = df.CharFilter(label="小区编码", field_name="estate__code")


class CaseFilterSet(UnitFilterSet):
    year = YearFilter(label="年度", method="filter_year")
    received_from = df.DateFilter(label="起始日期", method="filter_from")
    received_to = df.DateFilter(label="截止日期", method="filter_to")
    channel = df.ChoiceFilter(label="受理方式", choices=Channel.choices)
    open = df.BooleanFilter(label="未办结", method="filter_open")
    overdue = df.BooleanFilter(label="已逾期", method="filter_overdue")

    open_q: Q  # set per model

    def filter_year(self, qs, name, value):
        if value is None:
            return qs
        start, end = year_bounds(int(value))
        return qs.filter(requested_datetime__gte=start, requested_datetime__lt=end)

    def filter_from(self, qs, name, value):
        return qs.filter(requested_datetime__gte=start_of_day(value))

    def filter_to(self, qs, name, value):
        import datetime as dt

        return qs.filter(requested_datetime__lt=start_of_day(value + dt.timedelta(days=1)))

    def filter_open(self, qs, name, value):
        if value is None:
            return qs
        return qs.filter(self.open_q) if value else qs.exclude(self.open_q)

    def filter_overdue(self, qs, name, value):
        if value is None:
            return qs
        overdue = self.open_q & Q(expected_datetime__lt=timezone.now())
        return qs.filter(overdue) if value else qs.exclude(overdue)


class DisputeFilter(CaseFilterSet):
    service_code = df.ChoiceFilter(label="类别", choices=DisputeCategory.choices)
    status = df.ChoiceFilter(label="状态", choices=DisputeStatus.choices)
    open_q = Q(closed_datetime__isnull=True)

    class Meta:
        model = DisputeCase
        fields = [
            "district",
            "street",
            "community",
            "estate",
            "service_code",
            "status",
            "channel",
            "year",
            "received_from",
            "received_to",
            "open",
            "overdue",
        ]


class RepairFilter(CaseFilterSet):
    service_code = df.ChoiceFilter(label="类别", choices=RepairCategory.choices)
    urgency = df.ChoiceFilter(label="紧急程度", choices=Urgency.choices)
    status = df.ChoiceFilter(label="状态", choices=RepairStatus.choices)
    team = df.ModelChoiceFilter(label="维修队伍", queryset=_teams)
    open_q = Q(completed_datetime__isnull=True)

    class Meta:
        model = RepairRequest
        fields = [
            "district",
            "street",
            "community",
            "estate",
            "service_code",
            "urgency",
            "status",
            "team",
            "channel",
            "year",
            "received_from",
            "received_to",
            "open",
            "overdue",
        ]


class ReferralFilter(UnitFilterSet):
    department = df.ModelChoiceFilter(label="执法部门", queryset=Department.objects.all())
    status = df.ChoiceFilter(label="状态", choices=ReferralStatus.choices)
    year = YearFilter(label="年度", method="filter_year")
    overdue = df.BooleanFilter(label="已逾期", method="filter_overdue")

    class Meta:
        model = EnforcementReferral
        fields = ["district", "street", "community", "estate", "department", "status", "year", "overdue"]

    def filter_year(self, qs, name, value):
        if value is None:
            return qs
        return qs.filter(referred_on__year=int(value))

    def filter_overdue(self, qs, name, value):
        if value is None:
            return qs
        from .models.referrals import OPEN_REFERRAL

        overdue = OPEN_REFERRAL & Q(due_on__lt=timezone.localdate())
        return qs.filter(overdue) if value else qs.exclude(overdue)


class FilingFilter(UnitFilterSet):
    kind = df.ChoiceFilter(label="备案类型", choices=FilingKind.choices)
    status = df.ChoiceFilter(label="状态", choices=FilingStatus.choices)
    year = YearFilter(label="年度", field_name="submitted_on", lookup_expr="year")

    class Meta:
        model = Filing
        fields = ["district", "street", "community", "estate", "kind", "status", "year"]


class StationFilter(StyledFilterSet):
    district = df.ModelChoiceFilter(label="区", queryset=_districts)
    street = df.ModelChoiceFilter(label="街道", queryset=_streets)
    kind = df.ChoiceFilter(label="类型", choices=StationKind.choices)

    class Meta:
        model = Station
        fields = ["district", "street", "kind"]


class RepairTeamFilter(StyledFilterSet):
    district = df.ModelChoiceFilter(label="区", queryset=_districts)
    street = df.ModelChoiceFilter(label="街道", queryset=_streets)

    class Meta:
        model = RepairTeam
        fields = ["district", "street", "kind", "is_active"]
