"""Demo users (演示账号): one or more for every role (two city_admins, so the four-eyes rules show).

They belong to units of the registry, so they live in the top app, not in accounts."""

from __future__ import annotations

from accounts.choices import Role
from accounts.models import EvaluatorAssignment, User
from communities.models import Community, District, Street

DEMO_PASSWORD = "Nanjing@2017"

# username, role, full name, unit kind, unit name
DEMO_USERS = [
    ("shi_admin", Role.CITY_ADMIN, "市房产局·张明", None, None),
    ("shi_admin2", Role.CITY_ADMIN, "市房产局·李华", None, None),
    ("shi_caizheng", Role.CITY_FINANCE, "市财政局·王芳", None, None),
    ("shenji", Role.AUDITOR, "市审计局·赵强", None, None),
    ("xuanwu_fang", Role.DISTRICT_STAFF, "玄武区房产局·陈静", "district", "玄武区"),
    ("xuanwu_fang2", Role.DISTRICT_STAFF, "玄武区房产局·周勇", "district", "玄武区"),
    ("gulou_fang", Role.DISTRICT_STAFF, "鼓楼区房产局·吴敏", "district", "鼓楼区"),
    ("qinhuai_fang", Role.DISTRICT_STAFF, "秦淮区房产局·孙丽", "district", "秦淮区"),
    ("xuanwu_caizheng", Role.DISTRICT_FINANCE, "玄武区财政局·郑伟", "district", "玄武区"),
    ("gulou_caizheng", Role.DISTRICT_FINANCE, "鼓楼区财政局·冯娟", "district", "鼓楼区"),
    ("qinhuai_caizheng", Role.DISTRICT_FINANCE, "秦淮区财政局·韩涛", "district", "秦淮区"),
    ("meiyuan_jd", Role.STREET_CLERK, "梅园新村街道·刘洋", "street", "梅园新村街道"),
    ("xinjiekou_jd", Role.STREET_CLERK, "新街口街道·杨磊", "street", "新街口街道"),
    ("ninghai_jd", Role.STREET_CLERK, "宁海路街道·黄艳", "street", "宁海路街道"),
    ("meiyuan_sq", Role.COMMUNITY_ADVISOR, "社区辅导员·朱红梅", "community", "梅园新村街道"),
    ("pinggu", Role.EVALUATOR, "江苏某第三方评估有限公司", None, None),
]


def build(rng, ctx) -> None:
    users = {}
    for username, role, full_name, unit_kind, unit_name in DEMO_USERS:
        user = User.objects.filter(username=username).first() or User(username=username)
        user.role, user.full_name, user.is_active = role, full_name, True
        user.district = user.street = user.community = None
        if unit_kind == "district":
            user.district = District.objects.get(name=unit_name)
        elif unit_kind == "street":
            user.street = Street.objects.get(name=unit_name)
        elif unit_kind == "community":
            user.community = Community.objects.filter(street__name=unit_name).order_by("id").first()
        user.set_password(DEMO_PASSWORD)
        user.save()
        users[username] = user
    ctx["users"] = users
    evaluator = users["pinggu"]
    picked = [e for e in ctx["estates"] if e.district.name == "玄武区"][:20]
    EvaluatorAssignment.objects.bulk_create(
        [
            EvaluatorAssignment(
                evaluator=evaluator,
                estate=e,
                district_id=e.district_id,
                street_id=e.street_id,
                community_id=e.community_id,
                assigned_by=users["xuanwu_fang"],
            )
            for e in picked
        ],
        ignore_conflicts=True,
    )


def logins() -> list[tuple[str, str, str]]:
    rows = []
    for username, role, *_ in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user:
            rows.append((username, Role(role).label, user.unit_label))
    return rows
