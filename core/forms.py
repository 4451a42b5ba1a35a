"""Form helpers shared by the apps.

Every error in one round (issue 20): a page used to show the form's own parse errors first and
the service's range and cross-field rules only on the next save. `OnePassFormMixin` runs the
service's check also when some fields were refused, on what did parse, and shows both together;
every refused field is marked with Bootstrap `is-invalid`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import transaction

from core.errors import Refused
from core.validation import text_error, text_limit

logger = logging.getLogger(__name__)


def apply_errors(
    form: forms.Form,
    exc: ValidationError,
    *,
    keep_field_errors: bool = False,
    fields: Mapping[str, str] | None = None,
) -> None:
    """Put a service's refusal (`core.errors.Refused`, or any ValidationError) on the form: on
    its field when the form has one, else above the form; each message once. The one way every
    page does it. keep_field_errors: a field the form itself already refused keeps its own (more
    precise) message and gets no second one. fields: the service's name of a field → the form's,
    where they differ."""
    if isinstance(exc, Refused) and exc.errors:
        exc = ValidationError({key: [message] for key, message in exc.errors.items()})
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            _add_unique(form, None, message)
        return
    for field, errors in exc.error_dict.items():
        field = (fields or {}).get(field, field)
        target = field if field in form.fields and field != NON_FIELD_ERRORS else None
        if keep_field_errors and target is not None and target in form.errors:
            continue
        for error in errors:
            for message in error.messages:
                _add_unique(form, target, message)


def _add_unique(form, field, message):
    key = field or NON_FIELD_ERRORS
    if key in form.errors and message in form.errors[key]:
        return
    form.add_error(field, message)


class _Undo(Exception):
    pass


def dry_run(call):
    """call() inside a transaction that is always rolled back: a service's write used only for
    the ValidationError it raises (its rules, in its one place), so nothing is saved."""
    try:
        with transaction.atomic():
            call()
            raise _Undo
    except _Undo:
        pass


class TextLimitValidator:
    """A free text's length limit of its kind (settings.TEXT_LIMITS), with the services' message."""

    def __init__(self, kind: str):
        self.kind = kind

    def __call__(self, value):
        if message := text_error(value, self.kind):
            raise ValidationError(message, code="max_length")

    def __eq__(self, other):
        return isinstance(other, TextLimitValidator) and other.kind == self.kind


def limit_text(field: forms.Field, kind: str) -> forms.Field:
    """Give a free-text field its kind's limit: refused beyond it, and a counter on the page
    (static/js/app.js reads data-text-limit). No maxlength attribute: a browser would cut a
    pasted text silently; the counter turns red and the server says why."""
    field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
    field.validators.append(TextLimitValidator(kind))
    field.widget.attrs.pop("maxlength", None)
    field.widget.attrs["data-text-limit"] = text_limit(kind)
    return field


# The mixin is used on forms only: to the type checker it is one.
if TYPE_CHECKING:
    _FormBase = forms.Form
else:
    _FormBase = object


class OnePassFormMixin(_FormBase):
    """Field parsing and the service's rules in one pass, every refused widget marked.

    TEXT_KINDS: field name → kind of free text (settings.TEXT_LIMITS) for `limit_text`."""

    TEXT_KINDS: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, kind in self.TEXT_KINDS.items():
            if name in self.fields:
                limit_text(self.fields[name], kind)

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self._errors:
            if name in self.fields:
                mark_invalid(self.fields[name].widget)

    def parsed_values(self, raw=()) -> dict:
        """The values of every field: parsed when the field passed; for a refused field the
        raw text if it is named in `raw` (a service that parses text itself gives its own
        messages), else None."""
        cleaned = getattr(self, "cleaned_data", None) or {}
        values = {}
        for name in self.fields:
            if name in cleaned:
                values[name] = cleaned[name]
            elif name in raw:
                values[name] = self.data.get(self.add_prefix(name))
            else:
                values[name] = None
        return values

    def is_valid_with_rules(self, check) -> bool:
        """is_valid(); when the form refused fields, also check() — the service's validation
        on `parsed_values()`, raising ValidationError — and add its messages for the fields the
        form did not refuse. True only when the form passed (the caller then saves, and the
        service checks again as it writes)."""
        if self.is_valid():
            return True
        if not self.is_bound:  # an empty POST leaves the form unbound: nothing to check or mark
            return False
        try:
            check()
        except ValidationError as exc:
            apply_errors(self, exc, keep_field_errors=True)
        except Exception:  # noqa: BLE001 - the form is refused already; a service that cannot run
            # on partial values adds no messages, it must not turn the refusal into a 500.
            logger.info("rule check skipped on a refused form %s", type(self).__name__, exc_info=False)
        return False


def mark_invalid(widget):
    css = widget.attrs.get("class", "")
    if "is-invalid" not in css.split():
        widget.attrs["class"] = f"{css} is-invalid".strip()
    widget.attrs["aria-invalid"] = "true"


class CarrierFormMixin(OnePassFormMixin):
    """A form that only carries the values to a service, which holds the rules and their Chinese
    messages: no field is required here, and every widget gets its Bootstrap class."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            # The length is the service's rule too (its message, in the same round as the
            # others); the widget keeps its maxlength attribute.
            field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
            field.error_messages["invalid_choice"] = "请选择有效的选项。"
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
