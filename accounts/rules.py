"""Who may write what (spec/roles.md, "Who writes what"), in one table.

Reading is scoping (core.scoping: `visible_to`); writing is this table plus scoping: a user may
write an object of a kind listed for their role, and only within their scope. city_admin may
write the data of every kind except the steps that belong to another role (the district's
confirmation, the finance bureaus' payments, a district's review of inspections). The auditor
and the finance roles write nothing but, for finance, disbursements.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from .choices import CITY_OVERSIGHT, Role

R = Role

WRITERS: dict[str, frozenset] = {
    # registry
    "estate": frozenset({R.DISTRICT_STAFF, R.STREET_CLERK}),
    "community": frozenset({R.DISTRICT_STAFF, R.STREET_CLERK}),
    "firm": frozenset({R.DISTRICT_STAFF, R.STREET_CLERK}),
    "committee": frozenset({R.DISTRICT_STAFF, R.STREET_CLERK}),
    "owners_org": frozenset({R.DISTRICT_STAFF, R.STREET_CLERK}),
    "contract": frozenset({R.DISTRICT_STAFF, R.STREET_CLERK}),
    "street_record": frozenset({R.DISTRICT_STAFF, R.STREET_CLERK}),
    "street_reassign": frozenset(),  # moving a street to another district: city_admin only
    "evaluator_assignment": frozenset({R.DISTRICT_STAFF}),
    # assessments
    "inspection": frozenset({R.STREET_CLERK, R.DISTRICT_STAFF, R.EVALUATOR}),
    "inspection_review": frozenset({R.DISTRICT_STAFF}),
    "fee_rate": frozenset({R.STREET_CLERK, R.DISTRICT_STAFF}),
    "appeal_file": frozenset({R.STREET_CLERK}),
    "appeal_decide": frozenset({R.DISTRICT_STAFF}),
    "scheme": frozenset(),
    "cycle": frozenset(),
    "unit_assessment_district": frozenset(),
    "unit_assessment_street": frozenset({R.DISTRICT_STAFF}),
    "unit_assessment_community": frozenset({R.STREET_CLERK}),
    "engagement": frozenset({R.DISTRICT_STAFF}),  # 第三方评估委托 (and city_admin)
    "deviation_review": frozenset({R.DISTRICT_STAFF}),  # 偏差复核: the district's step
    "refinement": frozenset({R.DISTRICT_STAFF}),  # 细化分解: a district refines the city checklist
    # subsidies
    "policy": frozenset(),
    "sheet_confirm": frozenset({R.DISTRICT_STAFF}),
    "sheet_approve": frozenset(),  # city_admin only, and not the starter of the current run
    "disbursement_city": frozenset({R.CITY_FINANCE}),
    "disbursement_district": frozenset({R.DISTRICT_FINANCE}),
    "what_if": frozenset({R.CITY_FINANCE}),
    "payee": frozenset({R.DISTRICT_STAFF}),  # 收款单位 of a row while its sheet is a draft
    # the two stations and the service centre
    "case": frozenset({R.STREET_CLERK, R.COMMUNITY_ADVISOR}),
    "referral": frozenset({R.STREET_CLERK}),
    "filing": frozenset({R.STREET_CLERK}),
    "station": frozenset({R.STREET_CLERK}),
    # organisation
    "staff": frozenset({R.DISTRICT_STAFF, R.STREET_CLERK}),
    "meeting": frozenset({R.DISTRICT_STAFF, R.STREET_CLERK, R.COMMUNITY_ADVISOR}),
    "district_target": frozenset(),
}

# Steps that belong to one role; city_admin does not take them over.
NOT_FOR_CITY_ADMIN = frozenset(
    {
        "inspection_review",
        "appeal_file",
        "appeal_decide",
        "sheet_confirm",
        "disbursement_city",
        "disbursement_district",
        "unit_assessment_street",
        "unit_assessment_community",
        "deviation_review",
        "refinement",
    }
)


def can(user, action: str) -> bool:
    """May this user take this kind of write action at all (scope is checked separately)?"""
    if action not in WRITERS:
        raise KeyError(f"unknown action {action!r}")
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.role == R.CITY_ADMIN:
        return action not in NOT_FOR_CITY_ADMIN
    return user.role in WRITERS[action]


def require(user, action: str) -> None:
    if not can(user, action):
        raise PermissionDenied("您没有执行此操作的权限。")


def oversees(user) -> bool:
    """City oversight: reads the central change log (变更记录, core/audit.py) and follows every
    job (core.models.Job)."""
    return bool(getattr(user, "is_authenticated", False)) and user.is_active and user.role in CITY_OVERSIGHT


def administers(user) -> bool:
    """city_admin: the Django admin (参考数据与运维支持) and other users' API tokens."""
    return bool(getattr(user, "is_authenticated", False)) and user.is_active and user.role == R.CITY_ADMIN
