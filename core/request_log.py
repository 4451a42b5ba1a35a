"""One line per refused request (拒绝访问日志): a 403, or a 404 — which is also how an object
outside the user's scope answers — is an everyday event, not an error. Django logs it on
`django.request` with the exception's full traceback, and the development server logs the same
request again on `django.server`; with the root and Django's own console handlers both active
it came out twice, traceback and all (issue 20 point 21).

`RefusedRequestFilter` sits on those two loggers (config/settings.py LOGGING): on
`django.request` it rewrites a 403/404 record into one line — user, method, path, reason — and
drops the traceback; on `django.server` it drops the access line of a 403/404, which the
`django.request` line already says with more. Everything else (500s above all) passes untouched.
"""

from __future__ import annotations

import logging
import unicodedata

REFUSED = (403, 404)
REASON_LIMIT = 200


def _clean(text: str, limit: int = REASON_LIMIT) -> str:
    """Control characters (a path decoded from %0A…) shown as escapes, so one request stays one
    line and cannot forge a second log entry."""
    text = "".join(f"\\x{ord(ch):02x}" if unicodedata.category(ch) == "Cc" else ch for ch in str(text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _who(request) -> str:
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return "anonymous"
    role = getattr(user, "role", "")
    return f"{user.get_username()}({role})" if role else user.get_username()


def _reason(record: logging.LogRecord, status: int) -> str:
    # A 403 carries its PermissionDenied (the Chinese refusal); Django logs a 404 without the
    # exception, and a missing row, an unknown path and a row outside the scope look alike on
    # purpose (roles.md: out of scope does not exist).
    exc = record.exc_info[1] if record.exc_info else None
    if exc is not None and str(exc):
        return _clean(str(exc))
    return "not found (or outside the user's scope)" if status == 404 else "permission denied"


class RefusedRequestFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status not in REFUSED:
            return True
        if record.name == "django.server":
            return False  # the django.request line already names this request
        request = getattr(record, "request", None)
        if request is None or not hasattr(request, "path"):
            return True
        record.msg = "refused %s: user=%s method=%s path=%s reason=%s"
        record.args = (
            status,
            _who(request),
            _clean(request.method or "", 16),
            _clean(request.path, 500),
            _reason(record, status),
        )
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True
