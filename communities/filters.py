"""One FilterSet per model, used by the pages and the API alike (so a filter means the same in
both). Choices of units come from the user's scope: a unit outside it is not a valid choice,
exactly as if it did not exist. Districts and streets are chosen by their official code (short,
stable URLs such as ?district=320102), communities by id."""

from __future__ import annotations

import django_filters as df
from django import forms

from core.filters import FilterBarMixin, IdFilter, YearFilter

from .choices import EstateCategory, FirmFounding, ManagementMode, OwnersOrganisationKind
from .models import Community, District, Estate, OwnersOrganisation, PropertyCommittee, ServiceFirm, Street
from .search import estate_search
from .services import Msg


def _user(request):
    return getattr(request, "user", None)


def visible_districts(request):
    return District.objects.visible_to(_user(request))


def visible_streets(request):
    return Street.objects.visible_to(_user(request))


def visible_communities(request):
    return Community.objects.visible_to(_user(request))


def cascade_units(form, *, key: str = "pk") -> None:
    """The district / street / community selects of a filter bar (cases, inspections, results),
    like the registry's own (_unit_filters.html): each narrowed by the one above, reloaded from
    communities:street_options / community_options when it changes (htmx, ?key=pk: units named
    by id); communities wait for a street when the user sees several streets, so a city page no
    longer lists hundreds of communities with their duplicate names; a community shown without
    its street (one named in the address) carries the street beside its name."""
    import json

    from django.urls import reverse

    fields, data = form.fields, (form.data if form.is_bound else {})
    district, street, community = fields.get("district"), fields.get("street"), fields.get("community")

    def reload(field, url, target):
        field.widget.attrs.update(
            {
                "hx-get": reverse(url),
                "hx-target": f"#id_{target}",
                "hx-trigger": "change",
                "hx-vals": json.dumps({"mode": "filter", "key": key}),
            }
        )

    chosen_district = str(data.get("district") or "")
    chosen_street = str(data.get("street") or "")
    if district is not None and street is not None:
        reload(district, "communities:street_options", "street")
        if chosen_district.isdigit():
            street.widget.choices = _shown(street, street.queryset.filter(district_id=chosen_district))
    if street is not None and community is not None:
        reload(street, "communities:community_options", "community")
        queryset = community.queryset.select_related("street").only("id", "name", "street__name")
        if chosen_street.isdigit():
            community.widget.choices = _shown(community, queryset.filter(street_id=chosen_street).order_by("name"))
        elif street.queryset[:2].count() > 1:
            community.empty_label = "全部社区（先选街道）"
            chosen = str(data.get("community") or "")
            shown = queryset.filter(pk=chosen) if chosen.isdigit() else queryset.none()
            community.widget.choices = _shown(community, shown, label=lambda c: f"{c.name}（{c.street.name}）")


def _shown(field, queryset, label=None):
    """Options of `queryset` for `field`'s select while the field still validates against its
    own (wider) queryset."""
    shadow = forms.ModelChoiceField(queryset=queryset, empty_label=field.empty_label)
    if label is not None:
        shadow.label_from_instance = label
    return shadow.choices


class _UnitFilters(FilterBarMixin, df.FilterSet):
    """District / street / community filters over the models' own indexed scope columns."""

    district = df.ModelChoiceFilter(
        label="区",
        field_name="district",
        to_field_name="code",
        queryset=visible_districts,
        error_messages={"invalid_choice": Msg.INVALID_CHOICE},
    )
    street = df.ModelChoiceFilter(
        label="街道",
        field_name="street",
        to_field_name="code",
        queryset=visible_streets,
        error_messages={"invalid_choice": Msg.INVALID_CHOICE},
    )
    community = df.ModelChoiceFilter(
        label="社区",
        field_name="community",
        queryset=visible_communities,
        error_messages={"invalid_choice": Msg.INVALID_CHOICE},
    )


# Sortable columns are those with an index that yields the order (migration 0003, and the
# (district, code) and (street, code) indexes): a sort of 220,000 rows without one is a full
# scan and sort on every page.
ESTATE_ORDERING = (
    ("code", "code"),
    ("name", "name"),
    ("district__code", "district"),
    ("street__code", "street"),
    ("building_area", "building_area"),
    ("households", "households"),
    ("year_built", "year_built"),
    ("renovation_year", "renovation_year"),
)
ESTATE_ORDERING_LABELS = {
    "code": "小区编码",
    "name": "小区名称",
    "district__code": "区",
    "street__code": "街道",
    "building_area": "建筑面积",
    "households": "户数",
    "year_built": "建成年份",
    "renovation_year": "整治完成年份",
}


class StableOrderingFilter(df.OrderingFilter):
    """Sorting by a column, then by estate code, so pages never repeat or skip a row."""

    def __init__(self, *args, tiebreak: str = "code", **kwargs):
        self.tiebreak = tiebreak
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        ordering = [self.get_ordering_value(param) for param in value or [] if param]
        if not ordering:
            return qs
        if self.tiebreak not in ordering and f"-{self.tiebreak}" not in ordering:
            ordering.append(self.tiebreak)
        return qs.order_by(*ordering)


