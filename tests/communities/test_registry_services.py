"""The registry's rules (communities/services.py): one validation per entity, the acting user's
scope, optimistic locking, the reassignment of a street and the history it leaves."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import EvaluatorAssignment, User
from communities import services
from communities.models import Community, District, Estate, PropertyCommittee, ServiceFirm, Street
from communities.services import Msg
from tests.communities.helpers import members
from tests.factories import credit_code

pytestmark = pytest.mark.django_db
THIS_YEAR = timezone.localdate().year


def estate_values(world, **changes):
    values = {
        "code": "MY999",
        "name": "新登记小区",
        "community": world.communities["MY1"],
        "building_area": Decimal("12345.67"),
        "category": "unrenovated",
        "management_mode": "basic_service",
        "year_built": 1988,
        "households": 120,
        "buildings": 6,
        "address": "梅园路1号",
        "grid_code": "G-01",
    }
    values.update(changes)
    return values


def errors_of(callable_, *args, **kwargs) -> dict:
    with pytest.raises(ValidationError) as info:
        callable_(*args, **kwargs)
    return info.value.message_dict


BAD_ESTATES = [
    ({"building_area": Decimal("0")}, "building_area", Msg.AREA_POSITIVE),
    ({"building_area": Decimal("-3.5")}, "building_area", Msg.AREA_POSITIVE),
    ({"building_area": Decimal("100.123")}, "building_area", Msg.AREA_PLACES),
    ({"building_area": None}, "building_area", Msg.REQUIRED),
    ({"building_area": "很大"}, "building_area", Msg.INVALID_NUMBER),
    ({"category": "商品房"}, "category", Msg.CATEGORY),
    ({"category": "renovated", "renovation_year": None}, "renovation_year", Msg.RENOVATION_REQUIRED),
    ({"category": "unrenovated", "renovation_year": 2019}, "renovation_year", Msg.RENOVATION_NOT_ALLOWED),
    ({"category": "affordable", "renovation_year": 2019}, "renovation_year", Msg.RENOVATION_NOT_ALLOWED),
    ({"year_built": 1948}, "year_built", Msg.YEAR_RANGE.format(label="建成年份", year=THIS_YEAR)),
    ({"year_built": THIS_YEAR + 1}, "year_built", Msg.YEAR_RANGE.format(label="建成年份", year=THIS_YEAR)),
    (
        {"category": "renovated", "renovation_year": 1980, "year_built": 1990},
        "renovation_year",
        Msg.RENOVATION_BEFORE_BUILT,
    ),
    ({"households": -1}, "households", Msg.NOT_NEGATIVE.format(label="户数")),
    ({"buildings": "3.5"}, "buildings", Msg.INVALID_INTEGER),
    ({"management_mode": "托管"}, "management_mode", Msg.MODE),
    ({"code": "MY\u200b999"}, "code", "编码含有不可见字符或控制字符。"),
    ({"code": ""}, "code", Msg.REQUIRED),
    ({"name": "  "}, "name", Msg.REQUIRED),
    ({"community": None}, "community", Msg.REQUIRED),
    ({"latitude": Decimal("32.05")}, "longitude", Msg.COORDINATES_PAIR),
    (
        {"latitude": Decimal("95"), "longitude": Decimal("118.8")},
        "latitude",
        "纬度应在南京市范围内（31.1至32.7之间）。",
    ),
    (
        {"latitude": Decimal("39.9"), "longitude": Decimal("116.4")},
        "longitude",
        "经度应在南京市范围内（118.3至119.3之间）。",
    ),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_ESTATES, ids=[m for _c, _f, m in BAD_ESTATES])
def test_bad_estate_values_are_refused_with_a_chinese_message(world, change, field, message):
    before = Estate.objects.count()
    errors = errors_of(services.create_estate, estate_values(world, **change), by=world.meiyuan_clerk)
    assert message in errors[field]
    assert Estate.objects.count() == before


def test_a_good_estate_is_created_with_its_scope_and_history(world):
    estate = services.create_estate(
        estate_values(world, category="renovated", renovation_year=2018), by=world.meiyuan_clerk
    )
    assert (estate.district.name, estate.street.name, estate.community.name) == (
        "玄武区",
        "梅园新村街道",
        "梅园新村第1社区",
    )
    assert estate.building_area == Decimal("12345.67") and estate.version == 1
    record = estate.history.get()
    assert record.history_type == "+" and record.history_user == world.meiyuan_clerk


def test_area_with_trailing_zeros_is_two_places(world):
    estate = services.create_estate(estate_values(world, building_area="2500.500"), by=world.city_admin)
    assert estate.building_area == Decimal("2500.50")


@pytest.mark.parametrize(
    ("persona", "community"),
    [
        ("xinjiekou_clerk", "MY1"),  # a sibling street
        ("ninghai_clerk", "MY1"),  # another district
        ("gulou_staff", "XJK1"),  # 鼓楼区 staff cannot register under 玄武区
        ("xuanwu_staff", "NH1"),
    ],
)
def test_community_outside_the_writable_scope_is_refused(world, persona, community):
    values = estate_values(world, community=world.communities[community])
    errors = errors_of(services.create_estate, values, by=world.users[persona])
    assert errors["community"] == [Msg.COMMUNITY_INVALID]


def test_community_must_lie_under_the_chosen_street_and_district(world):
    values = estate_values(
        world, street=Street.objects.get(name="新街口街道"), district=District.objects.get(name="玄武区")
    )
    assert errors_of(services.create_estate, values, by=world.xuanwu_staff)["community"] == [
        Msg.COMMUNITY_NOT_IN_STREET
    ]
    values = estate_values(
        world, street=Street.objects.get(name="梅园新村街道"), district=District.objects.get(name="鼓楼区")
    )
    assert errors_of(services.create_estate, values, by=world.city_admin)["street"] == [Msg.STREET_NOT_IN_DISTRICT]


def test_firm_must_exist(world):
    errors = errors_of(services.create_estate, estate_values(world, service_firm=987654), by=world.meiyuan_clerk)
    assert errors["service_firm"] == [Msg.FIRM_MISSING]


def test_code_taken_in_scope_is_named_outside_scope_is_neutral(world):
    own = errors_of(services.create_estate, estate_values(world, code="MY102"), by=world.meiyuan_clerk)
    assert own["code"] == [Msg.CODE_TAKEN]
    other = errors_of(services.create_estate, estate_values(world, code="XJK101"), by=world.meiyuan_clerk)
    assert other["code"] == [Msg.CODE_UNAVAILABLE]


@pytest.mark.parametrize("persona", ["auditor", "city_finance", "xuanwu_finance", "meiyuan_advisor", "evaluator"])
def test_roles_that_do_not_write_estates_are_refused(world, persona):
    with pytest.raises(PermissionDenied):
        services.create_estate(estate_values(world), by=world.users[persona])


def test_update_needs_the_version_read(world):
    estate = world.estates["MY101"]
    updated = services.update_estate(
        estate,
        {**estate_values(world, code="MY101", name="改名小区", category="renovated", renovation_year=2017)},
        by=world.meiyuan_clerk,
        expected_version=1,
    )
    assert updated.version == 2 and updated.name == "改名小区"
    with pytest.raises(services.EditConflict) as info:
        services.update_estate(
            estate,
            estate_values(world, code="MY101", name="再改名", category="renovated", renovation_year=2017),
            by=world.xuanwu_staff,
            expected_version=1,
        )
    assert info.value.who == world.meiyuan_clerk.display_name
    assert "已被meiyuan_clerk于" in info.value.message and "您的修改没有保存" in info.value.message
    assert Estate.objects.get(pk=estate.pk).name == "改名小区"


def test_update_outside_the_scope_is_refused(world):
    estate = world.estates["XJK101"]
    with pytest.raises(PermissionDenied):
        services.update_estate(estate, estate_values(world, code="XJK101"), by=world.meiyuan_clerk, expected_version=1)


def test_unchanged_save_keeps_the_version(world):
    estate = world.estates["MY102"]
    values = {name: getattr(estate, name) for name in services.ESTATE_FIELDS}
    again = services.update_estate(estate, values, by=world.city_admin, expected_version=estate.version)
    assert again.version == estate.version


def test_cross_field_rules_for_the_importer_use_the_same_messages():
    assert services.estate_rule_errors({"category": "renovated", "renovation_year": None}) == {
        "renovation_year": Msg.RENOVATION_REQUIRED
    }
    assert services.estate_rule_errors({"category": "unrenovated", "renovation_year": 2019}) == {
        "renovation_year": Msg.RENOVATION_NOT_ALLOWED
    }
    assert services.estate_rule_errors({"category": "renovated", "renovation_year": 2019, "year_built": 1990}) == {}


# --- firms ---------------------------------------------------------------------------------
def firm_values(**changes):
    values = {
        "name": "玄武公益物业",
        "credit_code": credit_code(41),
        "is_public_welfare": True,
        "founding": "new",
        "phone": "025-84561234",
    }
    values.update(changes)
    return values


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"credit_code": "12345"}, "credit_code", "统一社会信用代码应为18位。"),
        (
            {"credit_code": credit_code(41)[:17] + ("0" if credit_code(41)[17] != "0" else "1")},
            "credit_code",
            "统一社会信用代码校验位不正确。",
        ),
        ({"credit_code": "91320102MA1XXXXXIO"}, "credit_code", "统一社会信用代码含有无效字符：IO。"),
        ({"founding": ""}, "founding", Msg.FOUNDING_REQUIRED),
        ({"is_public_welfare": False}, "founding", Msg.FOUNDING_NOT_ALLOWED),
        ({"phone": "电话"}, "phone", Msg.PHONE),
        ({"name": ""}, "name", Msg.REQUIRED),
    ],
)
def test_bad_firms_are_refused(world, change, field, message):
    errors = errors_of(services.create_firm, firm_values(**change), by=world.xuanwu_staff)
    assert message in errors[field]


def test_credit_code_is_normalised_and_unique(world):
    code = credit_code(42)
    firm = services.create_firm(firm_values(credit_code=f" {code.lower()} "), by=world.xuanwu_staff)
    assert firm.credit_code == code and firm.district.name == "玄武区" and firm.street is None
    errors = errors_of(
        services.create_firm,
        firm_values(name="另一家", credit_code=code),
        by=world.city_admin,
    )
    assert errors["credit_code"] == [Msg.CREDIT_CODE_TAKEN]
    errors = errors_of(services.create_firm, firm_values(credit_code=credit_code(43)), by=world.city_admin)
    assert errors["name"] == [Msg.FIRM_NAME_TAKEN]


def test_street_clerk_registers_firms_for_its_own_street(world):
    firm = services.create_firm(firm_values(district=District.objects.get(name="鼓楼区").pk), by=world.meiyuan_clerk)
    assert (firm.district.name, firm.street.name) == ("玄武区", "梅园新村街道")


def test_firm_is_edited_only_by_its_district_street_or_city(world):
    firm = services.create_firm(firm_values(), by=world.xuanwu_staff)
    for persona in ("gulou_staff", "xinjiekou_clerk", "meiyuan_clerk"):
        with pytest.raises(PermissionDenied):
            services.update_firm(firm, firm_values(phone="13800001111"), by=world.users[persona])
    services.update_firm(firm, firm_values(phone="13800001111", district=firm.district_id), by=world.city_admin)
    assert ServiceFirm.objects.get(pk=firm.pk).phone == "13800001111"


def test_city_admin_must_name_the_district_and_street_must_lie_in_it(world):
    errors = errors_of(services.create_firm, firm_values(), by=world.city_admin)
    assert errors["district"] == [Msg.REQUIRED]
    errors = errors_of(
        services.create_firm,
        firm_values(district=District.objects.get(name="鼓楼区").pk, street=Street.objects.get(name="梅园新村街道").pk),
        by=world.city_admin,
    )
    assert errors["street"] == [Msg.FIRM_STREET_NOT_IN_DISTRICT]


# --- committees and owners' organisations ---------------------------------------------------
def committee_values(world, **changes):
    values = {
        "estate": world.estates["MY101"],
        "name": "梅园物管会",
        "formed_on": date(2019, 3, 1),
        "term_start": date(2019, 3, 1),
        "term_end": date(2021, 2, 28),
        "is_active": True,
    }
    values.update(changes)
    return values


def test_committee_with_members(world):
    members = [{"name": "张三", "role": "director", "phone": "13912345678"}, {"name": "李四", "role": "member"}]
    members += [{"name": f"委员{i}", "role": "member"} for i in range(4)]
    committee = services.create_committee(committee_values(world), by=world.meiyuan_clerk, members=members)
    assert [m.name for m in committee.members.order_by("pk")][:2] == ["张三", "李四"]
    assert committee.street.name == "梅园新村街道"
    services.update_committee(committee, committee_values(world), by=world.xuanwu_staff, members=members[:5])
    assert committee.members.count() == 5


def test_committee_rules(world):
    errors = errors_of(
        services.create_committee, committee_values(world, term_end=date(2018, 1, 1)), by=world.meiyuan_clerk
    )
    assert errors["term_end"] == [Msg.TERM_END_BEFORE_START]
    two_directors = [{"name": "甲", "role": "director"}, {"name": "乙", "role": "director"}]
    errors = errors_of(
        services.create_committee, committee_values(world), by=world.meiyuan_clerk, members=two_directors
    )
    assert errors["__all__"] == [Msg.ONE_DIRECTOR, Msg.COMMITTEE_TOO_FEW.format(min=5, n=2)]
    with pytest.raises(ValidationError) as info:
        services.create_committee(
            committee_values(world), by=world.meiyuan_clerk, members=[{"name": "丙", "phone": "12"}]
        )
    assert info.value.member_errors == [{"phone": [Msg.PHONE]}]
    errors = errors_of(
        services.create_committee, committee_values(world, estate=world.estates["XJK101"]), by=world.meiyuan_clerk
    )
    assert errors["estate"] == [Msg.ESTATE_INVALID]
    assert not PropertyCommittee.objects.exists()


def test_owners_organisation_rules(world):
    values = {
        "estate": world.estates["MY102"],
        "kind": "committee",
        "established_on": date(2020, 1, 1),
        "term_end": date(2019, 1, 1),
    }
    errors = errors_of(services.create_owners_org, values, by=world.meiyuan_clerk)
    assert errors["term_end"] == [Msg.ORG_TERM_BEFORE_ESTABLISHED]
    values["term_end"] = date(2025, 1, 1)
    org = services.create_owners_org(values, by=world.meiyuan_clerk)
    assert org.community.name == "梅园新村第1社区"


# --- streets -------------------------------------------------------------------------------
def test_residential_estate_count_is_not_below_the_registered_old_estates(world):
    street = Street.objects.get(name="梅园新村街道")
    errors = errors_of(services.set_residential_estate_count, street, 3, by=world.meiyuan_clerk)
    assert errors["residential_estate_count"] == [Msg.ESTATE_COUNT_BELOW_OLD.format(n=4)]
    services.set_residential_estate_count(street, 120, by=world.meiyuan_clerk)
    assert Street.objects.get(pk=street.pk).residential_estate_count == 120
    with pytest.raises(PermissionDenied):
        services.set_residential_estate_count(Street.objects.get(name="新街口街道"), 50, by=world.meiyuan_clerk)


def test_reassigning_a_street_moves_everything_under_it_with_history(world):
    from communities.models import OwnersOrganisation

    street = Street.objects.get(name="梅园新村街道")
    gulou = District.objects.get(name="鼓楼区")
    firm = services.create_firm(firm_values(), by=world.meiyuan_clerk)
    committee = services.create_committee(committee_values(world), by=world.meiyuan_clerk, members=members())
    org = services.create_owners_org(
        {"estate": world.estates["MY101"], "kind": "assembly", "established_on": date(2018, 1, 1)},
        by=world.meiyuan_clerk,
    )
    with pytest.raises(PermissionDenied):
        services.reassign_street(street, gulou, by=world.xuanwu_staff)
    result = services.reassign_street(street, gulou, by=world.city_admin)
    assert result.old_district.name == "玄武区"
    assert set(Estate.objects.filter(street=street).values_list("district__name", flat=True)) == {"鼓楼区"}
    assert set(Community.objects.filter(street=street).values_list("district__name", flat=True)) == {"鼓楼区"}
    assert PropertyCommittee.objects.get(pk=committee.pk).district == gulou
    assert OwnersOrganisation.objects.get(pk=org.pk).district == gulou
    assert ServiceFirm.objects.get(pk=firm.pk).district == gulou
    assert EvaluatorAssignment.objects.get(estate=world.estates["MY101"]).district == gulou
    assert User.objects.get(pk=world.meiyuan_clerk.pk).district == gulou
    assert User.objects.get(pk=world.meiyuan_advisor.pk).district == gulou
    # Scoping follows at once: 玄武区 staff no longer see 梅园新村, 鼓楼区 staff do.
    assert not Estate.objects.visible_to(world.xuanwu_staff).filter(street=street).exists()
    assert Estate.objects.visible_to(world.gulou_staff).filter(street=street).count() == 4
    reason = "街道调整：梅园新村街道由玄武区划归鼓楼区"
    assert Street.objects.get(pk=street.pk).history.first().history_change_reason == reason
    record = world.estates["MY101"].history.first()
    assert record.history_change_reason == reason and record.history_user == world.city_admin
    assert result.moved["小区"] == 4 and result.moved["社区"] == 2


def test_reassigning_to_the_same_district_or_a_clashing_name_is_refused(world):
    street = Street.objects.get(name="梅园新村街道")
    errors = errors_of(services.reassign_street, street, street.district, by=world.city_admin)
    assert errors["district"] == [Msg.REASSIGN_SAME.format(district="玄武区")]
    Street.objects.create(
        code="999999001",
        name="梅园新村街道",
        district=District.objects.get(name="秦淮区"),
        official_district=District.objects.get(name="秦淮区"),
    )
    errors = errors_of(services.reassign_street, street, District.objects.get(name="秦淮区"), by=world.city_admin)
    assert errors["district"] == [Msg.REASSIGN_NAME_TAKEN.format(district="秦淮区")]


def test_reassignment_moves_human_edited_rows_and_leaves_computed_ones():
    """Every scoped model with its own district and street columns is classified: rows people
    edit (with a change history) follow the street; computed rows (no history: results,
    allocations) stay with the run that made them."""
    from core.scoping import scoped_models

    carried = [m for m in scoped_models() if services._district_street_columns(m)]
    assert {m.__name__ for m in carried} >= {
        "Estate",
        "Community",
        "PropertyCommittee",
        "OwnersOrganisation",
        "ServiceFirm",
        "EvaluatorAssignment",
    }
    assert all(
        services.moves_with_street(m)
        for m in carried
        if m.__name__
        in ("Estate", "Community", "PropertyCommittee", "OwnersOrganisation", "ServiceFirm", "EvaluatorAssignment")
    )
    from django.apps import apps

    if apps.is_installed("assessments"):
        from assessments.models import EstateResult, Inspection, UnitResult

        assert services.moves_with_street(Inspection)
        assert not services.moves_with_street(EstateResult) and not services.moves_with_street(UnitResult)
