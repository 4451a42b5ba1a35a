"""Read-only API of the assessment; every queryset goes through visible_to."""

from rest_framework import viewsets

from ..filters import CycleRunFilter, EstateResultFilter, FeeRateFilter, InspectionFilter, UnitResultFilter
from ..models import CycleRun, EstateResult, FeeRate, Inspection, UnitResult
from . import serializers as s


class InspectionViewSet(viewsets.ReadOnlyModelViewSet):
    """检查记录 within the caller's scope."""

    serializer_class = s.InspectionSerializer
    filterset_class = InspectionFilter

    def get_queryset(self):
        return Inspection.objects.visible_to(self.request.user).select_related("estate").order_by("-date", "-id")


class FeeRateViewSet(viewsets.ReadOnlyModelViewSet):
    """物业费收缴率 within the caller's scope."""

    serializer_class = s.FeeRateSerializer
    filterset_class = FeeRateFilter

    def get_queryset(self):
        return FeeRate.objects.visible_to(self.request.user).select_related("estate").order_by("-year", "estate_id")


class EstateResultViewSet(viewsets.ReadOnlyModelViewSet):
    """小区考核结果 (current and superseded runs) within the caller's scope."""

    serializer_class = s.EstateResultSerializer
    filterset_class = EstateResultFilter

    def get_queryset(self):
        return EstateResult.objects.visible_to(self.request.user).select_related("estate").order_by("-year", "estate_id", "-run_id")


class UnitResultViewSet(viewsets.ReadOnlyModelViewSet):
    """社区/街道/区 roll-ups within the caller's scope."""

    serializer_class = s.UnitResultSerializer
    filterset_class = UnitResultFilter

    def get_queryset(self):
        return UnitResult.objects.visible_to(self.request.user).order_by("-year", "level", "id")


class CycleRunViewSet(viewsets.ReadOnlyModelViewSet):
    """考核计分任务: city roles only (others see none)."""

    serializer_class = s.CycleRunSerializer
    filterset_class = CycleRunFilter

    def get_queryset(self):
        if getattr(self.request.user, "scope_level", None) != "city":
            return CycleRun.objects.none()
        return CycleRun.objects.all().order_by("-created_at", "-id")
