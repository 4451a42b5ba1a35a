"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): what the endpoints say, in JSON
or XML, and how a POST becomes a case.

Services: the repair categories keep their bare codes (water_pipe …, as the read endpoint always
had them); the dispute categories are `dispute_<code>` (dispute_parking …), since both lists
have an `other`. Requests: repairs are WX000123, disputes JF000123 (the cases' own numbers).

Public output (GET needs no login): status, category, the estate (never the building or room),
the estate's coordinates (not the reporter's point), times in +08:00, the handling station. Never
the reporter's name or number; a repair's description with any run of 7 or more digits masked;
a dispute's description not at all (it names neighbours and parties).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
import time
from decimal import Decimal, InvalidOperation

from defusedxml import ElementTree as SafeET
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.validators import URLValidator
from django.http import HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from lxml import etree

from communities.models import Estate
from disputes.choices import DisputeCategory, RepairCategory, RepairStatus, Urgency
from disputes.limits import SHANGHAI
from disputes.models import DisputeCase, RepairRequest

DISPUTE_PREFIX = "dispute_"
MAX_RESULTS = 1000
MAX_SPAN = dt.timedelta(days=90)
MAX_BODY = 64 * 1024  # a work order is a few hundred bytes; anything larger is not one
# The date of this interface's last change, for discovery.json.
CHANGESET = "2026-12-05T00:00:00+08:00"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


class Open311Error(Exception):
    """An answer in the standard's error shape: [{"code": 400, "description": "中文"}]."""

    def __init__(self, description: str, code: int = 400, headers: dict | None = None):
        super().__init__(description)
        self.description, self.code, self.headers = description, code, headers or {}


# --- rendering --------------------------------------------------------------------------------
# The element name of a list's items in XML (the standard's examples).
XML_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _xml_value(parent, name: str, value):
    element = etree.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _xml_value(element, key, item)
    elif isinstance(value, list):
        for item in value:
            _xml_value(element, XML_ITEMS.get(name, "item"), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def render(data, fmt: str, root: str, status: int = 200, headers: dict | None = None) -> HttpResponse:
    """`data` as JSON, or as XML under `root` (a list: one element per item)."""
    if fmt == "xml":
        tree = etree.Element(root)
        items = data if isinstance(data, list) else None
        if items is None:
            for key, value in data.items():
                _xml_value(tree, key, value)
        else:
            for item in items:
                _xml_value(tree, XML_ITEMS.get(root, "item"), item)
        body = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
        response = HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    else:
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False), status=status, content_type="application/json; charset=utf-8"
        )
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def error(exc, fmt: str) -> HttpResponse:
    return render(
        [{"code": exc.code, "description": exc.description}],
        fmt,
        "errors",
        status=exc.code,
        headers=getattr(exc, "headers", None),
    )


def w3c(value: dt.datetime | None) -> str | None:
    return value.astimezone(SHANGHAI).isoformat(timespec="seconds") if value else None


# --- services -----------------------------------------------------------------------------------
def service_list() -> list[dict]:
    repairs = [
        {
            "service_code": c.value,
            "service_name": c.label,
            "description": f"应急维修：{c.label}",
            "metadata": True,
            "type": "realtime",
            "keywords": "应急维修,报修",
            "group": "应急维修",
        }
        for c in RepairCategory
    ]
    disputes = [
        {
            "service_code": DISPUTE_PREFIX + c.value,
            "service_name": c.label,
            "description": f"物业管理矛盾纠纷：{c.label}",
            "metadata": True,
            "type": "realtime",
            "keywords": "矛盾纠纷,调解",
            "group": "矛盾纠纷",
        }
        for c in DisputeCategory
    ]
    return repairs + disputes


def lookup_service(code: str | None) -> tuple[str, str]:
    """service_code → ("repair" | "dispute", category); Open311Error 404 when unknown."""
    code = (code or "").strip()
    if code in RepairCategory.values:
        return "repair", code
    if code.startswith(DISPUTE_PREFIX) and code[len(DISPUTE_PREFIX) :] in DisputeCategory.values:
        return "dispute", code[len(DISPUTE_PREFIX) :]
    if not code:
        raise Open311Error("缺少 service_code（服务类别），可选值见 services.json。")
    raise Open311Error(f"service_code 不存在：{code[:40]}（可选值见 services.json）。", code=404)


def _attribute(code, description, *, required, datatype="string", values=None, order=1):
    return {
        "variable": True,
        "code": code,
        "datatype": datatype,
        "required": required,
        "datatype_description": "",
        "order": order,
        "description": description,
        "values": [{"key": key, "name": name} for key, name in (values or [])],
    }


