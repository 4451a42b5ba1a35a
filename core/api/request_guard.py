"""What the API refuses before a view runs (API 请求检查): a repeated query parameter, and a body
in a format the view does not read.

- No parameter of the OpenAPI schema is a repeated key (a list, like `ordering`, is one key with
  commas), but Django's QueryDict quietly read the last of `?district=a&district=b`: a client that
  meant both got an answer to a question it did not ask. Repeated keys are a 400.
- The API reads JSON (REST_FRAMEWORK's parsers; a view may name its own). A form post used to
  reach DRF after the control-character guard had read the form, and DRF then saw an empty body:
  a 400 "required" for every field instead of saying the format is wrong. Now a body whose
  Content-Type no parser of the view takes is a 415, as the schema documents."""

from __future__ import annotations

from django.http import JsonResponse
from rest_framework.settings import api_settings

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
FORMS = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})


def _refuse(status: int, detail: str, errors: dict | None = None) -> JsonResponse:
    body = {"detail": detail} if errors is None else {"detail": detail, "errors": errors}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


class ApiRequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/"):
            repeated = sorted(key for key, values in request.GET.lists() if len(values) > 1)
            if repeated:
                return _refuse(
                    400, f"查询参数只能出现一次：{'、'.join(repeated)}。", {key: ["只能出现一次。"] for key in repeated}
                )
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        view = getattr(view_func, "cls", None)
        if view is None or request.method not in BODY_METHODS or not request.path_info.startswith("/api/"):
            return None
        if getattr(view, "reads_own_body", False):  # Open311: form, JSON or XML, its own errors
            return None
        has_body = int(request.META.get("CONTENT_LENGTH") or 0) > 0 or "HTTP_TRANSFER_ENCODING" in request.META
        if not has_body:
            return None
        parsers = getattr(view, "parser_classes", None) or api_settings.DEFAULT_PARSER_CLASSES
        accepted = {parser.media_type for parser in parsers}
        if request.content_type not in accepted:
            if request.content_type in FORMS and not request.POST and not request.FILES:
                # An empty form carries nothing to misread: the view answers it (401/403 before
                # the 400 of its required fields), as the permission matrix's empty POSTs expect.
                return None
            return _refuse(415, "不支持的请求格式。")
        return None
