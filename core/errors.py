"""Refusals: the one exception type a service raises when it will not do what was asked.

`Refused` (拒绝) carries a Chinese message for the person and, optionally, messages per field.
It is a Django `ValidationError`, so a form takes it like any other (`core.forms.apply_errors`)
and the API's exception handler answers it in one place (`core/api/exceptions.py`: 400, or 409
for an `EditConflict`). Nothing is written when a service refuses.

`OutOfScope` (不存在) is not a refusal: the object does not exist for this user (outside
`visible_to`/`writable_by`). Services raise it instead of an HTTP exception; the page middleware
(`core.middleware.OutOfScopeMiddleware`) and the API's handler answer 404."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class Refused(ValidationError):
    """A domain operation refused: `message` is for the user, in Chinese; `errors` optionally
    maps a field to its own message. Nothing was written."""

    def __init__(self, message: str, errors: dict | None = None, *, code: str = "refused"):
        super().__init__(message, code=code)
        self.message = message
        self.errors = dict(errors or {})

    def __str__(self) -> str:
        return str(self.message)


class OutOfScope(Exception):
    """The object does not exist for this user: answered 404, never shown as a refusal."""

    def __init__(self, message: str = "未找到。"):
        super().__init__(message)
        self.message = message
