"""The menu: each app lists its entries in `<app>/nav.py` as NAV = [NavItem(...)]; the menu a
user sees holds the entries whose roles include theirs."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse

APPS_WITH_NAV = ("communities", "assessments", "disputes", "subsidies", "staffing", "accounts", "integrations")
SECTIONS = ("小区登记", "考核", "两站一中心", "扶持资金", "组织与人员", "系统")


@dataclass(frozen=True)
class NavItem:
    section: str
    label: str
    url_name: str
    roles: frozenset = field(default_factory=frozenset)  # empty = every signed-in role
    icon: str = ""


def _all_items() -> list[NavItem]:
    items: list[NavItem] = []
    for app in APPS_WITH_NAV:
        try:
            module = importlib.import_module(f"{app}.nav")
        except ModuleNotFoundError:
            continue
        items.extend(getattr(module, "NAV", []))
    return items


def menu_for(user) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    sections: dict[str, list] = {name: [] for name in SECTIONS}
    for item in _all_items():
        if item.roles and user.role not in item.roles:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        sections.setdefault(item.section, []).append({"label": item.label, "url": url, "icon": item.icon})
    return [{"name": name, "items": items} for name, items in sections.items() if items]
