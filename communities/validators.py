"""Field validators of the registry, shared by forms, serializers and importers."""

from __future__ import annotations

from django.core.exceptions import ValidationError

# GB 32100-2015 统一社会信用代码: 18 characters from this alphabet (no I, O, Z, S, V); the last
# is a check character computed from the first 17 with these weights, modulo 31.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_character(first17: str) -> str:
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=False))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError("统一社会信用代码应为18位。", code="credit_code_length")
    bad = [c for c in code if c not in CREDIT_CODE_ALPHABET]
    if bad:
        raise ValidationError(f"统一社会信用代码含有无效字符：{''.join(bad)}。", code="credit_code_chars")
    if credit_code_check_character(code[:17]) != code[17]:
        raise ValidationError("统一社会信用代码校验位不正确。", code="credit_code_check")


from core.text import clean_name, has_control_or_invisible  # noqa: E402,F401  (re-exported)


def validate_code(value: str) -> None:
    """Codes (小区编码...) may not carry control or zero-width characters: two codes that look
    the same must be the same code."""
    if has_control_or_invisible(value or ""):
        raise ValidationError("编码含有不可见字符或控制字符。", code="code_invisible")
    if not (value or "").strip():
        raise ValidationError("编码不能为空。", code="code_empty")
    if value != value.strip():
        raise ValidationError("编码前后不能有空格。", code="code_spaces")
