from rest_framework import serializers

from ..models import CycleRun, EstateResult, FeeRate, Inspection, UnitResult


class InspectionSerializer(serializers.ModelSerializer):
    estate_code = serializers.CharField(source="estate.code", read_only=True)
    total = serializers.DecimalField(max_digits=5, decimal_places=1, read_only=True)

    class Meta:
        model = Inspection
        fields = ["id", "estate", "estate_code", "date", "year", "source", "status", "inspector_name", "scores", "total",
                  "note", "created_at", "submitted_at", "reviewed_at", "review_note"]


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
        fields = ["id", "run", "year", "is_current", "estate", "estate_code", "estate_name", "district", "street", "community",
                  "assessed", "management", "effectiveness", "fee", "size", "total", "grade", "scheme_version", "category",
                  "building_area", "renovation_year", "inspections_counted", "fee_rate", "disputes_received",
                  "disputes_resolved", "repairs_reported", "repairs_on_time"]


class UnitResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = UnitResult
        fields = ["id", "run", "year", "level", "district", "street", "community", "estates", "assessed", "three_star",
                  "two_star", "one_star", "fail", "not_assessed", "assessed_area", "mean_score", "rank"]


class CycleRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = CycleRun
        fields = ["id", "year", "scheme", "kind", "status", "progress", "progress_note", "created_at", "started_at",
                  "finished_at", "is_current", "superseded_at", "estates_total", "estates_assessed", "grade_counts", "error"]
