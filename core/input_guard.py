"""Control characters are refused at the door (拒绝控制字符).

A NUL byte in a path, query or form value reached PostgreSQL, which refuses NUL in text, and the
request ended in a 500; other control characters (C0, DEL, C1) are never part of what a person
types. ControlCharacterMiddleware answers 400 with a Chinese message before any view runs, for
the path, every query key and value, and every form (and JSON) value. Tab, CR and LF are kept in
form and JSON bodies, where a multi-line note legitimately holds them; never in a path or query.
"""

from __future__ import annotations

import json

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

MESSAGE = "请求中含有控制字符（如 NUL），已拒绝。请删除不可见字符后重试。"
BODY_WHITESPACE = frozenset("\t\r\n")


def has_control(text: str, allowed: frozenset = frozenset()) -> bool:
    """C0 controls, DEL and C1 controls (Unicode category Cc), except `allowed`."""
    return any((c < " " or "\x7f" <= c <= "\x9f") and c not in allowed for c in text)


def _json_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


def offending_part(request) -> str | None:
    """Which part of the request holds a refused character: "path", "query", "form" or None."""
    if has_control(request.path_info) or has_control(request.path):
        return "path"
    for key, values in request.GET.lists():
        if has_control(key) or any(has_control(v) for v in values):
            return "query"
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        content_type = request.content_type or ""
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for key, values in request.POST.lists():
                if has_control(key) or any(has_control(v, BODY_WHITESPACE) for v in values):
                    return "form"
            for upload in request.FILES.values():
                if has_control(upload.name or ""):
                    return "form"
        elif content_type.endswith("json"):
            try:
                data = json.loads(request.body or b"null")
            except (ValueError, UnicodeDecodeError):
                return None  # the API answers a malformed body itself (400)
            if any(has_control(s, BODY_WHITESPACE) for s in _json_strings(data)):
                return "form"
    return None


class ControlCharacterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if offending_part(request) is not None:
            return refused(request)
        return self.get_response(request)


def refused(request) -> HttpResponse:
    if request.path_info.startswith("/api/georeport/"):
        # Open311 clients read the standard's error shape (integrations/open311.py).
        if request.path_info.endswith(".xml"):
            return HttpResponse(
                f"<?xml version='1.0' encoding='UTF-8'?>\n<errors><error><code>400</code>"
                f"<description>{MESSAGE}</description></error></errors>",
                status=400,
                content_type="text/xml; charset=utf-8",
            )
        return JsonResponse(
            [{"code": 400, "description": MESSAGE}], status=400, safe=False, json_dumps_params={"ensure_ascii": False}
        )
    if request.path_info.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        return JsonResponse({"detail": MESSAGE}, status=400, json_dumps_params={"ensure_ascii": False})
    return HttpResponse(render_to_string("400.html", {"message": MESSAGE}), status=400)
