"""A GeoReport v2 (Open311) shaped read endpoint for other city systems (12345 hotline, the
city's service-request platform): the emergency repair requests, scoped like everything else
(a token of a district user reads that district's requests).

- GET /api/georeport/v2/services.json — the repair categories as services.
- GET /api/georeport/v2/requests.json — service requests; parameters service_request_id (comma
  separated), service_code, start_date, end_date (W3C date-times; at most 90 days apart; by
  default the last 90 days), status (open / closed); extension: page (1000 per page).
- GET /api/georeport/v2/requests/<id>.json — one request (as a one-element list).

Personal data (the reporter's name and phone) is never part of GeoReport output. Errors are
Open311-shaped: [{"code": 400, "description": "..."}].
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ..choices import RepairCategory, RepairStatus
from ..limits import SHANGHAI
from ..models import RepairRequest

MAX_RESULTS = 1000
MAX_SPAN = dt.timedelta(days=90)

ServiceShape = inline_serializer("GeoReportService", many=True, fields={
    "service_code": serializers.CharField(), "service_name": serializers.CharField(),
    "description": serializers.CharField(), "metadata": serializers.BooleanField(), "type": serializers.CharField(),
    "keywords": serializers.CharField(), "group": serializers.CharField(),
})
RequestShape = inline_serializer("GeoReportRequest", many=True, fields={
    "service_request_id": serializers.CharField(), "status": serializers.CharField(),
    "status_notes": serializers.CharField(), "service_name": serializers.CharField(),
    "service_code": serializers.CharField(), "description": serializers.CharField(),
    "agency_responsible": serializers.CharField(), "service_notice": serializers.CharField(),
    "requested_datetime": serializers.DateTimeField(), "updated_datetime": serializers.DateTimeField(),
    "expected_datetime": serializers.DateTimeField(), "address": serializers.CharField(),
    "address_id": serializers.CharField(), "zipcode": serializers.CharField(allow_null=True),
    "lat": serializers.FloatField(allow_null=True), "long": serializers.FloatField(allow_null=True),
    "media_url": serializers.CharField(allow_null=True),
})


class GeoReportError(Exception):
    def __init__(self, description: str, code: int = 400):
        super().__init__(description)
        self.description, self.code = description, code

    def response(self):
        return Response([{"code": self.code, "description": self.description}], status=self.code)


def _w3c(value: dt.datetime | None) -> str | None:
    return value.astimezone(SHANGHAI).isoformat(timespec="seconds") if value else None


def _moment(text: str, name: str) -> dt.datetime:
    try:  # a well-formed but impossible moment (2019-02-30T10:00) is a ValueError, not a 500
        value = parse_datetime(text)
        day = parse_date(text) if value is None else None
    except ValueError:
        value = day = None
    if value is None:
        if day is None:
            raise GeoReportError(f"{name} 应为 W3C 日期时间，如 2019-03-05T14:30:00+08:00。")
        value = dt.datetime(day.year, day.month, day.day)
    return value if timezone.is_aware(value) else value.replace(tzinfo=SHANGHAI)


def service_request(repair: RepairRequest) -> dict:
    estate = repair.estate
    return {
        "service_request_id": repair.number,
        "status": "closed" if repair.status == RepairStatus.COMPLETED else "open",
        "status_notes": repair.status_notes or repair.get_status_display(),
        "service_name": repair.get_service_code_display(),
        "service_code": repair.service_code,
        "description": repair.description,
        "agency_responsible": repair.team.name if repair.team_id else f"{repair.street.name}应急维修服务站",
        "service_notice": f"{repair.get_urgency_display()}：{repair.limit_hours}小时内完成",
        "requested_datetime": _w3c(repair.requested_datetime),
        "updated_datetime": _w3c(repair.updated_datetime),
        "expected_datetime": _w3c(repair.expected_datetime),
        "address": "".join(p for p in (estate.address or estate.name, repair.location) if p),
        "address_id": estate.code,
        "zipcode": None,
        # coordinates, not money: JSON numbers as GeoReport expects
        "lat": float(repair.lat) if repair.lat is not None else None,
        "long": float(repair.long) if repair.long is not None else None,
        "media_url": None,
    }


def _queryset(user):
    return RepairRequest.objects.visible_to(user).select_related("estate", "street", "team")


class ServicesView(APIView):
    """GeoReport v2 service list: the categories of emergency repair."""

    @extend_schema(responses=ServiceShape, tags=["georeport"])
    def get(self, request):
        return Response([
            {"service_code": c.value, "service_name": c.label, "description": f"应急维修：{c.label}",
             "metadata": False, "type": "realtime", "keywords": "应急维修", "group": "应急维修"}
            for c in RepairCategory
        ])


class RequestsView(APIView):
    """GeoReport v2 service requests (emergency repairs in the caller's scope)."""

    @extend_schema(
        tags=["georeport"], responses=RequestShape,
        parameters=[
            OpenApiParameter("service_request_id", str, description="逗号分隔的编号（如 WX000123）"),
            OpenApiParameter("service_code", str), OpenApiParameter("status", str, enum=["open", "closed"]),
            OpenApiParameter("start_date", str, description="W3C 日期时间"), OpenApiParameter("end_date", str),
            OpenApiParameter("page", int, description="扩展：每页 1000 条"),
        ],
    )
    def get(self, request):
        try:
            return Response(self._results(request))
        except GeoReportError as exc:
            return exc.response()

    def _results(self, request):
        qs = _queryset(request.user)
        params = request.query_params
        if params.get("service_request_id"):
            ids = [_request_pk(v) for v in params["service_request_id"].split(",") if v.strip()][:MAX_RESULTS]
            return [service_request(r) for r in qs.filter(pk__in=ids).order_by("-requested_datetime", "-id")]
        if params.get("service_code"):
            codes = [c.strip() for c in params["service_code"].split(",")]
            unknown = [c for c in codes if c not in RepairCategory.values]
            if unknown:
                raise GeoReportError("service_code 不存在：" + "、".join(unknown))
            qs = qs.filter(service_code__in=codes)
        status_ = params.get("status")
        if status_:
            if status_ not in ("open", "closed"):
                raise GeoReportError("status 应为 open 或 closed。")
            qs = qs.filter(completed_datetime__isnull=(status_ == "open"))
        end = _moment(params["end_date"], "end_date") if params.get("end_date") else timezone.now()
        start = _moment(params["start_date"], "start_date") if params.get("start_date") else end - MAX_SPAN
        if start > end:
            raise GeoReportError("start_date 不能晚于 end_date。")
        if end - start > MAX_SPAN:
            raise GeoReportError("start_date 与 end_date 最多相隔90天。")
        qs = qs.filter(requested_datetime__gte=start, requested_datetime__lte=end).order_by("-requested_datetime", "-id")
        page = params.get("page", "1")
        if not re.fullmatch(r"[0-9]{1,9}", page) or int(page) < 1:
            raise GeoReportError("page 应为正整数。")
        page = int(page)
        offset = (page - 1) * MAX_RESULTS
        return [service_request(r) for r in qs[offset : offset + MAX_RESULTS]]


def _request_pk(value: str) -> int:
    text = value.strip().upper().removeprefix("WX")
    if not re.fullmatch(r"[0-9]{1,18}", text):  # ASCII digits within bigint (no 500 on PostgreSQL)
        raise GeoReportError(f"service_request_id 格式不正确：{value.strip()[:20]}")
    return int(text)


class RequestView(APIView):
    """One GeoReport v2 service request, as a one-element list; 404 outside the caller's scope."""

    @extend_schema(tags=["georeport"], responses=RequestShape)
    def get(self, request, request_id: str):
        try:
            pk = _request_pk(request_id)
        except GeoReportError as exc:
            return exc.response()
        repair = _queryset(request.user).filter(pk=pk).first()
        if repair is None:
            return GeoReportError("未找到该服务请求。", code=404).response()
        return Response([service_request(repair)])
