"""API of the assessment; every queryset goes through visible_to. Inspections can also be
entered (through services.save_inspection, like the entry form); the rest is read-only."""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.response import Response

from accounts.rules import require
from communities.models import Estate

from .. import services
from ..errors import Refused
from ..filters import CycleRunFilter, EstateResultFilter, FeeRateFilter, InspectionFilter, UnitResultFilter
from ..models import CycleRun, EstateResult, FeeRate, Inspection, UnitResult
from . import serializers as s


class InspectionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """检查记录 within the caller's scope; POST enters one (its `scores` are keyed by the item
    codes of the checklist that applies: the scheme of the inspection's year, the estate's category)."""

    serializer_class = s.InspectionSerializer
    filterset_class = InspectionFilter

    def get_queryset(self):
        return Inspection.objects.visible_to(self.request.user).select_related("estate").order_by("-date", "-id")

    @extend_schema(request=s.InspectionCreateSerializer, responses={201: s.InspectionSerializer})
    def create(self, request, *args, **kwargs):
        require(request.user, "inspection")
        data = s.InspectionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        estate = Estate.objects.writable_by(request.user).filter(code=d["estate_code"].strip()).first()
        if estate is None:
            raise exceptions.ValidationError({"estate_code": ["小区编码不存在。"]})
        try:
            inspection = services.save_inspection(
                by=request.user,
                estate=estate,
                date=d["date"],
                scores=d["scores"],
                inspector_name=d["inspector_name"],
                source=d["source"],
                note=d["note"],
                submit=not d["draft"],
            )
        except Refused as exc:
            raise exceptions.ValidationError(
                {k: [v] for k, v in exc.errors.items()} or {"non_field_errors": [exc.message]}
            ) from exc
        inspection = self.get_queryset().get(pk=inspection.pk)
        return Response(
            s.InspectionSerializer(inspection, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


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
        return (
            EstateResult.objects.visible_to(self.request.user)
            .select_related("estate")
            .order_by("-year", "estate_id", "-run_id")
        )


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
