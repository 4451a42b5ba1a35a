"""Open311 GeoReport v2 endpoints under /api/georeport/v2/ (docs/open311.md), for the city's 12345
hotline and any Open311 client; each in JSON (`.json`) and XML (`.xml`).

GET needs no login and shows public fields only (integrations.open311). POST requests.{fmt}
needs a key from `manage.py create_api_key` whose districts include the estate; the case is
created through the disputes services (channel 12345热线), as the system account (系统), so the
time limit runs from the server's receipt time. Errors are the standard's: a list of
{code, description}, with the HTTP status of the code; never a 500.

The JSON endpoints are described in the OpenAPI schema; the XML twins are the same operations
and are left out of it.
"""

from __future__ import annotations

import logging

from axes.helpers import get_client_ip_address
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from core.commands import system_user
from core.history import acting_as
from disputes import services
from disputes import validation as v
from disputes.choices import Channel

from . import open311 as o
from .keys import KeyRefused, check_district, key_for, mark_used
from .models import Open311Request

log = logging.getLogger(__name__)

ServiceShape = inline_serializer(
    "GeoReportService",
    many=True,
    fields={
        "service_code": serializers.CharField(),
        "service_name": serializers.CharField(),
        "description": serializers.CharField(),
        "metadata": serializers.BooleanField(),
        "type": serializers.CharField(),
        "keywords": serializers.CharField(),
        "group": serializers.CharField(),
    },
)
DefinitionShape = inline_serializer(
    "GeoReportServiceDefinition",
    fields={
        "service_code": serializers.CharField(),
        "attributes": serializers.ListField(child=serializers.DictField()),
    },
)
RequestShape = inline_serializer(
    "GeoReportRequest",
    many=True,
    fields={
        "service_request_id": serializers.CharField(),
        "status": serializers.CharField(),
        "status_notes": serializers.CharField(),
        "service_name": serializers.CharField(),
        "service_code": serializers.CharField(),
        "description": serializers.CharField(allow_blank=True),
        "agency_responsible": serializers.CharField(),
        "service_notice": serializers.CharField(),
        "requested_datetime": serializers.DateTimeField(),
        "updated_datetime": serializers.DateTimeField(),
        "expected_datetime": serializers.DateTimeField(),
        "address": serializers.CharField(),
        "address_id": serializers.CharField(),
        "zipcode": serializers.CharField(allow_null=True),
        "lat": serializers.FloatField(allow_null=True),
        "long": serializers.FloatField(allow_null=True),
        "media_url": serializers.CharField(allow_null=True),
    },
)
CreatedShape = inline_serializer(
    "GeoReportCreated",
    many=True,
    fields={
        "service_request_id": serializers.CharField(),
        "token": serializers.CharField(),
        "service_notice": serializers.CharField(),
        "account_id": serializers.CharField(allow_null=True),
    },
)
TokenShape = inline_serializer(
    "GeoReportToken",
    many=True,
    fields={
        "service_request_id": serializers.CharField(),
        "token": serializers.CharField(),
    },
)
DiscoveryShape = inline_serializer(
    "GeoReportDiscovery",
    fields={
        "changeset": serializers.CharField(),
        "contact": serializers.CharField(),
        "key_service": serializers.CharField(),
        "endpoints": serializers.ListField(child=serializers.DictField()),
    },
)
PostShape = inline_serializer(
    "GeoReportPost",
    fields={
        "api_key": serializers.CharField(),
        "service_code": serializers.CharField(),
        "address_id": serializers.CharField(required=False, help_text="小区编码"),
        "lat": serializers.CharField(required=False),
        "long": serializers.CharField(required=False),
        "description": serializers.CharField(),
        "media_url": serializers.CharField(required=False),
        "first_name": serializers.CharField(required=False),
        "last_name": serializers.CharField(required=False),
        "phone": serializers.CharField(required=False),
        "attribute[urgency]": serializers.CharField(required=False, help_text="应急维修必填：urgent / normal"),
        "attribute[building]": serializers.CharField(required=False),
        "attribute[room]": serializers.CharField(required=False),
        "attribute[respondent]": serializers.CharField(required=False),
    },
)


