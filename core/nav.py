"""Menu entries of the platform's own pages (系统)."""

from core.audit import AUDIT_ROLES
from core.navigation import NavItem

NAV = [
    NavItem("系统", "变更记录", "core:history_log", roles=AUDIT_ROLES, icon="clock-history"),
]
