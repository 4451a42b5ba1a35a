"""Factories and the small world every test can stand on."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

import factory

from accounts.choices import Role
from accounts.models import User
from communities.models import Community, District, Estate, ServiceFirm, Street
from communities.validators import CREDIT_CODE_ALPHABET, credit_code_check_character

PASSWORD = "Test@Pass2026"
_firm_seq = itertools.count(1)


def district(name: str) -> District:
    return District.objects.get(name=name)


def street(name: str) -> Street:
    return Street.objects.get(name=name)


def credit_code(n: int) -> str:
    """A valid 18-character unified social credit code (GB 32100-2015) for test firm n."""
    body = "91320102" + "".join(CREDIT_CODE_ALPHABET[(n * 7 + i * 3) % 31] for i in range(9))
    return body + credit_code_check_character(body)


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    name = factory.Sequence(lambda n: f"测试{n}社区")
    street = factory.LazyFunction(lambda: street("梅园新村街道"))


class EstateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Estate

    code = factory.Sequence(lambda n: f"T{n:06d}")
    name = factory.Sequence(lambda n: f"测试{n}小区")
    community = factory.SubFactory(CommunityFactory)
    street = factory.LazyAttribute(lambda o: o.community.street)
    district = factory.LazyAttribute(lambda o: o.community.district)
    building_area = Decimal("32600.50")
    households = 430
    buildings = 12
    year_built = 1992
    category = "unrenovated"
    management_mode = "basic_service"


class ServiceFirmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceFirm

    name = factory.Sequence(lambda n: f"测试物业服务有限公司{n}")
    credit_code = factory.LazyFunction(lambda: credit_code(next(_firm_seq)))
    district = factory.LazyFunction(lambda: district("玄武区"))
    is_public_welfare = True
    founding = "new"


def make_user(username: str, role: str, unit=None, **extra) -> User:
    kwargs = {"role": role, "full_name": extra.pop("full_name", username)}
    if isinstance(unit, District):
        kwargs["district"] = unit
    elif isinstance(unit, Street):
        kwargs["street"] = unit
    elif isinstance(unit, Community):
        kwargs["community"] = unit
    user = User(username=username, **kwargs, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


@dataclass
class World:
    users: dict = field(default_factory=dict)
    estates: dict = field(default_factory=dict)
    communities: dict = field(default_factory=dict)

    def __getattr__(self, name):
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


def build_world() -> World:
    """Three streets in two districts, two communities each, two estates per community, and
    the personas:

    - city_admin, city_admin2, city_finance, auditor (city)
    - xuanwu_staff, gulou_staff (district_staff); xuanwu_finance, gulou_finance
    - meiyuan_clerk (梅园新村街道), xinjiekou_clerk (新街口街道), ninghai_clerk (鼓楼区 宁海路街道)
    - meiyuan_advisor, xinjiekou_advisor (community advisors)
    - evaluator (assigned the first 梅园新村 estate)
    """
    w = World()
    xuanwu, gulou = district("玄武区"), district("鼓楼区")
    meiyuan, xinjiekou, ninghai = street("梅园新村街道"), street("新街口街道"), street("宁海路街道")
    n = 0
    for st, prefix in ((meiyuan, "MY"), (xinjiekou, "XJK"), (ninghai, "NH")):
        for c in (1, 2):
            community = Community.objects.create(name=f"{st.short_name}第{c}社区", street=st)
            w.communities[f"{prefix}{c}"] = community
            for e in (1, 2):
                n += 1
                code = f"{prefix}{c}{e:02d}"
                w.estates[code] = Estate.objects.create(
                    code=code,
                    name=f"{st.short_name}{c}-{e}小区",
                    community=community,
                    building_area=Decimal("20000.00") + n * 1000,
                    households=300 + n,
                    buildings=8,
                    year_built=1990,
                    category="renovated" if e == 1 else "unrenovated",
                    renovation_year=2017 if e == 1 else None,
                    management_mode="public_welfare" if e == 1 else "basic_service",
                )
    u = w.users
    u["city_admin"] = make_user("city_admin", Role.CITY_ADMIN, full_name="市房产局甲")
    u["city_admin2"] = make_user("city_admin2", Role.CITY_ADMIN, full_name="市房产局乙")
    u["city_finance"] = make_user("city_finance", Role.CITY_FINANCE)
    u["auditor"] = make_user("auditor", Role.AUDITOR)
    u["xuanwu_staff"] = make_user("xuanwu_staff", Role.DISTRICT_STAFF, xuanwu)
    u["xuanwu_staff2"] = make_user("xuanwu_staff2", Role.DISTRICT_STAFF, xuanwu)
    u["gulou_staff"] = make_user("gulou_staff", Role.DISTRICT_STAFF, gulou)
    u["xuanwu_finance"] = make_user("xuanwu_finance", Role.DISTRICT_FINANCE, xuanwu)
    u["gulou_finance"] = make_user("gulou_finance", Role.DISTRICT_FINANCE, gulou)
    u["meiyuan_clerk"] = make_user("meiyuan_clerk", Role.STREET_CLERK, meiyuan)
    u["xinjiekou_clerk"] = make_user("xinjiekou_clerk", Role.STREET_CLERK, xinjiekou)
    u["ninghai_clerk"] = make_user("ninghai_clerk", Role.STREET_CLERK, ninghai)
    u["meiyuan_advisor"] = make_user("meiyuan_advisor", Role.COMMUNITY_ADVISOR, w.communities["MY1"])
    u["xinjiekou_advisor"] = make_user("xinjiekou_advisor", Role.COMMUNITY_ADVISOR, w.communities["XJK1"])
    u["evaluator"] = make_user("evaluator", Role.EVALUATOR)
    # The evaluator's scope comes from an engagement of 玄武区 naming MY101 for 2019 (clause 十):
    # every route of the permission matrix thus checks the evaluator's scope as engagements set it.
    from assessments.third_party import EngagementInput, create_engagement

    create_engagement(
        by=u["xuanwu_staff"],
        data=EngagementInput(
            year=2019,
            organisation="江苏某第三方评估有限公司",
            district_ids=[xuanwu.pk],
            evaluator_ids=[u["evaluator"].pk],
            start_date=dt.date(2019, 1, 1),
            end_date=dt.date(2019, 12, 31),
            contract_amount="80000",
            estate_codes=["MY101"],
        ),
    )
    return w
