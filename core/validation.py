"""Collecting a service's field errors before raising them together (nothing is written until
every rule has been checked, and the user sees every message at once)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone


class FieldErrors(dict):
    """field → its Chinese messages, each once; `raise_if_any` raises them as one ValidationError."""

    def add(self, field: str, message: str):
        self.setdefault(field, [])
        if message not in self[field]:
            self[field].append(message)

    def raise_if_any(self):
        if self:
            raise ValidationError({k: list(v) for k, v in self.items()})


# Dates (日期) and date-times: one plausibility rule for every import, form and API write.
# Nothing this platform records can precede the People's Republic (1949-10-01); a fact that has
# happened (reported, completed, inspected, paid, decided …) cannot lie in the future; a date
# that may legitimately lie ahead (a deadline, a contract or term end, a policy's validity)
# stays within the years the platform plans for. docs/architecture.md lists the rule per field.
EARLIEST_DATE = dt.date(1949, 10, 1)
LATEST_DATE = dt.date(2100, 12, 31)
HAPPENED_MESSAGE = "日期不合理：应在 1949年10月1日至今之间。"
PLAUSIBLE_MESSAGE = "日期不合理：应在 1949年10月1日至 2100年12月31日之间。"
# Clocks disagree a little between a phone, another system and the server.
CLOCK_GRACE = dt.timedelta(minutes=1)


def date_error(value, *, fact: bool, now: dt.datetime | None = None) -> str | None:
    """The plausibility message for a date or date-time, or None when it is plausible.

    fact: it records something that has happened (1949-10-01 up to `now`, default the present);
    else it may lie ahead (1949-10-01 to 2100-12-31). Compared as aware moments: a value in the
    year 82 with an odd offset never reaches a conversion that could overflow."""
    if value is None:
        return None
    tz = timezone.get_current_timezone()
    now = now or timezone.now()
    if isinstance(value, dt.datetime):
        moment = value if timezone.is_aware(value) else value.replace(tzinfo=tz)
        earliest = dt.datetime.combine(EARLIEST_DATE, dt.time(0), tzinfo=tz)
        latest = (
            now + CLOCK_GRACE
            if fact
            else dt.datetime.combine(LATEST_DATE + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
        )
        bad = moment < earliest or moment >= latest
    elif isinstance(value, dt.date):
        latest_day = timezone.localtime(now).date() if fact else LATEST_DATE
        bad = value < EARLIEST_DATE or value > latest_day
    else:
        return None
    if bad:
        return HAPPENED_MESSAGE if fact else PLAUSIBLE_MESSAGE
    return None


def happened(value) -> None:
    """Validator of a date or date-time that records a fact: 1949-10-01 up to now."""
    if message := date_error(value, fact=True):
        raise ValidationError(message, code="date_range")


def plausible_date(value) -> None:
    """Validator of a date or date-time that may lie ahead: 1949-10-01 to 2100-12-31."""
    if message := date_error(value, fact=False):
        raise ValidationError(message, code="date_range")


# Free text (自由文本): one length limit per kind of text, settings.TEXT_LIMITS, enforced by the
# services (and so by forms, the API and imports alike) with one message.
TEXT_TOO_LONG = "不能超过{max}个字符（现有{n}个），请精简后再保存。"


def text_limit(kind: str) -> int:
    from django.conf import settings

    return settings.TEXT_LIMITS[kind]


def text_error(value, kind: str) -> str | None:
    """The message when `value` is longer than its kind's limit, else None."""
    limit = text_limit(kind)
    n = len(str(value or ""))
    return TEXT_TOO_LONG.format(max=limit, n=n) if n > limit else None


def text_errors(errors: dict, **fields) -> dict:
    """Add the length refusals of `fields` (name=(value, kind)) to `errors` (a dict or
    FieldErrors); a field that already has a message keeps it."""
    for name, (value, kind) in fields.items():
        if (message := text_error(value, kind)) and name not in errors:
            if isinstance(errors, FieldErrors):
                errors.add(name, message)
            else:
                errors[name] = message
    return errors
