"""Serializers of the registry API. They parse types only (with the messages of services.Msg);
every rule is services' (validate_estate, validate_firm, validate_committee), so the API and
the pages refuse the same input with the same words. Scope columns (district, street of a row)
and the estate's version are read-only: the scope follows the community, and the version moves
only when an edit is saved (send it back in If-Match)."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.rules import can
from core.api.one_pass import OnePassSerializerMixin
from core.api.representation import FastRepresentation
from core.validation import happened, plausible_date

from .. import services
from ..choices import CommitteeMemberRole, EstateCategory, FirmFounding, ManagementMode
from ..models import CommitteeMember, Community, District, Estate, PropertyCommittee, ServiceFirm, Street
from ..services import Msg

REQUIRED = {"required": Msg.REQUIRED, "null": Msg.REQUIRED, "blank": Msg.REQUIRED}
INT = {"invalid": Msg.INVALID_INTEGER, "max_string_length": Msg.INVALID_INTEGER}
NUM = {"invalid": Msg.INVALID_NUMBER, "max_string_length": Msg.INVALID_NUMBER}
DATE = {"invalid": Msg.INVALID_DATE, "datetime": Msg.INVALID_DATE}


@extend_schema_field(OpenApiTypes.STR)
class ChoiceLabel(serializers.ReadOnlyField):
    """The Chinese label of a choice column (what get_<field>_display returns), read from the
    choices once: a `source="get_x_display"` field makes DRF inspect the method's signature
    for every row, a fifth of an API list's time (docs/performance.md)."""

    def __init__(self, choices, **kwargs):
        self.labels = {value: str(label) for value, label in choices}
        super().__init__(**kwargs)

    def to_representation(self, value):
        return self.labels.get(value, value)


def as_drf_error(exc: DjangoValidationError) -> serializers.ValidationError:
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    detail = {("non_field_errors" if k == NON_FIELD_ERRORS else k): v for k, v in detail.items()}
    members = getattr(exc, "member_errors", None)
    if members:
        detail["members"] = members
    return serializers.ValidationError(detail)


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


# --- units -------------------------------------------------------------------------------------
class DistrictSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = District
        fields = ["id", "code", "name", "short_name", "kind", "kind_display", "is_main_urban"]
        read_only_fields = fields


class StreetSerializer(serializers.ModelSerializer):
    district = serializers.SlugRelatedField(slug_field="code", read_only=True)
    district_name = serializers.CharField(source="district.name", read_only=True)
    official_district = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Street
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "kind",
            "district",
            "district_name",
            "official_district",
            "residential_estate_count",
        ]
        read_only_fields = fields


class CommunitySerializer(serializers.ModelSerializer):
    street = serializers.SlugRelatedField(slug_field="code", read_only=True)
    street_name = serializers.CharField(source="street.name", read_only=True)
    district = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Community
        fields = ["id", "name", "code", "street", "street_name", "district"]
        read_only_fields = fields


