from accounts.choices import Role
from core.navigation import NavItem

READERS = frozenset({Role.CITY_ADMIN, Role.CITY_FINANCE, Role.AUDITOR, Role.DISTRICT_STAFF, Role.DISTRICT_FINANCE})
WHAT_IF = frozenset({Role.CITY_ADMIN, Role.CITY_FINANCE})

NAV = [
    NavItem("扶持资金", "补贴分配表", "subsidies:index", roles=READERS, icon="table"),
    NavItem("扶持资金", "拨付记录", "subsidies:disbursement_list", roles=READERS, icon="cash-stack"),
    NavItem("扶持资金", "资金预算与拨付", "subsidies:budget", roles=READERS, icon="graph-up"),
    NavItem("扶持资金", "资金测算", "subsidies:what_if", roles=WHAT_IF, icon="calculator"),
    NavItem("扶持资金", "扶持政策", "subsidies:policy_list", roles=READERS, icon="journal-text"),
]
