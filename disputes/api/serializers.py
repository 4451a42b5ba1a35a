"""API shapes of the stations' records. Personal fields go through disputes.privacy; inputs are
parsed here and validated once, by the services (disputes.validation)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.money import fen_to_yuan
from core.validation import happened, plausible_date

from .. import privacy
from ..choices import CLERK_CHANNELS, Channel, DisputeCategory, RepairCategory, Satisfaction, Urgency
from ..models import Department, DisputeCase, EnforcementReferral, Filing, RepairRequest, RepairTeam, Station, TimeLimit


class PersonalField(serializers.Field):
    """A personal field shown in full only to the case's handlers (masked for everyone else)."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return instance

    def to_representation(self, instance):
        return privacy.shown(self.context["request"].user, instance, self.field_name)


extend_schema_field(serializers.CharField())(PersonalField)


class CaseBase(serializers.ModelSerializer):
    estate_code = serializers.CharField(source="estate.code", read_only=True)
    estate_name = serializers.CharField(source="estate.name", read_only=True)
    district = serializers.CharField(source="district.name", read_only=True)
    street = serializers.CharField(source="street.name", read_only=True)
    community = serializers.CharField(source="community.name", read_only=True)
    number = serializers.CharField(read_only=True)
    service_name = serializers.CharField(source="get_service_code_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)


class DisputeSerializer(CaseBase):
    party_name = PersonalField()
    party_phone = PersonalField()
    respondent = PersonalField()
    referred_department = serializers.CharField(
        source="referred_department.name", read_only=True, default=None, allow_null=True
    )
    satisfaction = serializers.ChoiceField(choices=[("", "未回访"), *Satisfaction.choices], read_only=True)

    class Meta:
        model = DisputeCase
        fields = [
            "id",
            "number",
            "estate_code",
            "estate_name",
            "district",
            "street",
            "community",
            "service_code",
            "service_name",
            "channel",
            "party_name",
            "party_phone",
            "respondent",
            "description",
            "status",
            "status_label",
            "status_notes",
            "requested_datetime",
            "limit_hours",
            "expected_datetime",
            "closed_datetime",
            "referred_department",
            "satisfaction",
            "satisfaction_note",
            "imported",
            "updated_datetime",
            "version",
        ]
        read_only_fields = fields


class RepairSerializer(CaseBase):
    reporter_name = PersonalField()
    reporter_phone = PersonalField()
    urgency_label = serializers.CharField(source="get_urgency_display", read_only=True)
    team = serializers.CharField(source="team.name", read_only=True, default=None, allow_null=True)
    satisfaction = serializers.ChoiceField(choices=[("", "未回访"), *Satisfaction.choices], read_only=True)
    cost = serializers.SerializerMethodField(help_text="维修费用（元），两位小数的字符串")

    class Meta:
        model = RepairRequest
        fields = [
            "id",
            "number",
            "estate_code",
            "estate_name",
            "district",
            "street",
            "community",
            "service_code",
            "service_name",
            "urgency",
            "urgency_label",
            "description",
            "building",
            "unit",
            "channel",
            "reporter_name",
            "reporter_phone",
            "lat",
            "long",
            "status",
            "status_label",
            "status_notes",
            "requested_datetime",
            "limit_hours",
            "expected_datetime",
            "team",
            "dispatched_datetime",
            "arrived_datetime",
            "completed_datetime",
            "cost",
            "satisfaction",
            "satisfaction_note",
            "imported",
            "updated_datetime",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_cost(self, obj):
        return None if obj.cost_fen is None else str(fen_to_yuan(obj.cost_fen))


class DisputeCreateSerializer(serializers.Serializer):
    estate_code = serializers.CharField(max_length=32)
    service_code = serializers.ChoiceField(choices=DisputeCategory.choices)
    channel = serializers.ChoiceField(choices=CLERK_CHANNELS, default=Channel.OTHER)
    party_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    party_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    respondent = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    requested_datetime = serializers.DateTimeField(validators=[happened], required=False, allow_null=True, default=None)


class RepairCreateSerializer(serializers.Serializer):
    estate_code = serializers.CharField(max_length=32)
    service_code = serializers.ChoiceField(choices=RepairCategory.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    building = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    unit = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    channel = serializers.ChoiceField(choices=CLERK_CHANNELS, default=Channel.PHONE)
    reporter_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    reporter_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    requested_datetime = serializers.DateTimeField(validators=[happened], required=False, allow_null=True, default=None)
    lat = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, default=None, min_value=-90, max_value=90
    )
    long = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, default=None, min_value=-180, max_value=180
    )


class DisputeStepSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=["start", "resolve", "refer", "terminate", "note", "satisfaction"])
    at = serializers.DateTimeField(validators=[happened], required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True, default=None
    )
    due_on = serializers.DateField(validators=[plausible_date], required=False, allow_null=True, default=None)
    problem = serializers.CharField(required=False, allow_blank=True, default="")
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        help_text="读取该记录时的版本号（version）；记录此后被他人修改则返回 409。也可用 If-Match 请求头。",
    )


class RepairStepSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=["dispatch", "arrive", "complete", "note", "satisfaction"])
    at = serializers.DateTimeField(validators=[happened], required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    team = serializers.PrimaryKeyRelatedField(
        queryset=RepairTeam.objects.all(), required=False, allow_null=True, default=None
    )
    cost = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, default=None, help_text="元，最多两位小数"
    )
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        help_text="读取该记录时的版本号（version）；记录此后被他人修改则返回 409。也可用 If-Match 请求头。",
    )


class ReferralSerializer(serializers.ModelSerializer):
    estate_code = serializers.CharField(source="estate.code", read_only=True)
    estate_name = serializers.CharField(source="estate.name", read_only=True)
    street = serializers.CharField(source="street.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    number = serializers.CharField(read_only=True)

    class Meta:
        model = EnforcementReferral
        fields = [
            "id",
            "number",
            "estate_code",
            "estate_name",
            "street",
            "dispute",
            "department",
            "department_name",
            "problem",
            "referred_on",
            "due_on",
            "status",
            "status_label",
            "accepted_on",
            "answered_on",
            "feedback",
        ]
        read_only_fields = fields


class ReferralCreateSerializer(serializers.Serializer):
    estate_code = serializers.CharField(max_length=32)
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    problem = serializers.CharField()
    referred_on = serializers.DateField(
        validators=[happened],
    )
    due_on = serializers.DateField(
        validators=[plausible_date],
    )


class ReferralStepSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=["accept", "answer", "return"])
    on = serializers.DateField(validators=[happened], help_text="受理日期或反馈日期")
    feedback = serializers.CharField(required=False, allow_blank=True, default="")


class FilingSerializer(serializers.ModelSerializer):
    estate_code = serializers.CharField(source="estate.code", read_only=True)
    estate_name = serializers.CharField(source="estate.name", read_only=True)
    street = serializers.CharField(source="street.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    number = serializers.CharField(read_only=True)

    class Meta:
        model = Filing
        fields = [
            "id",
            "number",
            "estate_code",
            "estate_name",
            "street",
            "kind",
            "kind_label",
            "summary",
            "applicant",
            "committee",
            "owners_organisation",
            "firm",
            "contract_start",
            "contract_end",
            "submitted_on",
            "status",
            "status_label",
            "decided_on",
            "decision_note",
        ]
        read_only_fields = fields


class StationSerializer(serializers.ModelSerializer):
    street_name = serializers.CharField(source="street.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Station
        fields = [
            "id",
            "street",
            "street_name",
            "kind",
            "kind_label",
            "name",
            "address",
            "phone",
            "hours",
            "staff_on_duty",
        ]
        read_only_fields = fields


class RepairTeamSerializer(serializers.ModelSerializer):
    street_name = serializers.CharField(source="street.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = RepairTeam
        fields = [
            "id",
            "street",
            "street_name",
            "name",
            "kind",
            "kind_label",
            "firm",
            "leader",
            "phone",
            "members",
            "is_active",
        ]
        read_only_fields = fields


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name", "full_name", "valid_from", "valid_to", "successor", "source"]
        read_only_fields = fields


class TimeLimitSerializer(serializers.ModelSerializer):
    # empty for a dispute's limit (urgency is a repair's)
    urgency = serializers.ChoiceField(choices=[("", "不分紧急程度"), *Urgency.choices], read_only=True)

    class Meta:
        model = TimeLimit
        fields = ["id", "case_type", "category", "urgency", "hours", "valid_from", "valid_to", "source"]
        read_only_fields = fields
