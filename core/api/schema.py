"""The OpenAPI document says what every operation may answer besides success: the errors of
core/api/exceptions.py, all of the one shape {"detail": ..., "errors": {...}} — so a client (and
the schemathesis run of tests/hardening/test_api_fuzz.py) finds each status it can get documented."""

from __future__ import annotations

ERROR = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "中文说明"},
        "errors": {"description": "逐字段的错误（400）", "oneOf": [
            {"type": "object", "additionalProperties": True}, {"type": "array", "items": {}}]},
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
GEOREPORT_ERROR = {"type": "array", "items": {"type": "object", "properties": {
    "code": {"type": "integer"}, "description": {"type": "string"}}}}


def document_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: add the error responses to every operation."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR)
    for path, path_item in result.get("paths", {}).items():
        ref = GEOREPORT_ERROR if "/georeport/" in path else {"$ref": "#/components/schemas/Error"}
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = READ_ERRORS if method == "get" else tuple(ERRORS)
            for code in codes:
                operation["responses"].setdefault(code, {
                    "description": ERRORS[code], "content": {"application/json": {"schema": ref}},
                })
    _integer_ids(result)
    return result


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
