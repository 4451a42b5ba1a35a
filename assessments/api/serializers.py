from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.validation import happened

from ..choices import InspectionSource
from ..models import CycleRun, EstateResult, FeeRate, Inspection, UnitResult
from ..services import InspectionChecker


class ChecklistScoreSerializer(serializers.Serializer):
    """One item of the checklist that applies to an inspection, with its score."""

    code = serializers.CharField(help_text="项目代码（scores 的键）")
    name = serializers.CharField(help_text="项目名称")
    max_points = serializers.DecimalField(max_digits=4, decimal_places=1, help_text="满分")
    score = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True, help_text="得分（草稿可为空）")


class InspectionSerializer(serializers.ModelSerializer):
    estate_code = serializers.CharField(source="estate.code", read_only=True)
    total = serializers.DecimalField(max_digits=5, decimal_places=1, read_only=True)
    items = serializers.SerializerMethodField(
        help_text="检查表：该检查年度所适用考核方案中该小区类别的检查项目（代码、名称、满分）及得分；"
        "小区所在区有细化分解方案的，细化的项目以其子项代替（代码如 cleanliness.1，项目得分为子项之和，见 scores）。"
    )

    class Meta:
        model = Inspection
        fields = [
            "id",
            "estate",
            "estate_code",
            "date",
            "year",
            "source",
            "status",
            "inspector_name",
            "scores",
            "items",
            "total",
            "note",
            "created_at",
            "submitted_at",
            "reviewed_at",
            "review_note",
        ]

    @extend_schema_field(ChecklistScoreSerializer(many=True))
    def get_items(self, obj) -> list:
        # One checker per response: it caches each (year, category) checklist, so a page of
        # inspections costs one query per checklist, not one per inspection.
        checker = self.context.setdefault("_checklists", InspectionChecker(None))
        checklist = checker.checklist(obj.year, obj.estate.category, obj.estate.district_id) or []
        return [
            {"code": code, "name": name, "max_points": str(max_points), "score": obj.scores.get(code)}
            for code, name, max_points in checklist
        ]


class InspectionCreateSerializer(serializers.Serializer):
    """录入检查 through the API: the same checks as the entry form (services.save_inspection)."""

    estate_code = serializers.CharField(max_length=32)
    date = serializers.DateField(validators=[happened], help_text="检查日期；其年度的考核方案决定检查项目")
    inspector_name = serializers.CharField(max_length=50)
    source = serializers.ChoiceField(
        choices=InspectionSource.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text="默认按角色：街道日常检查、区级抽查或第三方评估",
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    scores = serializers.DictField(
        child=serializers.CharField(allow_blank=True, allow_null=True, max_length=20),
        help_text='各项得分，键为检查项目代码（见 items），如 {"cleanliness": "14", "order": "13.5"}；'
        "该年度方案中该小区类别的每一项都必填。",
    )
    draft = serializers.BooleanField(required=False, default=False, help_text="true：存草稿（不计分）")


class FeeRateSerializer(serializers.ModelSerializer):
    estate_code = serializers.CharField(source="estate.code", read_only=True)

    class Meta:
        model = FeeRate
        fields = ["id", "estate", "estate_code", "year", "rate", "updated_at"]


class EstateResultSerializer(serializers.ModelSerializer):
    estate_code = serializers.CharField(source="estate.code", read_only=True)
    estate_name = serializers.CharField(source="estate.name", read_only=True)

    class Meta:
        model = EstateResult
        fields = [
            "id",
            "run",
            "year",
            "is_current",
            "estate",
            "estate_code",
            "estate_name",
            "district",
            "street",
            "community",
            "assessed",
            "management",
            "effectiveness",
            "fee",
            "size",
            "total",
            "grade",
            "scheme_version",
            "category",
            "building_area",
            "renovation_year",
            "inspections_counted",
            "fee_rate",
            "disputes_received",
            "disputes_resolved",
            "repairs_reported",
            "repairs_on_time",
        ]


class UnitResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = UnitResult
        fields = [
            "id",
            "run",
            "year",
            "level",
            "district",
            "street",
            "community",
            "estates",
            "assessed",
            "three_star",
            "two_star",
            "one_star",
            "fail",
            "not_assessed",
            "assessed_area",
            "mean_score",
            "rank",
        ]


class CycleRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = CycleRun
        fields = [
            "id",
            "year",
            "scheme",
            "kind",
            "status",
            "progress",
            "progress_note",
            "created_at",
            "started_at",
            "finished_at",
            "is_current",
            "superseded_at",
            "estates_total",
            "estates_assessed",
            "grade_counts",
            "error",
        ]
