"""Registry API (/api/): scoped exactly like the pages (visible_to; outside it, 404), filtered
with the pages' FilterSets, written through communities.services."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response

from accounts.rules import can
from core.filters import FilterBackend

from .. import services
from ..filters import CommitteeFilter, CommunityFilter, EstateFilter, FirmFilter, StreetFilter
from ..models import Community, District, Estate, PropertyCommittee, ServiceFirm, Street
from ..views.common import api_pagination_class
from .serializers import (
    CommunitySerializer,
    DistrictSerializer,
    EstateSerializer,
    PropertyCommitteeSerializer,
    ServiceFirmSerializer,
    StreetSerializer,
    as_drf_error,
    committee_context,
)

NEED_IF_MATCH = "请在 If-Match 请求头中提供读取该小区时的版本号（version），以免覆盖他人在此期间的修改。"


class RegistryWritePermission(BasePermission):
    """Reading is scoping (the queryset); writing needs the role (accounts.rules, the view's
    `write_action`) and, for an existing row, the row in the user's writable scope."""

    message = "您没有执行此操作的权限。"

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return can(request.user, view.write_action)

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        return services.can_write(request.user, view.write_action, obj)


class ScopedViewSetMixin:
    """The queryset of every action is the user's scope; the pages' FilterSet filters and sorts."""

    filter_backends = [FilterBackend]

    def scoped(self):
        return self.queryset.model.objects.visible_to(self.request.user)


@extend_schema_view(
    list=extend_schema(summary="区列表", tags=["小区登记"]),
    retrieve=extend_schema(summary="区详情", tags=["小区登记"]),
)
class DistrictViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = District.objects.all()
    serializer_class = DistrictSerializer
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        return self.scoped().order_by("code")


@extend_schema_view(
    list=extend_schema(summary="街道列表", tags=["小区登记"]),
    retrieve=extend_schema(summary="街道详情", tags=["小区登记"]),
)
class StreetViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Street.objects.all()
    serializer_class = StreetSerializer
    filterset_class = StreetFilter
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        return self.scoped().select_related("district", "official_district").order_by("code")


@extend_schema_view(
    list=extend_schema(summary="社区列表", tags=["小区登记"]),
    retrieve=extend_schema(summary="社区详情", tags=["小区登记"]),
)
class CommunityViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Community.objects.all()
    serializer_class = CommunitySerializer
    filterset_class = CommunityFilter

    def get_queryset(self):
        return self.scoped().select_related("street", "district").order_by("street__code", "name", "pk")


def parse_if_match(header: str | None) -> int | None:
    """`If-Match: "3"` (or W/"3", or 3) → 3."""
    if not header:
        return None
    match = re.fullmatch(r'\s*(?:W/)?"?(\d+)"?\s*', header)
    return int(match.group(1)) if match else None


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='读取小区时得到的版本号（响应中的 version 或 ETag），例如 "3"。',
)
CONFLICT = inline_serializer("EstateConflict", {"detail": serializers.CharField(), "current": EstateSerializer()})
DETAIL = inline_serializer("Detail", {"detail": serializers.CharField()})