# --- estates -----------------------------------------------------------------------------------
class EstateSerializer(OnePassSerializerMixin, FastRepresentation, serializers.ModelSerializer):
    """小区. Write `community` (its id); district and street follow it. Updates need the
    version read with the estate in an If-Match header (optimistic locking)."""

    code = serializers.CharField(error_messages=REQUIRED, help_text="小区编码，全市唯一")
    name = serializers.CharField(error_messages=REQUIRED)
    district = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="区划代码（随社区确定）")
    district_name = serializers.CharField(source="district.name", read_only=True)
    street = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="街道区划代码（随社区确定）")
    street_name = serializers.CharField(source="street.name", read_only=True)
    community = serializers.IntegerField(
        source="community_id",
        error_messages={**REQUIRED, "invalid": Msg.COMMUNITY_INVALID},
        help_text="社区 id（须在您的管辖范围内）",
    )
    community_name = serializers.CharField(source="community.name", read_only=True)
    address = serializers.CharField(required=False, allow_blank=True, default="")
    grid_code = serializers.CharField(required=False, allow_blank=True, default="")
    year_built = serializers.IntegerField(required=False, allow_null=True, error_messages=INT)
    building_area = serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        error_messages={**REQUIRED, **NUM},
        help_text="建筑面积（㎡），大于0，最多两位小数",
    )
    households = serializers.IntegerField(required=False, allow_null=True, error_messages=INT)
    buildings = serializers.IntegerField(required=False, allow_null=True, error_messages=INT)
    category = serializers.ChoiceField(
        choices=EstateCategory.choices, error_messages={**REQUIRED, "invalid_choice": Msg.CATEGORY}
    )
    category_display = ChoiceLabel(EstateCategory.choices, source="category")
    renovation_year = serializers.IntegerField(
        required=False, allow_null=True, error_messages=INT, help_text="已整治老旧小区必填，其他类别留空"
    )
    management_mode = serializers.ChoiceField(
        choices=ManagementMode.choices,
        required=False,
        default=ManagementMode.NONE,
        error_messages={"invalid_choice": Msg.MODE},
    )
    management_mode_display = ChoiceLabel(ManagementMode.choices, source="management_mode")
    service_firm = serializers.IntegerField(
        source="service_firm_id",
        required=False,
        allow_null=True,
        error_messages={"invalid": Msg.FIRM_MISSING},
        help_text="物业服务企业 id",
    )
    service_firm_name = serializers.CharField(source="service_firm.name", read_only=True, default=None, allow_null=True)
    latitude = serializers.DecimalField(
        max_digits=None, decimal_places=None, required=False, allow_null=True, error_messages=NUM
    )
    longitude = serializers.DecimalField(
        max_digits=None, decimal_places=None, required=False, allow_null=True, error_messages=NUM
    )

    class Meta:
        model = Estate
        fields = [
            "id",
            "code",
            "name",
            "district",
            "district_name",
            "street",
            "street_name",
            "community",
            "community_name",
            "address",
            "grid_code",
            "year_built",
            "building_area",
            "households",
            "buildings",
            "category",
            "category_display",
            "renovation_year",
            "management_mode",
            "management_mode_display",
            "service_firm",
            "service_firm_name",
            "latitude",
            "longitude",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "version", "created_at", "updated_at"]

    def _current_values(self) -> dict:
        estate = self.instance
        values = {
            name: getattr(estate, name) for name in services.ESTATE_FIELDS if name not in ("community", "service_firm")
        }
        values["community"] = estate.community_id
        values["service_firm"] = estate.service_firm_id
        return values

    def rule_errors(self, data) -> dict:
        values = self._current_values() if self.instance is not None else {}
        values.update({key: data[key] for key in services.ESTATE_FIELDS if key in data})
        try:
            services.validate_estate(values, by=_user(self), instance=self.instance)
        except DjangoValidationError as exc:
            return as_drf_error(exc).detail
        return {}

    def validate(self, attrs):
        values = self._current_values() if self.instance is not None else {}
        for key, value in attrs.items():
            values[{"community_id": "community", "service_firm_id": "service_firm"}.get(key, key)] = value
        try:
            services.validate_estate(values, by=_user(self), instance=self.instance)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        self.service_values = values
        return attrs

    def create(self, validated_data):
        return services.create_estate(self.service_values, by=_user(self))


