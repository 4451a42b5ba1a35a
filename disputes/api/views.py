"""REST API of the two stations: scoped reads (visible_to), writes through the services."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.rules import require
from communities.models import Estate
from core.locking import mark_seen

from .. import services
from ..filters import DisputeFilter, FilingFilter, ReferralFilter, RepairFilter, RepairTeamFilter, StationFilter
from ..models import Department, DisputeCase, EnforcementReferral, Filing, RepairRequest, RepairTeam, Station, TimeLimit
from ..validation import ESTATE_NOT_FOUND
from . import serializers as s


def _estate(user, code):
    estate = Estate.objects.writable_by(user).filter(code=(code or "").strip()).first()
    if estate is None:
        raise DjangoValidationError({"estate_code": ESTATE_NOT_FOUND})
    return estate


class ScopedViewSet(viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    model = None
    related: tuple = ()

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user).select_related(*self.related)

    def _object(self, pk):
        return get_object_or_404(self.get_queryset(), pk=pk)

    def _as_seen(self, case, data):
        """The version the client read (If-Match header, else `version` in the body): a step on
        a case that changed since is refused with 409 (core.locking)."""
        mark_seen(case, self.request.headers.get("If-Match") or data.get("version"))
        return case


class DisputeViewSet(ScopedViewSet, mixins.CreateModelMixin):
    """矛盾纠纷. Personal fields are masked except for the case's street clerk and community advisor."""

    model = DisputeCase
    related = ("estate", "district", "street", "community", "referred_department")
    serializer_class = s.DisputeSerializer
    filterset_class = DisputeFilter
    ordering_fields = ["requested_datetime", "expected_datetime", "closed_datetime"]
    ordering = ["-requested_datetime", "-id"]

    @extend_schema(request=s.DisputeCreateSerializer, responses={201: s.DisputeSerializer})
    def create(self, request, *args, **kwargs):
        require(request.user, "case")
        data = s.DisputeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        case = services.create_dispute(by=request.user, estate=_estate(request.user, d.pop("estate_code")), **d)
        return Response(s.DisputeSerializer(case, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.DisputeStepSerializer, responses=s.DisputeSerializer)
    @action(detail=True, methods=["post"])
    def step(self, request, pk=None):
        """A workflow step: start, resolve, refer (with department and due_on), terminate; or a note or the satisfaction."""
        case = self._object(pk)
        require(request.user, "case")
        data = s.DisputeStepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        self._as_seen(case, d)
        if d["step"] == "note":
            case = services.add_dispute_note(case, by=request.user, note=d["note"], at=d["at"])
        elif d["step"] == "satisfaction":
            case = services.record_dispute_satisfaction(case, by=request.user, satisfaction=d["satisfaction"], note=d["note"])
        else:
            case = services.transition_dispute(case, d["step"], by=request.user, at=d["at"], note=d["note"],
                                               department=d["department"], due_on=d["due_on"], problem=d["problem"])
        case = self._object(case.pk)
        return Response(s.DisputeSerializer(case, context={"request": request}).data)


class RepairViewSet(ScopedViewSet, mixins.CreateModelMixin):
    """应急维修 (Open311 GeoReport field names where one fits)."""

    model = RepairRequest
    related = ("estate", "district", "street", "community", "team")
    serializer_class = s.RepairSerializer
    filterset_class = RepairFilter
    ordering_fields = ["requested_datetime", "expected_datetime", "completed_datetime"]
    ordering = ["-requested_datetime", "-id"]

    @extend_schema(request=s.RepairCreateSerializer, responses={201: s.RepairSerializer})
    def create(self, request, *args, **kwargs):
        require(request.user, "case")
        data = s.RepairCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        repair = services.create_repair(by=request.user, estate=_estate(request.user, d.pop("estate_code")), **d)
        return Response(s.RepairSerializer(self._object(repair.pk), context={"request": request}).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=s.RepairStepSerializer, responses=s.RepairSerializer)
    @action(detail=True, methods=["post"])
    def step(self, request, pk=None):
        """dispatch (team), arrive, complete (cost in yuan), note, satisfaction."""
        repair = self._object(pk)
        require(request.user, "case")
        data = s.RepairStepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d, by = data.validated_data, request.user
        self._as_seen(repair, d)
        step = d["step"]
        if step == "dispatch":
            if d["team"] is None:
                raise DjangoValidationError({"team": "请选择本街道在用的维修队伍。"})
            services.dispatch_repair(repair, by=by, team=d["team"], at=d["at"], note=d["note"])
        elif step == "arrive":
            services.record_arrival(repair, by=by, at=d["at"], note=d["note"])
        elif step == "complete":
            services.complete_repair(repair, by=by, at=d["at"], cost=d["cost"], note=d["note"])
        elif step == "note":
            services.add_repair_note(repair, by=by, note=d["note"])
        else:
            services.record_repair_satisfaction(repair, by=by, satisfaction=d["satisfaction"], note=d["note"])
        return Response(s.RepairSerializer(self._object(repair.pk), context={"request": request}).data)


class ReferralViewSet(ScopedViewSet, mixins.CreateModelMixin):
    """联合执法移交."""

    model = EnforcementReferral
    related = ("estate", "street", "department")
    serializer_class = s.ReferralSerializer
    filterset_class = ReferralFilter
    ordering = ["-referred_on", "-id"]

    @extend_schema(request=s.ReferralCreateSerializer, responses={201: s.ReferralSerializer})
    def create(self, request, *args, **kwargs):
        require(request.user, "referral")
        data = s.ReferralCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        referral = services.create_referral(by=request.user, estate=_estate(request.user, d.pop("estate_code")), **d)
        return Response(s.ReferralSerializer(self._object(referral.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ReferralStepSerializer, responses=s.ReferralSerializer)
    @action(detail=True, methods=["post"])
    def step(self, request, pk=None):
        """accept (on = the department's acceptance date), answer or return (on = feedback date, feedback)."""
        referral = self._object(pk)
        require(request.user, "referral")
        data = s.ReferralStepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        if d["step"] == "accept":
            services.accept_referral(referral, by=request.user, accepted_on=d["on"])
        else:
            services.answer_referral(referral, by=request.user, answered_on=d["on"], feedback=d["feedback"],
                                     returned=d["step"] == "return")
        return Response(s.ReferralSerializer(self._object(referral.pk)).data)


class FilingViewSet(ScopedViewSet):
    """备案 (read-only here; filings are recorded on the pages with their documents)."""

    model = Filing
    related = ("estate", "street")
    serializer_class = s.FilingSerializer
    filterset_class = FilingFilter
    ordering = ["-submitted_on", "-id"]


class StationViewSet(ScopedViewSet):
    model = Station
    related = ("street",)
    serializer_class = s.StationSerializer
    filterset_class = StationFilter
    ordering = ["street__code", "kind"]


class RepairTeamViewSet(ScopedViewSet):
    model = RepairTeam
    related = ("street",)
    serializer_class = s.RepairTeamSerializer
    filterset_class = RepairTeamFilter
    ordering = ["street__code", "name"]


class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    """联合执法部门: the dated list (reference data, the same for everyone)."""

    queryset = Department.objects.select_related("successor")
    serializer_class = s.DepartmentSerializer
    filterset_fields = ["code"]
    pagination_class = None


class TimeLimitViewSet(viewsets.ReadOnlyModelViewSet):
    """处理时限 (reference data)."""

    queryset = TimeLimit.objects.all()
    serializer_class = s.TimeLimitSerializer
    filterset_fields = ["case_type", "urgency", "category"]
    pagination_class = None