@extend_schema_view(
    list=extend_schema(summary="小区列表", tags=["小区登记"]),
    retrieve=extend_schema(
        summary="小区详情", tags=["小区登记"], description="响应头 ETag 为小区的当前版本号，修改时放入 If-Match。"
    ),
    create=extend_schema(summary="新增小区", tags=["小区登记"]),
    update=extend_schema(
        summary="修改小区",
        tags=["小区登记"],
        parameters=[IF_MATCH],
        responses={
            200: EstateSerializer,
            409: OpenApiResponse(CONFLICT, description="版本冲突：小区已被他人修改"),
            428: OpenApiResponse(DETAIL, description="缺少 If-Match 版本号"),
        },
    ),
    partial_update=extend_schema(
        summary="部分修改小区",
        tags=["小区登记"],
        parameters=[IF_MATCH],
        responses={
            200: EstateSerializer,
            409: OpenApiResponse(CONFLICT, description="版本冲突"),
            428: OpenApiResponse(DETAIL, description="缺少 If-Match 版本号"),
        },
    ),
)
class EstateViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """小区 within the user's scope. Districts and streets are filtered by official code
    (?district=320102&street=320102002), as on the estate list page."""

    queryset = Estate.objects.all()
    serializer_class = EstateSerializer
    filterset_class = EstateFilter
    permission_classes = [IsAuthenticated, RegistryWritePermission]
    pagination_class = api_pagination_class()
    list_related = ("district", "street", "community", "service_firm")
    # The columns the list's serializer reads: the related rows bring only their code and name
    # (a third of an API page's CPU was building full district/street/community objects).
    list_only = (
        "id",
        "code",
        "name",
        "address",
        "grid_code",
        "year_built",
        "building_area",
        "households",
        "buildings",
        "category",
        "renovation_year",
        "management_mode",
        "latitude",
        "longitude",
        "version",
        "created_at",
        "updated_at",
        "community_id",
        "district_id",
        "street_id",
        "service_firm_id",
        "district__code",
        "district__name",
        "street__code",
        "street__name",
        "community__name",
        "service_firm__name",
    )
    write_action = "estate"

    def get_queryset(self):
        queryset = self.scoped()
        if self.action != "list":
            queryset = queryset.select_related(*self.list_related)
        if not self.request.query_params.get("ordering"):
            queryset = queryset.order_by("code")
        return queryset

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = f'"{response.data["version"]}"'
        return response

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        version = parse_if_match(request.headers.get("If-Match"))
        if version is None:
            return Response({"detail": NEED_IF_MATCH}, status=status.HTTP_428_PRECONDITION_REQUIRED)
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        try:
            estate = services.update_estate(
                instance, serializer.service_values, by=request.user, expected_version=version
            )
        except services.EditConflict as exc:
            current = self.get_queryset().get(pk=exc.current.pk)
            return Response(
                {"detail": exc.message, "current": self.get_serializer(current).data}, status=status.HTTP_409_CONFLICT
            )
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        estate = self.get_queryset().get(pk=estate.pk)
        response = Response(self.get_serializer(estate).data)
        response["ETag"] = f'"{estate.version}"'
        return response

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        estate = serializer.save()
        estate = self.get_queryset().get(pk=estate.pk)
        data = self.get_serializer(estate).data
        return Response(data, status=status.HTTP_201_CREATED, headers={"ETag": f'"{estate.version}"'})


@extend_schema_view(
    list=extend_schema(summary="物业服务企业列表", tags=["小区登记"]),
    retrieve=extend_schema(summary="物业服务企业详情", tags=["小区登记"]),
    create=extend_schema(summary="登记物业服务企业", tags=["小区登记"]),
    update=extend_schema(summary="修改物业服务企业", tags=["小区登记"]),
    partial_update=extend_schema(summary="部分修改物业服务企业", tags=["小区登记"]),
)
class ServiceFirmViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """物业服务企业: a public register every signed-in user reads; written by the registering
    district, the entrusting street and city_admin."""

    queryset = ServiceFirm.objects.all()
    serializer_class = ServiceFirmSerializer
    filterset_class = FirmFilter
    permission_classes = [IsAuthenticated, RegistryWritePermission]
    write_action = "firm"

    def get_queryset(self):
        queryset = self.scoped().select_related("district", "street")
        if not self.request.query_params.get("ordering"):
            queryset = queryset.order_by("name")
        return queryset


@extend_schema_view(
    list=extend_schema(summary="物业管理委员会列表", tags=["小区登记"]),
    retrieve=extend_schema(summary="物业管理委员会详情", tags=["小区登记"]),
    create=extend_schema(summary="登记物业管理委员会", tags=["小区登记"]),
    update=extend_schema(summary="修改物业管理委员会", tags=["小区登记"]),
    partial_update=extend_schema(summary="部分修改物业管理委员会", tags=["小区登记"]),
)
class PropertyCommitteeViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = PropertyCommittee.objects.all()
    serializer_class = PropertyCommitteeSerializer
    filterset_class = CommitteeFilter
    permission_classes = [IsAuthenticated, RegistryWritePermission]
    write_action = "committee"

    def get_queryset(self):
        queryset = self.scoped().select_related("estate", "district", "street").prefetch_related("members")
        if not self.request.query_params.get("ordering"):
            queryset = queryset.order_by("-is_active", "-term_start", "pk")
        return queryset

    def get_serializer_context(self):
        return {**super().get_serializer_context(), **committee_context(self.request)}
