from django.db import models

from core.scoping import Level


class Role(models.TextChoices):
    """The eight roles of spec/roles.md (角色)."""

    CITY_ADMIN = "city_admin", "市房产局（物业办）"
    CITY_FINANCE = "city_finance", "市财政局"
    DISTRICT_STAFF = "district_staff", "区房产局（物业主管部门）"
    DISTRICT_FINANCE = "district_finance", "区财政局"
    STREET_CLERK = "street_clerk", "街道办事处（物业服务中心）"
    COMMUNITY_ADVISOR = "community_advisor", "社区物业管理辅导员"
    EVALUATOR = "evaluator", "第三方评估机构"
    AUDITOR = "auditor", "审计/纪检"


ROLE_LEVEL = {
    Role.CITY_ADMIN: Level.CITY,
    Role.CITY_FINANCE: Level.CITY,
    Role.AUDITOR: Level.CITY,
    Role.DISTRICT_STAFF: Level.DISTRICT,
    Role.DISTRICT_FINANCE: Level.DISTRICT,
    Role.STREET_CLERK: Level.STREET,
    Role.COMMUNITY_ADVISOR: Level.COMMUNITY,
    Role.EVALUATOR: Level.ASSIGNED,
}

CITY_ROLES = frozenset(r for r, lvl in ROLE_LEVEL.items() if lvl == Level.CITY)
FINANCE_ROLES = frozenset({Role.CITY_FINANCE, Role.DISTRICT_FINANCE})
# The city housing bureau's administrators and the auditor: who reads the central change log.
CITY_OVERSIGHT = frozenset({Role.CITY_ADMIN, Role.AUDITOR})
READ_ONLY_ROLES = frozenset({Role.AUDITOR, Role.CITY_FINANCE, Role.DISTRICT_FINANCE})
