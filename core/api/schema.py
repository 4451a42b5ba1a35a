"""The OpenAPI document says what every operation may answer besides success: the errors of
core/api/exceptions.py, all of the one shape {"detail": ..., "errors": {...}} — so a client (and
the schemathesis run of tests/hardening/test_api_fuzz.py) finds each status it can get documented."""

from __future__ import annotations

ERROR = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "中文说明"},
        "errors": {
            "description": "逐字段的错误（400）",
            "oneOf": [{"type": "object", "additionalProperties": True}, {"type": "array", "items": {}}],
        },
        "current": {"type": "object", "description": "冲突时（409）记录的当前内容", "additionalProperties": True},
    },
    "required": ["detail"],
}
ERRORS = {
    "400": "提交或查询的数据有误（含筛选条件无效）",
    "401": "未登录或令牌无效",
    "403": "没有该操作的权限",
    "404": "不存在，或不在您的管辖范围内",
    "405": "不支持该请求方法",
    "409": "版本冲突或状态已变化",
    "415": "不支持的请求格式",
    "428": "缺少 If-Match 版本号",
    "429": "请求过于频繁",
}
READ_ERRORS = ("400", "401", "403", "404", "405", "429")
# Open311 GeoReport v2 answers errors its own way: a list of {code, description}.
GEOREPORT_ERROR = {
    "type": "array",
    "items": {"type": "object", "properties": {"code": {"type": "integer"}, "description": {"type": "string"}}},
}


def document_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: add the error responses to every operation."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR)
    for path, path_item in result.get("paths", {}).items():
        # GeoReport's own errors are a list; what is refused before its view runs (control
        # characters, a repeated parameter, authentication) answers in the platform's shape.
        ref = {"$ref": "#/components/schemas/Error"}
        if "/georeport/" in path:
            ref = {"oneOf": [GEOREPORT_ERROR, ref]}
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = READ_ERRORS if method == "get" else tuple(ERRORS)
            for code in codes:
                operation["responses"].setdefault(
                    code,
                    {
                        "description": ERRORS[code],
                        "content": {"application/json": {"schema": ref}},
                    },
                )
    _integer_ids(result)
    _precise_parameters(result)
    _www_authenticate(result)
    return result


# What the input guard (core/input_guard.py) refuses in a path or query: C0, DEL and C1 controls.
NO_CONTROL = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"
# If-Match as parse_if_match (communities/api/views.py) reads it: "3", W/"3" or 3.
IF_MATCH = '^\\s*(W/)?"?[0-9]{1,18}"?\\s*$'
PAGING = ("page", "page_size")
# GeoReport v2's own parameters (disputes/api/georeport.py): how its view reads them.
GEOREPORT = {
    "request_id": {"type": "string", "pattern": "^([Ww][Xx])?[0-9]{1,18}$"},
    "service_request_id": {
        "type": "string",
        "pattern": "^\\s*(([Ww][Xx])?[0-9]{1,18}\\s*)?(,\\s*(([Ww][Xx])?[0-9]{1,18}\\s*)?)*$",
    },
    "start_date": {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}]},
    "end_date": {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}]},
    "page": {"type": "integer", "minimum": 1, "maximum": 10**9 - 1},
}


def _precise_parameters(result):
    """Every parameter as the server reads it.

    - An optional query parameter sent empty (`?street=`, what a form sends for "any") means no
      filter: `allowEmptyValue`. Paging is the exception: page/page_size are strict (400).
    - A free-text query, path or header value may not hold control characters (the input guard
      answers 400): a pattern says so.
    - If-Match is a version number; GeoReport's parameters have their own forms."""
    for path, path_item in result.get("paths", {}).items():
        georeport = "/georeport/" in path
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                name, where = parameter.get("name"), parameter.get("in")
                if georeport and name in GEOREPORT:
                    parameter["schema"] = dict(GEOREPORT[name])
                if name == "If-Match" and where == "header":
                    parameter["schema"] = {"type": "string", "pattern": IF_MATCH}
                schema = parameter.get("schema", {})
                if schema.get("type") == "string" and not ({"enum", "format", "pattern"} & set(schema)):
                    schema["pattern"] = NO_CONTROL
                if where == "query" and not parameter.get("required") and name not in PAGING:
                    parameter["allowEmptyValue"] = True


def _www_authenticate(result):
    """A 401 carries `WWW-Authenticate: Token` (core/api/auth.py: token authentication first)."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            response = operation.get("responses", {}).get("401") if isinstance(operation, dict) else None
            if response is not None:
                response.setdefault("headers", {})["WWW-Authenticate"] = {
                    "description": "认证方式：Token（请求头 Authorization: Token <令牌>）",
                    "schema": {"type": "string", "enum": ["Token"]},
                }


def _integer_ids(result):
    """An id path parameter is digits (core/api/routers.py); drf-spectacular reads the route's
    regex as a string with a pattern. Clients want an integer, within bigint."""
    from .routers import ID_REGEX

    pattern = f"^{ID_REGEX}$"
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "path" and parameter.get("schema", {}).get("pattern") == pattern:
                    parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": 10**18 - 1}
