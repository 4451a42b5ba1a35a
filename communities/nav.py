"""Menu entries of the registry (小区登记)."""

from accounts.choices import Role
from core.navigation import NavItem

REGISTRY_WRITERS = frozenset({Role.CITY_ADMIN, Role.DISTRICT_STAFF, Role.STREET_CLERK})

NAV = [
    NavItem("小区登记", "小区列表", "communities:estate_list", icon="buildings"),
    NavItem("小区登记", "新增小区", "communities:estate_create", roles=REGISTRY_WRITERS, icon="plus-lg"),
    NavItem("小区登记", "导入小区登记表", "communities:estate_import", roles=REGISTRY_WRITERS, icon="upload"),
    NavItem("小区登记", "物业服务企业", "communities:firm_list", icon="briefcase"),
    NavItem("小区登记", "物业管理委员会", "communities:committee_list", icon="people"),
    NavItem("小区登记", "业主组织", "communities:owners_org_list", icon="person-badge"),
    NavItem("小区登记", "区和街道", "communities:district_list", icon="diagram-3"),
]