def service_definition(code: str) -> dict:
    kind, _ = lookup_service(code)
    if kind == "repair":
        attributes = [
            _attribute(
                "urgency",
                "紧急程度（决定处理时限）",
                required=True,
                datatype="singlevaluelist",
                values=Urgency.choices,
                order=1,
            ),
            _attribute("building", "楼栋（如 3）", required=False, order=2),
            _attribute("room", "单元/室（如 2-301）", required=False, order=3),
        ]
    else:
        attributes = [_attribute("respondent", "被反映方（如物业服务企业、相邻住户）", required=False, order=1)]
    return {"service_code": code, "attributes": attributes}


# --- requests, as the public reads them ---------------------------------------------------------
_DIGIT_RUN = re.compile(r"(?:\d[\s\-]?){6,}\d")


def public_text(text: str) -> str:
    """A description as the public reads it: any run of 7+ digits (a phone number) masked."""
    return _DIGIT_RUN.sub("＊＊＊", text or "")


def _estate_fields(estate) -> dict:
    return {
        "address": estate.address or estate.name,
        "address_id": estate.code,
        "zipcode": None,
        # coordinates, not money: JSON numbers as GeoReport expects; the estate's, never the home's
        "lat": float(estate.latitude) if estate.latitude is not None else None,
        "long": float(estate.longitude) if estate.longitude is not None else None,
    }


def status_notes(case) -> str:
    """What the hotline reads back to the caller: the state, then the latest note staff marked
    对居民公开 (the case keeps it; the internal note never leaves the office), or the 无效 reason
    the resident is shown on the tracking page."""
    state = case.get_status_display()
    if case.invalid_reason:
        note = f"，{case.invalid_note}" if case.invalid_note else ""
        return f"{state}：{case.get_invalid_reason_display()}{public_text(note)}"
    return f"{state}：{public_text(case.public_note)}" if case.public_note else state


def repair_request(repair: RepairRequest) -> dict:
    return {
        "service_request_id": repair.number,
        "status": "closed" if repair.status == RepairStatus.COMPLETED else "open",
        "status_notes": status_notes(repair),
        "service_name": repair.get_service_code_display(),
        "service_code": repair.service_code,
        "description": public_text(repair.description),
        "agency_responsible": repair.team.name if repair.team_id else f"{repair.street.name}应急维修服务站",
        "service_notice": f"{repair.get_urgency_display()}：{repair.limit_hours}小时内完成",
        "requested_datetime": w3c(repair.requested_datetime),
        "updated_datetime": w3c(repair.updated_datetime),
        "expected_datetime": w3c(repair.expected_datetime),
        **_estate_fields(repair.estate),
        "media_url": None,
    }


def dispute_request(dispute: DisputeCase) -> dict:
    return {
        "service_request_id": dispute.number,
        "status": "open" if dispute.closed_datetime is None else "closed",
        "status_notes": status_notes(dispute),
        "service_name": dispute.get_service_code_display(),
        "service_code": DISPUTE_PREFIX + dispute.service_code,
        "description": "",
        "agency_responsible": f"{dispute.street.name}物业管理矛盾调解站",
        "service_notice": f"{dispute.limit_hours}小时内办结",
        "requested_datetime": w3c(dispute.requested_datetime),
        "updated_datetime": w3c(dispute.updated_datetime),
        "expected_datetime": w3c(dispute.expected_datetime),
        **_estate_fields(dispute.estate),
        "media_url": None,
    }


def public_request(case) -> dict:
    return repair_request(case) if isinstance(case, RepairRequest) else dispute_request(case)


# The GeoReport read is public (Open311 clients do not sign in): every case of the city, in the
# public fields above. That is why these querysets are not scoped by visible_to(user).
def _repairs():
    return RepairRequest.objects.select_related("estate", "street", "team")


def _disputes():
    return DisputeCase.objects.select_related("estate", "street")


def case_by_number(value: str):
    """WX000123 / 123 → the repair; JF000123 → the dispute; None when there is none."""
    text = value.strip().upper()
    qs = _disputes() if text.startswith("JF") else _repairs()
    digits = text.removeprefix("JF").removeprefix("WX")
    if not digits.isascii() or not digits.isdigit() or len(digits) > 12:
        raise Open311Error(f"service_request_id 格式不正确：{value.strip()[:20]}")
    return qs.filter(pk=int(digits)).first()


