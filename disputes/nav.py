from accounts.choices import Role
from core.navigation import NavItem

WRITERS = frozenset({Role.STREET_CLERK, Role.COMMUNITY_ADVISOR, Role.CITY_ADMIN})
NOT_EVALUATOR = frozenset(r for r in Role.values if r != Role.EVALUATOR)

NAV = [
    NavItem("两站一中心", "登记报修", "disputes:repair_create", roles=WRITERS, icon="telephone-plus"),
    NavItem("两站一中心", "受理纠纷", "disputes:dispute_create", roles=WRITERS, icon="chat-square-text"),
    NavItem("两站一中心", "概况", "disputes:home", icon="speedometer2"),
    NavItem("两站一中心", "逾期清单", "disputes:overdue_list", icon="alarm"),
    NavItem("两站一中心", "矛盾纠纷", "disputes:dispute_list", icon="people"),
    NavItem("两站一中心", "应急维修", "disputes:repair_list", icon="tools"),
    NavItem("两站一中心", "联合执法", "disputes:referral_list", icon="shield-check"),
    NavItem("两站一中心", "备案", "disputes:filing_list", icon="folder-check"),
    NavItem("两站一中心", "站点与维修队伍", "disputes:station_list", roles=NOT_EVALUATOR, icon="geo-alt"),
]
