"""Menu entries of the platform's own pages (系统): the change log is core's page, who reads it
is accounts' rule."""

from core.navigation import NavItem

from .choices import CITY_OVERSIGHT

NAV = [
    NavItem("系统", "变更记录", "core:history_log", roles=CITY_OVERSIGHT, icon="clock-history"),
]
