"""Collecting a service's field errors before raising them together (nothing is written until
every rule has been checked, and the user sees every message at once)."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class FieldErrors(dict):
    """field → its Chinese messages, each once; `raise_if_any` raises them as one ValidationError."""

    def add(self, field: str, message: str):
        self.setdefault(field, [])
        if message not in self[field]:
            self[field].append(message)

    def raise_if_any(self):
        if self:
            raise ValidationError({k: list(v) for k, v in self.items()})
