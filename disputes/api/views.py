"""REST API of the two stations: scoped reads (visible_to), writes through the services."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.rules import require
from communities.models import Estate
from core.locking import VersionedModel, mark_seen

from .. import services
from ..filters import DisputeFilter, FilingFilter, ReferralFilter, RepairFilter, RepairTeamFilter, StationFilter
from ..models import Department, Filing, RepairTeam, Station, TimeLimit
from ..validation import ESTATE_NOT_FOUND
from ..workflow import KINDS
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


class CaseViewSet(ScopedViewSet, mixins.CreateModelMixin):
    """A case kind's API (disputes.workflow): scoped reads, and receive through the kind's
    service under the kind's rule. create_serializer: what the client sends; create_service:
    the service, given the estate resolved from estate_code."""

    kind = ""
    create_serializer = None
    create_service = None
    ordering = ["-requested_datetime", "-id"]

    def create(self, request, *args, **kwargs):
        require(request.user, KINDS[self.kind].rule)
        data = self.create_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        case = type(self).create_service(by=request.user, estate=_estate(request.user, d.pop("estate_code")), **d)
        return Response(self.get_serializer(self._object(case.pk)).data, status=status.HTTP_201_CREATED)

    step_serializer = None
    steps: dict = {}

    @action(detail=True, methods=["post"])
    def step(self, request, pk=None):
        """A workflow step: `steps` names the service of each step the API offers."""
        case = self._object(pk)
        require(request.user, KINDS[self.kind].rule)
        data = self.step_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        if isinstance(case, VersionedModel):
            self._as_seen(case, d)
        type(self).steps[d["step"]](case, request.user, d)
        return Response(self.get_serializer(self._object(case.pk)).data)


def case_api(kind: str, *, create, step, read, steps: str):
    """A kind's API class: its model (disputes.workflow), the serializers of its create, its step
    and its reads, and their OpenAPI description (the shared actions read these)."""

    def decorate(cls):
        cls.kind, cls.model = kind, KINDS[kind].model
        cls.create_serializer, cls.step_serializer, cls.serializer_class = create, step, read
        return extend_schema_view(
            create=extend_schema(request=create, responses={201: read}),
            step=extend_schema(request=step, responses=read, description=steps),
        )(cls)

    return decorate


def _repair_dispatch(repair, by, d):
    if d["team"] is None:
        raise DjangoValidationError({"team": "请选择本街道在用的维修队伍。"})
    services.dispatch_repair(repair, by=by, team=d["team"], at=d["at"], note=d["note"])


def _rating(service):
    """回访满意度 of a resident's case, the same for every kind that has one."""
    return lambda case, by, d: service(case, by=by, satisfaction=d["satisfaction"], note=d["note"])


def _transition(case, by, d):
    services.transition_dispute(
        case,
        d["step"],
        by=by,
        at=d["at"],
        note=d["note"],
        department=d["department"],
        due_on=d["due_on"],
        problem=d["problem"],
    )


@case_api(
    "dispute",
    create=s.DisputeCreateSerializer,
    step=s.DisputeStepSerializer,
    read=s.DisputeSerializer,
    steps="A workflow step: start, resolve, refer (with department and due_on), terminate; or a note or the satisfaction.",
)
class DisputeViewSet(CaseViewSet):
    """矛盾纠纷. Personal fields are masked except for the case's street clerk and community advisor."""

    create_service = staticmethod(services.create_dispute)
    steps = {
        "start": _transition,
        "resolve": _transition,
        "refer": _transition,
        "terminate": _transition,
        "note": lambda case, by, d: services.add_dispute_note(case, by=by, note=d["note"], at=d["at"]),
        "satisfaction": _rating(services.record_dispute_satisfaction),
    }
    related = ("estate", "district", "street", "community", "referred_department")
    filterset_class = DisputeFilter
    ordering_fields = ["requested_datetime", "expected_datetime", "closed_datetime"]


@case_api(
    "repair",
    create=s.RepairCreateSerializer,
    step=s.RepairStepSerializer,
    read=s.RepairSerializer,
    steps="dispatch (team), arrive, complete (cost in yuan), note, satisfaction.",
)
class RepairViewSet(CaseViewSet):
    """应急维修 (Open311 GeoReport field names where one fits)."""

    create_service = staticmethod(services.create_repair)
    steps = {
        "dispatch": _repair_dispatch,
        "arrive": lambda repair, by, d: services.record_arrival(repair, by=by, at=d["at"], note=d["note"]),
        "complete": lambda repair, by, d: services.complete_repair(
            repair, by=by, at=d["at"], cost=d["cost"], note=d["note"]
        ),
        "note": lambda repair, by, d: services.add_repair_note(repair, by=by, note=d["note"]),
        "satisfaction": _rating(services.record_repair_satisfaction),
    }
    related = ("estate", "district", "street", "community", "team")
    filterset_class = RepairFilter
    ordering_fields = ["requested_datetime", "expected_datetime", "completed_datetime"]


@case_api(
    "referral",
    create=s.ReferralCreateSerializer,
    step=s.ReferralStepSerializer,
    read=s.ReferralSerializer,
    steps="accept (on = the department's acceptance date), answer or return (on = feedback date, feedback).",
)
class ReferralViewSet(CaseViewSet):
    """联合执法移交."""

    create_service = staticmethod(services.create_referral)
    steps = {
        "accept": lambda referral, by, d: services.accept_referral(referral, by=by, accepted_on=d["on"]),
        "answer": lambda referral, by, d: services.answer_referral(
            referral, by=by, answered_on=d["on"], feedback=d["feedback"], returned=False
        ),
        "return": lambda referral, by, d: services.answer_referral(
            referral, by=by, answered_on=d["on"], feedback=d["feedback"], returned=True
        ),
    }
    related = ("estate", "street", "department")
    filterset_class = ReferralFilter
    ordering = ["-referred_on", "-id"]


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
