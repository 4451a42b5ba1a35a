"""API errors in Chinese, with the same shape everywhere: {"detail": ..., "errors": {...}}."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import OutOfScope, Refused
from core.locking import EditConflict

MESSAGES = {
    exceptions.NotAuthenticated: "请先登录。",
    exceptions.AuthenticationFailed: "身份验证失败。",
    exceptions.PermissionDenied: "您没有执行此操作的权限。",
    exceptions.NotFound: "未找到。",
    exceptions.MethodNotAllowed: "不支持该请求方法。",
    exceptions.UnsupportedMediaType: "不支持的请求格式。",
    exceptions.ParseError: "请求内容格式错误。",
    exceptions.Throttled: "请求过于频繁，请稍后再试。",
    exceptions.NotAcceptable: "无法提供所请求的格式。",
}


def exception_handler(exc, context):
    """Every refusal answered in one place: an `EditConflict` 409; a `Refused` with messages per
    field, or any ValidationError, 400 with {"detail", "errors"}; `OutOfScope` or Http404 404."""
    if isinstance(exc, EditConflict):
        # A stale write (optimistic locking): 409 with the Chinese message.
        return conflict(exc.message)
    if isinstance(exc, Refused) and exc.errors:
        exc = exceptions.ValidationError(detail={k: [v] for k, v in exc.errors.items()})
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404 | OutOfScope):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": "提交的数据有误。", "errors": response.data}
    else:
        for cls, text in MESSAGES.items():
            if isinstance(exc, cls):
                # keep a specific Chinese message a view raised on purpose
                detail = str(getattr(exc, "detail", "")) or text
                response.data = {"detail": detail if _is_chinese(detail) else text}
                break
    return response


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def conflict(message: str) -> Response:
    return Response({"detail": message}, status=status.HTTP_409_CONFLICT)