# --- service firms -----------------------------------------------------------------------------
class ServiceFirmSerializer(serializers.ModelSerializer):
    """物业服务企业 (a public register). A district user registers firms in its district, a
    street clerk in its street; city_admin names the district (and street) by code."""

    name = serializers.CharField(error_messages=REQUIRED)
    credit_code = serializers.CharField(error_messages=REQUIRED, help_text="统一社会信用代码（GB 32100-2015）")
    is_public_welfare = serializers.BooleanField(required=False, default=False)
    founding = serializers.ChoiceField(
        choices=FirmFounding.choices,
        required=False,
        allow_blank=True,
        default="",
        error_messages={"invalid_choice": Msg.INVALID_CHOICE},
    )
    district = serializers.CharField(
        source="district.code", required=False, allow_null=True, help_text="登记区区划代码"
    )
    district_name = serializers.CharField(source="district.name", read_only=True)
    street = serializers.CharField(
        source="street.code",
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        help_text="委托街道区划代码",
    )
    street_name = serializers.CharField(source="street.name", read_only=True, default=None, allow_null=True)
    entrusted_by = serializers.CharField(read_only=True)
    legal_representative = serializers.CharField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(required=False, allow_blank=True, default="")
    address = serializers.CharField(required=False, allow_blank=True, default="")

    class Meta:
        model = ServiceFirm
        fields = [
            "id",
            "name",
            "credit_code",
            "is_public_welfare",
            "founding",
            "district",
            "district_name",
            "street",
            "street_name",
            "entrusted_by",
            "legal_representative",
            "phone",
            "address",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate(self, attrs):
        firm = self.instance
        values = {key: getattr(firm, key) for key in services.FIRM_FIELDS} if firm is not None else {}
        if firm is not None:
            values["district"], values["street"] = firm.district_id, firm.street_id
        for key, value in attrs.items():
            if key in ("district", "street"):
                code = (value or {}).get("code")
                model = District if key == "district" else Street
                values[key] = (
                    (model.objects.filter(code=code).values_list("pk", flat=True).first() or -1) if code else None
                )
            else:
                values[key] = value
        try:
            services.validate_firm(values, by=_user(self), instance=firm)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        self.service_values = values
        return attrs

    def create(self, validated_data):
        return services.create_firm(self.service_values, by=_user(self))

    def update(self, instance, validated_data):
        return services.update_firm(instance, self.service_values, by=_user(self))


# --- committees --------------------------------------------------------------------------------
class CommitteeMemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(error_messages=REQUIRED)
    role = serializers.ChoiceField(
        choices=CommitteeMemberRole.choices,
        required=False,
        default=CommitteeMemberRole.MEMBER,
        error_messages={"invalid_choice": Msg.MEMBER_ROLE},
    )
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    is_owner = serializers.BooleanField(required=False, default=True)
    phone = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="无编辑权限者看到的号码已脱敏"
    )

    class Meta:
        model = CommitteeMember
        fields = ["id", "name", "role", "role_display", "is_owner", "phone"]
        read_only_fields = ["id"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("show_phones"):
            from core.privacy import mask_phone

            data["phone"] = mask_phone(data["phone"])
        return data


class PropertyCommitteeSerializer(serializers.ModelSerializer):
    """物业管理委员会 with its members. `members`, when sent, is the whole list (rows kept in
    order are updated, the rest removed)."""

    estate = serializers.IntegerField(
        source="estate_id",
        error_messages={**REQUIRED, "invalid": Msg.ESTATE_INVALID},
        help_text="小区 id（创建后不可更改）",
    )
    estate_code = serializers.CharField(source="estate.code", read_only=True)
    estate_name = serializers.CharField(source="estate.name", read_only=True)
    district = serializers.SlugRelatedField(slug_field="code", read_only=True)
    street = serializers.SlugRelatedField(slug_field="code", read_only=True)
    community = serializers.PrimaryKeyRelatedField(read_only=True)
    name = serializers.CharField(error_messages=REQUIRED)
    formed_on = serializers.DateField(validators=[happened], error_messages={**REQUIRED, **DATE})
    term_start = serializers.DateField(validators=[plausible_date], error_messages={**REQUIRED, **DATE})
    term_end = serializers.DateField(validators=[plausible_date], error_messages={**REQUIRED, **DATE})
    is_active = serializers.BooleanField(required=False, default=True)
    service_standard = serializers.CharField(required=False, allow_blank=True, default="")
    members = CommitteeMemberSerializer(many=True, required=False)

    class Meta:
        model = PropertyCommittee
        fields = [
            "id",
            "estate",
            "estate_code",
            "estate_name",
            "district",
            "street",
            "community",
            "name",
            "formed_on",
            "term_start",
            "term_end",
            "is_active",
            "service_standard",
            "members",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list | tuple) and hasattr(self.instance, "pk"):
            self.fields["estate"].read_only = True  # a committee stays with its estate

    def validate(self, attrs):
        committee = self.instance
        values = {key: getattr(committee, key) for key in services.COMMITTEE_FIELDS} if committee is not None else {}
        members = attrs.pop("members", None)
        for key, value in attrs.items():
            values["estate" if key == "estate_id" else key] = value
        try:
            services.validate_committee(values, by=_user(self), instance=committee, members=members)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        self.service_values, self.service_members = values, members
        return attrs

    def create(self, validated_data):
        return services.create_committee(self.service_values, by=_user(self), members=self.service_members)

    def update(self, instance, validated_data):
        return services.update_committee(instance, self.service_values, by=_user(self), members=self.service_members)


def committee_context(request) -> dict:
    """Phones of members are shown whole to those who may write the committee (its district
    and street, city_admin); the committees they can see are within their writable scope."""
    return {"show_phones": can(getattr(request, "user", None), "committee")}
