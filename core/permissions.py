"""Who may do what, as the shared layer asks it (权限).

The rules are accounts' (accounts/rules.py, "who writes what"). accounts sits above core, so it
registers its rules module here in its AppConfig.ready(), and core's pages, template filters and
importers ask through these functions without importing accounts."""

from __future__ import annotations

from typing import Protocol

from django.core.exceptions import ImproperlyConfigured


class Rules(Protocol):
    def can(self, user, action: str) -> bool: ...

    def require(self, user, action: str) -> None: ...

    def oversees(self, user) -> bool: ...

    def administers(self, user) -> bool: ...


_rules: Rules | None = None


def register(rules: Rules) -> None:
    global _rules
    _rules = rules


def rules() -> Rules:
    if _rules is None:
        raise ImproperlyConfigured(
            "权限规则未注册：INSTALLED_APPS 须包含 accounts（accounts.apps 注册 accounts.rules）。"
        )
    return _rules


def can(user, action: str) -> bool:
    """May this user take this kind of write action at all (scope is checked separately)?"""
    return rules().can(user, action)


def require(user, action: str) -> None:
    """PermissionDenied unless `can(user, action)`."""
    rules().require(user, action)


def oversees(user) -> bool:
    """City oversight (city_admin, the auditor): reads the central change log (变更记录) and
    follows every job."""
    return rules().oversees(user)


def administers(user) -> bool:
    """city_admin: the Django admin and other users' API tokens."""
    return rules().administers(user)
