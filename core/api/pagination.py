"""Paging of every API list (分页): strict parameters, as the OpenAPI schema states them.

`page` is a whole number from 1 and `page_size` one from 1 to max_page_size. DRF's own paginator
ignored a bad page_size (`?page_size=null` gave the default page) and took `page=last`; here a
bad value is a 400 with a Chinese message, and a page past the end a 404."""

import re

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

POSITIVE = re.compile(r"[0-9]{1,18}")


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    last_page_strings = ()

    def _positive(self, request, name, maximum=None):
        raw = request.query_params.get(name)
        if raw is None:
            return None
        if not POSITIVE.fullmatch(raw) or int(raw) < 1 or (maximum is not None and int(raw) > maximum):
            limit = f"1 至 {maximum} 之间的整数" if maximum is not None else "不小于 1 的整数"
            raise ValidationError({name: [f"应为{limit}。"]})
        return int(raw)

    def get_page_size(self, request):
        size = self._positive(request, self.page_size_query_param, self.max_page_size)
        return self.page_size if size is None else size

    def get_page_number(self, request, paginator):
        return self._positive(request, self.page_query_param) or 1

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
                parameter["description"] = "页码，从 1 起；超出末页为 404。"
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                }
                parameter["description"] = f"每页条数，1–{self.max_page_size}，默认 {self.page_size}。"
        return parameters
