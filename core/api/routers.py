"""The API's one router: a row id in a path is digits.

SimpleRouter lets any segment through as the lookup ([^/.]+), so `POST /api/disputes/null,null/step/`
reached `pk=int("null,null")` and answered 500. Here a viewset looked up by its integer id matches
digits only: anything else is no route at all — a 404 with the Chinese message, before any view
runs; the OpenAPI schema calls it an integer. A viewset looked up by
something else (a code) keeps its own `lookup_value_regex`."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

ID_REGEX = r"[0-9]{1,18}"  # within bigint: a longer number can never name a row


class Router(SimpleRouter):
    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if getattr(viewset, "lookup_field", "pk") in ("pk", "id") and not hasattr(viewset, "lookup_value_regex"):
            # Not set on the viewset: drf-spectacular would then call the id a string with a
            # pattern; left alone it reads the model's id, an integer, as clients expect.
            lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or getattr(viewset, "lookup_field", "pk")
            return f"(?P<{lookup_prefix}{lookup_url_kwarg}>{ID_REGEX})"
        return super().get_lookup_regex(viewset, lookup_prefix)
