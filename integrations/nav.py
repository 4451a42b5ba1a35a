from accounts.choices import Role
from core.navigation import NavItem

NAV = [
    NavItem("系统", "接口密钥", "integrations:key_list", roles=frozenset({Role.CITY_ADMIN}), icon="key"),
]
