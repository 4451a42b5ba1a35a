from accounts.choices import CITY_ROLES, Role
from core.navigation import NavItem

ENTER = frozenset({Role.CITY_ADMIN, Role.DISTRICT_STAFF, Role.STREET_CLERK, Role.EVALUATOR})
FEES = frozenset({Role.CITY_ADMIN, Role.DISTRICT_STAFF, Role.STREET_CLERK})
CITY = CITY_ROLES
# 第三方评估: the commissioners (city and district roles).
COMMISSIONERS = CITY | {Role.DISTRICT_STAFF, Role.DISTRICT_FINANCE}

NAV = [
    NavItem("考核", "考核概况", "assessments:index", icon="clipboard-data"),
    NavItem("考核", "录入检查", "assessments:inspection_new", roles=ENTER, icon="pencil-square"),
    NavItem("考核", "检查记录", "assessments:inspection_list", icon="list-check"),
    NavItem("考核", "物业费收缴率", "assessments:fee_rate_list", icon="cash-coin"),
    NavItem("考核", "小区考核结果", "assessments:result_list", icon="award"),
    NavItem("考核", "单位汇总与排名", "assessments:unit_results", icon="bar-chart"),
    NavItem("考核", "考核申诉", "assessments:appeal_list", icon="chat-left-text"),
    NavItem("考核", "考核计分", "assessments:cycle", roles=CITY, icon="cpu"),
    NavItem("考核", "考核方案", "assessments:scheme_list", icon="journal-text"),
    NavItem("考核", "细化分解方案", "assessments:refinement_list", roles=COMMISSIONERS, icon="diagram-3"),
    NavItem("考核", "第三方评估委托", "assessments:engagement_list", roles=COMMISSIONERS, icon="person-check"),
    NavItem("考核", "偏差分析", "assessments:deviation", roles=COMMISSIONERS, icon="arrow-left-right"),
]
