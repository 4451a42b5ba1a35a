"""Cell parsers: each takes a raw cell value and returns the typed value, or raises CellError
with a Chinese message. None (an empty cell) never reaches a parser."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from core.input_guard import BODY_WHITESPACE, has_control
from core.spreadsheets.reader import shortest_decimal
from core.text import clean_name, has_control_or_invisible
from core.validation import date_error


class CellError(ValueError):
    pass


def _as_text(raw) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, (dt.datetime, dt.date)):
        return raw.isoformat()
    return str(raw)


def text(max_length: int | None = None):
    """Free text (names, notes): zero-width characters, and tabs and line breaks inside, are
    stripped. A cell that starts with a tab or CR is refused: stripping it turned "\t=1+1" into
    a live "=1+1"; other control characters (NUL...) are refused too."""

    def parse(raw):
        raw_text = _as_text(raw)
        if raw_text.startswith(("\t", "\r")):
            raise CellError("内容以制表符或回车开头，请删除开头的空白后重新输入。")
        if has_control(raw_text, BODY_WHITESPACE):
            raise CellError("内容含有控制字符（如 NUL），请删除不可见字符后重新输入。")
        value = clean_name(raw_text)
        if max_length and len(value) > max_length:
            raise CellError(f"内容过长（最多 {max_length} 个字）。")
        return value or None

    return parse


def code(raw):
    """A code (小区编码...): taken as written, but never with invisible characters."""
    value = _as_text(raw).strip()
    if has_control_or_invisible(value):
        raise CellError("编码含有不可见字符或控制字符，请删除后重新输入。")
    if len(value) > 32:
        raise CellError("编码过长（最多 32 个字符）。")
    return value or None


def _decimal(raw) -> Decimal:
    if isinstance(raw, bool):
        raise CellError("应为数字。")
    if isinstance(raw, (int, float, Decimal)):
        return shortest_decimal(raw)
    if isinstance(raw, (dt.date, dt.datetime)):
        raise CellError("应为数字，不是日期。")
    text_value = str(raw).strip().replace(",", "").replace("，", "")
    try:
        value = Decimal(text_value)
    except InvalidOperation:
        raise CellError(f"“{raw}”不是数字。") from None
    if not value.is_finite():
        raise CellError(f"“{raw}”不是数字。")
    return value


def places_of(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def decimal(places: int = 2, min_value=None, max_value=None, gt=None):
    def parse(raw):
        value = _decimal(raw)
        if places_of(value) > places:
            raise CellError(f"最多保留 {places} 位小数。" if places else "应为整数。")
        if gt is not None and not value > Decimal(gt):
            raise CellError(f"应大于 {gt}。")
        if min_value is not None and value < Decimal(min_value):
            raise CellError(f"不能小于 {min_value}。")
        if max_value is not None and value > Decimal(max_value):
            raise CellError(f"不能大于 {max_value}。")
        return value.quantize(Decimal(1).scaleb(-places)) if places else value

    return parse


def integer(min_value: int | None = None, max_value: int | None = None):
    def parse(raw):
        value = _decimal(raw)
        if value != value.to_integral_value():
            raise CellError("应为整数。")
        value = int(value)
        if min_value is not None and value < min_value:
            raise CellError(f"不能小于 {min_value}。")
        if max_value is not None and value > max_value:
            raise CellError(f"不能大于 {max_value}。")
        return value

    return parse


def year(min_value: int = 1949, max_value: int | None = None, allow_future: bool = False):
    def parse(raw):
        upper = max_value or (timezone.localdate().year + (50 if allow_future else 0))
        value = integer()(raw)
        if not (min_value <= value <= upper):
            raise CellError(f"年份应在 {min_value}–{upper} 之间。")
        return value

    return parse


def percent(raw):
    return decimal(places=2, min_value=0, max_value=100)(raw)


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)
_TIME = re.compile(r"^(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?$")


def _parse_date_text(text_value: str) -> dt.date:
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text_value)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise CellError(f"“{text_value}”不是有效日期。") from None
    raise CellError(f"“{text_value}”不是日期，应写作 2019-03-05、2019/3/5 或 2019年3月5日。")


def date(not_future: bool = False):
    """A date; within core.validation's plausibility rule: a fact (`not_future`) 1949-10-01 up to
    today, any other date 1949-10-01 to 2100-12-31."""

    def parse(raw):
        if isinstance(raw, dt.datetime):
            value = raw.date()
        elif isinstance(raw, dt.date):
            value = raw
        elif isinstance(raw, (int, float, Decimal)):
            raise CellError("日期应为日期格式的单元格，或写作 2019-03-05、2019/3/5、2019年3月5日。")
        else:
            value = _parse_date_text(str(raw).strip())
        if message := date_error(value, fact=not_future):
            raise CellError(message)
        return value

    return parse


def datetime(not_future: bool = False):
    """A date-time; naive values are Asia/Shanghai (the project's TIME_ZONE). Within the same
    plausibility rule as `date`."""

    def parse(raw):
        if isinstance(raw, dt.datetime):
            value = raw
        elif isinstance(raw, dt.date):
            raise CellError("应含时间（时:分），如 2019-03-05 14:30。")
        elif isinstance(raw, (int, float, Decimal)):
            raise CellError("应为日期时间，如 2019-03-05 14:30。")
        else:
            text_value = re.sub(r"\s+", " ", str(raw).strip())
            parts = text_value.split(" ")
            if len(parts) != 2 and not (len(parts) == 1 and "日" in parts[0] and re.search(r"日\d", parts[0])):
                raise CellError(f"“{raw}”不是日期时间，应写作 2019-03-05 14:30。")
            if len(parts) == 1:
                day_part, time_part = parts[0].split("日", 1)
                day_part += "日"
            else:
                day_part, time_part = parts
            day = _parse_date_text(day_part)
            m = _TIME.match(time_part)
            if not m:
                raise CellError(f"“{raw}”的时间部分应写作 时:分，如 14:30。")
            try:
                value = dt.datetime(day.year, day.month, day.day, int(m[1]), int(m[2]), int(m[3] or 0))
            except ValueError:
                raise CellError(f"“{raw}”不是有效的时间。") from None
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        if message := date_error(value, fact=not_future):
            raise CellError(message)
        return value

    return parse


def choice(mapping: dict[str, str], default: str | None = None):
    """A label from a fixed list → its stored value. `default` for an empty cell is applied
    by the Column (empty cells never reach parsers)."""
    labels = "、".join(mapping)

    def parse(raw):
        label = clean_name(_as_text(raw))
        if label in mapping:
            return mapping[label]
        raise CellError(f"“{label}”不在可选范围内，应为：{labels}。")

    parse.labels = list(mapping)  # type: ignore[attr-defined]  # the template lists the choices
    return parse
