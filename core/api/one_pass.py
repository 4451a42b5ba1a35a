"""Every error in one round through the API (issue 20, point 8): DRF stops at its field errors
before `validate()` runs the service's rules; `OnePassSerializerMixin` runs them too on the raw
input when fields were refused, so a client gets every message in one answer, as a page does."""

from __future__ import annotations

from rest_framework import serializers


class OnePassSerializerMixin:
    """Subclasses define rule_errors(data) -> {field: [messages]} (the service's check on the
    raw request data); a field DRF refused keeps DRF's own message."""

    def rule_errors(self, data) -> dict:
        return {}

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
            try:
                extra = self.rule_errors(data) or {}
            except Exception:  # noqa: BLE001 - refused already; partial input must not become a 500
                extra = {}
            merged = {key: value for key, value in extra.items() if key not in detail}
            merged.update(detail)
            raise serializers.ValidationError(merged) from exc