class EstateFilter(_UnitFilters):
    q = df.CharFilter(label="名称或编码", method="search", max_length=100)
    category = df.ChoiceFilter(
        label="类别",
        choices=EstateCategory.choices,
        empty_label="全部类别",
        error_messages={"invalid_choice": Msg.INVALID_CHOICE},
    )
    management_mode = df.ChoiceFilter(
        label="管理模式",
        choices=ManagementMode.choices,
        empty_label="全部模式",
        error_messages={"invalid_choice": Msg.INVALID_CHOICE},
    )
    renovation_year = YearFilter(
        label="整治完成年份", field_name="renovation_year", widget=forms.NumberInput(attrs={"min": 1949, "max": 2100})
    )
    service_firm = df.ModelChoiceFilter(
        label="物业服务企业",
        queryset=ServiceFirm.objects.all(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": Msg.INVALID_CHOICE},
    )
    ordering = StableOrderingFilter(label="排序", fields=ESTATE_ORDERING, field_labels=ESTATE_ORDERING_LABELS)

    class Meta:
        model = Estate
        fields = [
            "q",
            "district",
            "street",
            "community",
            "category",
            "management_mode",
            "renovation_year",
            "service_firm",
        ]

    def search(self, queryset, name, value):
        return estate_search(queryset, value)


class FirmFilter(FilterBarMixin, df.FilterSet):
    """Service firms: a public register, so the district filter lists every district."""

    q = df.CharFilter(label="名称或信用代码", method="search", max_length=100)
    district = df.ModelChoiceFilter(
        label="登记区",
        to_field_name="code",
        queryset=District.objects.all(),
        error_messages={"invalid_choice": Msg.INVALID_CHOICE},
    )
    is_public_welfare = df.BooleanFilter(
        label="公益性物业服务企业", widget=forms.Select(choices=[("", "全部"), ("true", "是"), ("false", "否")])
    )
    founding = df.ChoiceFilter(
        label="组建方式",
        choices=FirmFounding.choices,
        empty_label="全部",
        error_messages={"invalid_choice": Msg.INVALID_CHOICE},
    )
    ordering = StableOrderingFilter(
        label="排序",
        tiebreak="name",
        fields=(("name", "name"), ("credit_code", "credit_code"), ("district__code", "district")),
    )

    class Meta:
        model = ServiceFirm
        fields = ["q", "district", "is_public_welfare", "founding"]

    def search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        from django.db.models import Q

        return queryset.filter(Q(name__icontains=value) | Q(credit_code__iexact=value.upper()))


class CommitteeFilter(_UnitFilters):
    q = df.CharFilter(label="物管会或小区名称", method="search", max_length=100)
    estate = IdFilter(label="小区", field_name="estate_id", widget=forms.HiddenInput)
    is_active = df.BooleanFilter(
        label="在任", widget=forms.Select(choices=[("", "全部"), ("true", "在任"), ("false", "已卸任")])
    )
    ordering = StableOrderingFilter(
        label="排序",
        tiebreak="pk",
        fields=(("name", "name"), ("term_start", "term_start"), ("term_end", "term_end"), ("estate__code", "estate")),
    )

    class Meta:
        model = PropertyCommittee
        fields = ["q", "district", "street", "community", "estate", "is_active"]

    def search(self, queryset, name, value):
        from django.db.models import Q

        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(estate__name__icontains=value) | Q(estate__code__iexact=value)
        )


class OwnersOrganisationFilter(_UnitFilters):
    q = df.CharFilter(label="小区名称或编码", method="search", max_length=100)
    kind = df.ChoiceFilter(
        label="类型",
        choices=OwnersOrganisationKind.choices,
        empty_label="全部类型",
        error_messages={"invalid_choice": Msg.INVALID_CHOICE},
    )
    is_active = df.BooleanFilter(
        label="有效", widget=forms.Select(choices=[("", "全部"), ("true", "有效"), ("false", "已失效")])
    )

    class Meta:
        model = OwnersOrganisation
        fields = ["q", "district", "street", "community", "kind", "is_active"]

    def search(self, queryset, name, value):
        from django.db.models import Q

        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(estate__name__icontains=value) | Q(estate__code__iexact=value))


class StreetFilter(FilterBarMixin, df.FilterSet):
    district = df.ModelChoiceFilter(
        label="区",
        to_field_name="code",
        queryset=visible_districts,
        error_messages={"invalid_choice": Msg.INVALID_CHOICE},
    )
    official_district = df.ModelChoiceFilter(
        label="行政区划所属区",
        to_field_name="code",
        queryset=District.objects.all(),
        error_messages={"invalid_choice": Msg.INVALID_CHOICE},
    )
    q = df.CharFilter(label="名称", field_name="name", lookup_expr="icontains", max_length=30)

    class Meta:
        model = Street
        fields = ["district", "official_district", "kind", "q"]


class CommunityFilter(FilterBarMixin, df.FilterSet):
    district = df.ModelChoiceFilter(
        label="区",
        to_field_name="code",
        queryset=visible_districts,
        error_messages={"invalid_choice": Msg.INVALID_CHOICE},
    )
    street = df.ModelChoiceFilter(
        label="街道",
        to_field_name="code",
        queryset=visible_streets,
        error_messages={"invalid_choice": Msg.INVALID_CHOICE},
    )
    q = df.CharFilter(label="名称", field_name="name", lookup_expr="icontains", max_length=50)

    class Meta:
        model = Community
        fields = ["district", "street", "q"]
