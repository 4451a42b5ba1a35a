from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.money import fen_to_yuan

from ..models import Allocation, AllocationSheet


@extend_schema_field(OpenApiTypes.STR)
class YuanField(serializers.Field):
    """Fen (int) in the database → yuan as a string with two places ("117361.80")."""

    def to_representation(self, value):
        return str(fen_to_yuan(value))


class SheetSerializer(serializers.ModelSerializer):
    district_name = serializers.CharField(source="district.name", read_only=True)
    management = YuanField(source="management_fen", read_only=True)
    startup = YuanField(source="startup_fen", read_only=True)
    total = YuanField(source="total_fen", read_only=True)
    city = YuanField(source="city_fen", read_only=True)
    district_share = YuanField(source="district_fen", read_only=True)

    class Meta:
        model = AllocationSheet
        fields = [
            "id",
            "year",
            "district",
            "district_name",
            "version",
            "kind",
            "status",
            "estates",
            "area",
            "management",
            "startup",
            "total",
            "city",
            "district_share",
            "reason",
            "confirmed_at",
            "approved_at",
            "settled_at",
        ]
        read_only_fields = fields


class AllocationSerializer(serializers.ModelSerializer):
    estate_code = serializers.CharField(source="estate.code", read_only=True)
    amount = YuanField(source="amount_fen", read_only=True)
    city = YuanField(source="city_fen", read_only=True)
    district_share = YuanField(source="district_fen", read_only=True)
    previous = YuanField(source="previous_fen", read_only=True)

    class Meta:
        model = Allocation
        fields = [
            "id",
            "sheet",
            "estate",
            "estate_code",
            "kind",
            "area",
            "score",
            "grade",
            "rate",
            "renovation_year",
            "tranche",
            "amount",
            "city",
            "district_share",
            "previous",
            "payee",
            "contract",
            "payee_contract",
            "payee_basis",
        ]
        read_only_fields = [f for f in fields if f != "payee"]