def _moment(text: str, name: str) -> dt.datetime:
    try:  # a well-formed but impossible date (2019-02-30) raises rather than answering None
        value = parse_datetime(text) if len(text) <= 40 else None
    except ValueError:
        value = None
    if value is None:
        try:
            day = parse_date(text) if len(text) <= 20 else None
        except ValueError:
            day = None
        if day is None:
            raise Open311Error(f"{name} 应为 W3C 日期时间，如 2019-03-05T14:30:00+08:00。")
        value = dt.datetime(day.year, day.month, day.day)
    return value if timezone.is_aware(value) else value.replace(tzinfo=SHANGHAI)


def search(params) -> list[dict]:
    """requests.json: service_request_id (comma separated; overrides the rest), service_code,
    start_date / end_date (at most 90 days apart; default the last 90 days), status; extension:
    page (1000 per page). Newest first, repairs and disputes together."""
    if params.get("service_request_id"):
        numbers = [v for v in params["service_request_id"].split(",") if v.strip()][:MAX_RESULTS]
        cases = [c for c in (case_by_number(v) for v in numbers) if c is not None]
        return [public_request(c) for c in sorted(cases, key=lambda c: c.requested_datetime, reverse=True)]
    repairs, disputes = _repairs(), _disputes()
    if params.get("service_code"):
        kinds = [lookup_service(c) for c in params["service_code"].split(",")]
        repairs = repairs.filter(service_code__in=[c for k, c in kinds if k == "repair"])
        disputes = disputes.filter(service_code__in=[c for k, c in kinds if k == "dispute"])
    status_ = params.get("status")
    if status_:
        wanted = {s.strip() for s in status_.split(",")}
        if not wanted <= {"open", "closed"}:
            raise Open311Error("status 应为 open 或 closed。")
        if len(wanted) == 1:
            is_open = wanted == {"open"}
            repairs = repairs.filter(completed_datetime__isnull=is_open)
            disputes = disputes.filter(closed_datetime__isnull=is_open)
    end = _moment(params["end_date"], "end_date") if params.get("end_date") else timezone.now()
    start = _moment(params["start_date"], "start_date") if params.get("start_date") else end - MAX_SPAN
    if start > end:
        raise Open311Error("start_date 不能晚于 end_date。")
    if end - start > MAX_SPAN:
        raise Open311Error("start_date 与 end_date 最多相隔90天。")
    # ASCII digits only: int() would also read "+5", " 5" or "١" (Arabic-Indic one).
    page_text = str(params.get("page", "1"))
    page = int(page_text) if re.fullmatch(r"[0-9]{1,4}", page_text) else 0
    if not 1 <= page <= 1000:
        raise Open311Error("page 应为1至1000的整数。")
    window = {"requested_datetime__gte": start, "requested_datetime__lte": end}
    upto = page * MAX_RESULTS
    cases = list(repairs.filter(**window).order_by("-requested_datetime", "-id")[:upto])
    cases += list(disputes.filter(**window).order_by("-requested_datetime", "-id")[:upto])
    cases.sort(key=lambda c: (c.requested_datetime, c.pk), reverse=True)
    return [public_request(c) for c in cases[upto - MAX_RESULTS : upto]]