class Open311View(APIView):
    """Public, in the format of the URL's extension; no session, so no CSRF: POST carries a key."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    fmt = "json"
    # The body is read by open311.parse_body (form, JSON, XML), not by DRF's parsers: the API's
    # JSON-only guard (core.api.request_guard) leaves it to the view, which refuses any other
    # format in the standard's error shape.
    reads_own_body = True

    def perform_content_negotiation(self, request, force=False):
        # The extension decides the format (the standard), not the Accept header.
        return super().perform_content_negotiation(request, force=True)

    def answer(self, data, root: str, status: int = 200):
        return o.render(data, self.fmt, root, status)

    def refuse(self, exc):
        return o.error(exc, self.fmt)


class DiscoveryView(Open311View):
    """GeoReport v2 discovery: where the endpoint is and what it speaks."""

    @extend_schema(tags=["georeport"], responses=DiscoveryShape)
    def get(self, request):
        base = request.build_absolute_uri("/api/georeport/v2/")
        return self.answer(
            {
                "changeset": o.CHANGESET,
                "contact": "南京市房产局物业办（老旧小区管理平台）",
                "key_service": "接口密钥由市房产局发放（manage.py create_api_key），仅提交工单需要。",
                "endpoints": [
                    {
                        "specification": o.SPECIFICATION,
                        "url": base,
                        "changeset": o.CHANGESET,
                        "type": "production",
                        "formats": ["text/xml", "application/json"],
                    }
                ],
            },
            "discovery",
        )


class ServicesView(Open311View):
    """GeoReport v2 service list: the repair categories and the dispute categories."""

    @extend_schema(tags=["georeport"], responses=ServiceShape)
    def get(self, request):
        return self.answer(o.service_list(), "services")


class ServiceView(Open311View):
    """GeoReport v2 service definition: the attributes a request of this service takes."""

    @extend_schema(tags=["georeport"], responses=DefinitionShape)
    def get(self, request, service_code: str):
        try:
            return self.answer(o.service_definition(service_code), "service_definition")
        except o.Open311Error as exc:
            return self.refuse(exc)


class RequestsView(Open311View):
    """GeoReport v2 service requests: GET the public list; POST a new one (12345 work order)."""

    @extend_schema(
        tags=["georeport"],
        responses=RequestShape,
        parameters=[
            OpenApiParameter("service_request_id", str, description="逗号分隔的编号（如 WX000123,JF000045）"),
            OpenApiParameter("service_code", str),
            OpenApiParameter("status", str, enum=["open", "closed"]),
            OpenApiParameter("start_date", str, description="W3C 日期时间"),
            OpenApiParameter("end_date", str),
            OpenApiParameter("page", int, description="扩展：每页 1000 条"),
        ],
    )
    def get(self, request):
        try:
            return self.answer(o.search(request.query_params), "service_requests")
        except o.Open311Error as exc:
            return self.refuse(exc)

    @extend_schema(
        tags=["georeport"],
        request={"application/x-www-form-urlencoded": PostShape, "application/json": PostShape},
        responses={201: CreatedShape},
    )
    def post(self, request):
        try:
            return self.answer(self._create(request), "service_requests", status=201)
        except (o.Open311Error, KeyRefused) as exc:
            return self.refuse(exc)

    def _create(self, request) -> list[dict]:
        # The client's address as the login lockout sees it (AXES_IPWARE_PROXY_COUNT behind a proxy).
        o.throttle("ip", get_client_ip_address(request._request) or "")
        fields = o.parse_body(request._request)
        header = request.headers.get("Authorization", "")
        key = key_for(fields.get("api_key") or (header[8:] if header.startswith("Api-Key ") else ""))
        o.throttle("key", key.pk)
        kind, category = o.lookup_service(fields.get("service_code"))
        estate, lat, long = o.locate(fields)
        check_district(key, estate)
        description = o.text_field(fields, "description", "问题描述", 500, required=True)
        name = o.text_field(
            {"name": fields.get("last_name", "").strip() + fields.get("first_name", "").strip()},
            "name",
            "姓名（last_name + first_name）",
            50,
        )
        media = o.media_url(fields)
        try:
            phone = v.normalise_phone(fields.get("phone", "")[:40])
        except ValidationError:
            raise o.Open311Error("phone " + v.PHONE_MESSAGE) from None
        if phone:
            o.throttle("phone", phone)
        system = system_user()
        try:
            with transaction.atomic(), acting_as(system):
                if kind == "repair":
                    case = services.create_repair(
                        by=system,
                        estate=estate,
                        service_code=category,
                        urgency=o.urgency(fields),
                        description=description,
                        channel=Channel.HOTLINE,
                        reporter_name=name,
                        reporter_phone=phone,
                        building=o.text_field(fields, "attribute[building]", "楼栋", 20),
                        unit=o.text_field(fields, "attribute[room]", "单元/室", 20),
                        lat=lat,
                        long=long,
                    )
                    link = Open311Request.objects.create(api_key=key, repair=case, media_url=media)
                else:
                    case = services.create_dispute(
                        by=system,
                        estate=estate,
                        service_code=category,
                        channel=Channel.HOTLINE,
                        party_name=name,
                        party_phone=phone,
                        description=description,
                        respondent=o.text_field(fields, "attribute[respondent]", "被反映方", 100),
                    )
                    link = Open311Request.objects.create(api_key=key, dispute=case, media_url=media)
        except ValidationError as exc:
            raise o.Open311Error("；".join(exc.messages)) from exc
        except PermissionDenied as exc:
            raise o.Open311Error(str(exc), code=403) from exc
        mark_used(key)
        # The key's name and the case number only: never the reporter's number or name.
        log.info("open311: %s created %s at %s", key.name, case.number, estate.code)
        notice = o.public_request(case)["service_notice"]
        return [{"service_request_id": case.number, "token": link.token, "service_notice": notice, "account_id": None}]


class RequestView(Open311View):
    """One GeoReport v2 service request, as a one-element list."""

    @extend_schema(tags=["georeport"], responses=RequestShape)
    def get(self, request, request_id: str):
        try:
            case = o.case_by_number(request_id)
        except o.Open311Error as exc:
            return self.refuse(exc)
        if case is None:
            return self.refuse(o.Open311Error("未找到该服务请求。", code=404))
        return self.answer([o.public_request(case)], "service_requests")


class TokenView(Open311View):
    """GeoReport v2 token: the service_request_id behind the token a POST answered."""

    @extend_schema(tags=["georeport"], responses=TokenShape)
    def get(self, request, token: str):
        link = Open311Request.objects.select_related("repair", "dispute").filter(token=token[:40]).first()
        if link is None:
            return self.refuse(o.Open311Error("未找到该令牌对应的工单。", code=404))
        return self.answer([{"service_request_id": link.case.number, "token": link.token}], "service_requests")


def xml_twin(view):
    """The same operation answering XML; not a second operation in the OpenAPI schema."""
    return extend_schema(exclude=True)(type(f"{view.__name__}XML", (view,), {"fmt": "xml"}))


VIEWS = {
    "discovery": DiscoveryView,
    "services": ServicesView,
    "service": ServiceView,
    "requests": RequestsView,
    "request": RequestView,
    "token": TokenView,
}
XML_VIEWS = {name: xml_twin(view) for name, view in VIEWS.items()}
