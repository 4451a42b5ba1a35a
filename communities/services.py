"""Domain operations on the registry; the validation of an estate lives here once."""

from __future__ import annotations

from django.utils import timezone

from .choices import EstateCategory


def estate_rule_errors(values: dict) -> dict[str, str]:
    """Field → Chinese message for the rules that span fields of one estate (used by the
    form, the API and the importer; single-field rules are field validators/parsers)."""
    errors = {}
    category = values.get("category")
    renovation_year = values.get("renovation_year")
    year_built = values.get("year_built")
    this_year = timezone.localdate().year
    if category == EstateCategory.RENOVATED and not renovation_year:
        errors["renovation_year"] = "已整治老旧小区必须填写整治完成年份。"
    elif category and category != EstateCategory.RENOVATED and renovation_year:
        errors["renovation_year"] = "只有已整治老旧小区填写整治完成年份，其他类别请留空。"
    elif renovation_year and not (1949 <= renovation_year <= this_year):
        errors["renovation_year"] = f"整治完成年份应在 1949–{this_year} 之间。"
    if year_built and renovation_year and renovation_year < year_built:
        errors.setdefault("renovation_year", "整治完成年份不能早于建成年份。")
    return errors
