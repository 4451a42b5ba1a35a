from accounts.choices import Role
from core.navigation import NavItem

NOT_EVALUATOR = frozenset(r for r in Role.values if r != Role.EVALUATOR)
MEETING_WRITERS = frozenset({Role.CITY_ADMIN, Role.DISTRICT_STAFF, Role.STREET_CLERK, Role.COMMUNITY_ADVISOR})

NAV = [
    NavItem("考核", "三级考核", "assessments:unit_assessment_index", roles=NOT_EVALUATOR, icon="diagram-3"),
    NavItem("组织与人员", "人员配备达标情况", "staffing:compliance", roles=NOT_EVALUATOR, icon="people"),
    NavItem("组织与人员", "物业管理人员", "staffing:staff_list", roles=NOT_EVALUATOR, icon="person-badge"),
    NavItem("组织与人员", "物业管理覆盖情况", "staffing:coverage", icon="map"),
    NavItem("组织与人员", "联席会议", "staffing:meeting_list", roles=NOT_EVALUATOR, icon="people-fill"),
    NavItem("组织与人员", "逾期督办事项", "staffing:overdue_tasks", roles=NOT_EVALUATOR, icon="alarm"),
    NavItem("组织与人员", "区级目标", "staffing:targets", roles=NOT_EVALUATOR, icon="bullseye"),
    NavItem("组织与人员", "委托合同", "communities:contract_list", roles=NOT_EVALUATOR, icon="file-earmark-text"),
    NavItem("组织与人员", "物管会任期提醒", "communities:committee_terms", roles=NOT_EVALUATOR, icon="hourglass-split"),
]
