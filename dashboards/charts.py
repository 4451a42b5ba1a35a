"""The pieces every 看板 panel is made of: `Chart` (categories, series, the address behind each
value), value formatting, and the units one level below the user that a panel compares."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse

from communities.models import Community, District, Estate, Street


@dataclass
class Chart:
    key: str
    title: str
    kind: str  # "stacked" (stacked bars) or "bar" (grouped bars)
    categories: list[str]
    series: list[dict] = field(default_factory=list)  # {"name", "data": [...], "links": [...], "colour"?}
    unit: str = ""
    axis_label: str = ""
    category_links: list[str] = field(default_factory=list)
    note: str = ""
    empty_text: str = ""
    empty_url: str = ""
    empty_action: str = ""

    @property
    def data_id(self) -> str:
        return f"chart-{self.key}"

    @property
    def has_data(self) -> bool:
        """Counts: something to count; rates: something judged (0 % is a result)."""
        if self.unit == "%":
            return any(v is not None for s in self.series for v in s["data"])
        return any(v for s in self.series for v in s["data"])

    @property
    def spec(self) -> dict:
        """What the browser needs to draw it (json_script)."""
        return {
            "kind": self.kind,
            "unit": self.unit,
            "axisLabel": self.axis_label,
            "categories": self.categories,
            "series": [
                {"name": s["name"], "data": [_plain(v) for v in s["data"]], "colour": s.get("colour", "")}
                for s in self.series
            ],
            "links": [s.get("links", []) for s in self.series],
        }

    @property
    def rows(self) -> list[dict]:
        """The table view: one row per category, one cell per series."""
        rows = []
        for i, label in enumerate(self.categories):
            cells = []
            for s in self.series:
                value = s["data"][i]
                links = s.get("links") or []
                texts = s.get("texts") or []  # exact display text (money: "1,234.50 元")
                cells.append(
                    {
                        "value": value,
                        "text": texts[i] if i < len(texts) else _display(value, self.unit),
                        "url": links[i] if i < len(links) else "",
                    }
                )
            rows.append(
                {"label": label, "url": self.category_links[i] if i < len(self.category_links) else "", "cells": cells}
            )
        return rows


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)  # for drawing only; the table shows the exact text
    return value


def _display(value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "%":
        return f"{value}%"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _url(name: str, **params) -> str:
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return reverse(name) + ("?" + urlencode(params) if params else "")


# --- the unit one level below the user ----------------------------------------------------------
@dataclass
class Unit:
    pk: int
    name: str
    code: str  # for the registry's filters (district/street codes)


def units_for(user) -> tuple[str, str, list[Unit]]:
    """(scope field, label, units) of the level below the user's: districts for the city,
    streets for a district, communities for a street, estates below that. One query."""

    level = user.scope_level
    if level == "city":
        rows = District.objects.order_by("code").values_list("pk", "name", "code")
        return "district_id", "区", [Unit(*r) for r in rows]
    if level == "district":
        rows = (
            Street.objects.filter(district_id=user.district_id).order_by("code").values_list("pk", "short_name", "code")
        )
        return "street_id", "街道", [Unit(*r) for r in rows]
    if level == "street":
        rows = Community.objects.filter(street_id=user.street_id).order_by("name").values_list("pk", "name")
        return "community_id", "社区", [Unit(pk, name, str(pk)) for pk, name in rows]
    rows = Estate.objects.visible_to(user).order_by("code").values_list("pk", "name", "code")
    return "estate_id", "小区", [Unit(*r) for r in rows]


def _unit_params(user, scope_field: str, unit: Unit, app: str) -> dict:
    """The filter of a list page that selects one unit (each app's FilterSet has its own keys)."""
    if scope_field == "estate_id":
        return (
            {"estate": unit.code}
            if app == "disputes"
            else {"code": unit.code}
            if app == "assessments"
            else {"q": unit.code}
        )
    name = scope_field.removesuffix("_id")
    if app == "communities":
        params = {name: unit.code}
        if name in ("street", "community"):
            params["district"] = user.district.code
        if name == "community":
            params["street"] = user.street.code
        return params
    return {name: unit.pk}


# --- the panels ---------------------------------------------------------------------------------