# --- POST: the body ---------------------------------------------------------------------------
def _flat(value, name: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise Open311Error(f"{name[:40]} 应为文字或数字。")
    return str(value)


def parse_body(request) -> dict[str, str]:
    """The POST's fields, from a form (the standard's way), a JSON object or an XML document;
    `attribute[code]` for the service's attributes. Unparseable → 400."""
    content_type = request.content_type or ""
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data", ""):
        try:
            return {key: request.POST.get(key, "") for key in request.POST}
        except RequestDataTooBig:
            raise Open311Error("请求内容过大。", code=413) from None
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY:
        raise Open311Error("请求内容过大。", code=413)
    body = request.body
    if content_type.endswith("json"):
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise Open311Error("JSON 格式错误，无法解析。") from None
        if not isinstance(data, dict):
            raise Open311Error('JSON 应为一个对象，如 {"service_code": "water_pipe", …}。')
        fields = {}
        for key, value in data.items():
            if key == "attribute" and isinstance(value, dict):
                fields.update({f"attribute[{k}]": _flat(v, k) for k, v in value.items()})
            else:
                fields[str(key)] = _flat(value, str(key))
        return fields
    if content_type.endswith("xml"):
        try:
            root = SafeET.fromstring(body)
        except Exception:  # noqa: BLE001 - any parser refusal (syntax, entities, DTD) is the client's error
            raise Open311Error("XML 格式错误，无法解析。") from None
        fields = {}
        for child in root:
            if child.tag == "attribute" and len(child):
                fields.update({f"attribute[{item.tag}]": (item.text or "").strip() for item in child})
            else:
                fields[str(child.tag)] = (child.text or "").strip()
        return fields
    raise Open311Error("不支持的提交格式：请用表单（application/x-www-form-urlencoded）、JSON 或 XML。", code=415)


def _metres(lat1, long1, lat2, long2) -> float:
    """Great-circle distance (haversine) in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(long2 - long1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(a))


def _coordinate(text: str, name: str, limit: int) -> float:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or abs(value) > limit:
        raise Open311Error(f"{name} 应为数字（WGS84，{-limit}至{limit}）。")
    return float(value)


def locate(fields: dict) -> tuple[Estate, float | None, float | None]:
    """The estate: address_id (= the estate's code), else the nearest estate within
    GEOREPORT_NEAREST_ESTATE_METRES of lat/long. Returns (estate, lat, long)."""
    code = fields.get("address_id", "").strip()
    if code:
        estate = Estate.objects.select_related("district").filter(code=code[:32]).first()
        if estate is None:
            raise Open311Error(f"address_id 不是已登记的小区编码：{code[:32]}")
        return estate, None, None
    if not fields.get("lat", "").strip() and not fields.get("long", "").strip():
        raise Open311Error("请提供 address_id（小区编码）或 lat/long（小区位置）。")
    lat = _coordinate(fields.get("lat", ""), "lat", 90)
    long = _coordinate(fields.get("long", ""), "long", 180)
    metres = settings.GEOREPORT_NEAREST_ESTATE_METRES
    dlat = metres / 111_000 * 1.01
    dlong = dlat / max(math.cos(math.radians(lat)), 0.01)
    near = Estate.objects.select_related("district").filter(
        latitude__range=(lat - dlat, lat + dlat), longitude__range=(long - dlong, long + dlong)
    )
    best = min(
        ((_metres(lat, long, float(e.latitude), float(e.longitude)), e.code, e) for e in near),
        default=None,
        key=lambda t: t[:2],
    )
    if best is None or best[0] > metres:
        raise Open311Error(f"该位置{metres}米内没有已登记的小区，请改用 address_id（小区编码）。")
    return best[2], lat, long


def text_field(fields: dict, name: str, label: str, limit: int, required: bool = False) -> str:
    value = fields.get(name, "").strip()
    if required and not value:
        raise Open311Error(f"请填写 {name}（{label}）。")
    if len(value) > limit:
        raise Open311Error(f"{name}（{label}）最多{limit}个字，现有{len(value)}个字。")
    return value


def media_url(fields: dict) -> str:
    value = text_field(fields, "media_url", "图片链接", 500)
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise Open311Error("media_url 应为 http(s) 链接。") from None
    return value


def urgency(fields: dict) -> str:
    value = fields.get("attribute[urgency]", "").strip()
    by_label = {label: code for code, label in Urgency.choices}
    value = by_label.get(value, value)
    if value not in Urgency.values:
        raise Open311Error("attribute[urgency] 应为 urgent（紧急）或 normal（一般）。")
    return value


# --- rate limits ----------------------------------------------------------------------------------
_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def parse_rate(text: str) -> tuple[int, int]:
    count, _, period = text.partition("/")
    return int(count), _PERIODS[period.strip()]


def over_limit(scope: str, ident: str) -> int | None:
    """Count one request of `ident` (hashed: a phone number never becomes a cache key) in the
    current window of GEOREPORT_POST_RATES[scope]; the seconds until the window ends when it is
    past the limit, else None. incr is atomic in Redis, so parallel workers count once."""
    count_allowed, period = parse_rate(settings.GEOREPORT_POST_RATES[scope])
    now = time.time()
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{ident}".encode()).hexdigest()[:32]
    key = f"open311:{scope}:{digest}:{int(now // period)}"
    cache.add(key, 0, timeout=period + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=period + 5)
        count = 1
    if count > count_allowed:
        return max(1, int(period - now % period))
    return None


def throttle(scope: str, ident: str) -> None:
    retry = over_limit(scope, ident)
    if retry is not None:
        raise Open311Error(f"提交过于频繁，请{retry}秒后再试。", code=429, headers={"Retry-After": str(retry)})
