"""Firms, committees, owners' organisations and units pages; the home page's counts."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from communities import services
from communities.models import Community, District, Estate, OwnersOrganisation, PropertyCommittee, ServiceFirm, Street
from communities.services import Msg
from tests.communities.helpers import members
from tests.communities.test_estate_pages import SIGNED_IN, expected
from tests.conftest import empty_cache
from tests.factories import credit_code

pytestmark = pytest.mark.django_db


def committee_on(world, code, by):
    return services.create_committee(
        {
            "estate": world.estates[code],
            "name": f"{code}物管会",
            "formed_on": date(2019, 3, 1),
            "term_start": date(2019, 3, 1),
            "term_end": date(2021, 2, 28),
        },
        by=by,
        members=members(),
    )


# --- home and unit pages: counts within the scope -------------------------------------------
@pytest.mark.parametrize("persona", SIGNED_IN)
def test_counts_on_home_and_unit_pages_are_the_scope(client, world, persona):
    client.force_login(world.users[persona])
    mine = expected(world, persona)
    home = client.get(reverse("dashboards:home") + "?view=dashboard")
    assert home.context["totals"]["count"] == len(mine)
    by_category = {row["value"]: row["count"] for row in home.context["by_category"]}
    assert by_category == {
        c: sum(1 for code in mine if Estate.objects.get(code=code).category == c)
        for c in ("renovated", "unrenovated", "affordable")
    }
    by_unit = sum(row["count"] for row in home.context["by_unit"])
    assert by_unit == (len(mine) if world.users[persona].scope_level in ("city", "district", "street") else 0)
    assert sum(row["count"] for row in home.context["by_mode"]) == len(mine)
    if not world.users[persona].is_role("city_admin", "city_finance", "auditor"):
        assert "宁海路" not in home.content.decode() or persona in ("gulou_staff", "gulou_finance", "ninghai_clerk")
    units = client.get(reverse("communities:district_list"))
    assert units.context["total"] == len(mine)
    # An evaluator has estates, not units: no district rows for it.
    assert sum(row["estates"] for row in units.context["rows"]) == (0 if persona == "evaluator" else len(mine))


def test_district_page_counts_streets_in_scope(client, world):
    client.force_login(world.meiyuan_clerk)
    page = client.get(reverse("communities:district_detail", args=["320102"]))
    assert [row["street"].name for row in page.context["rows"]] == ["梅园新村街道"]
    assert page.context["rows"][0]["count"] == 4 and page.context["totals"]["count"] == 4
    client.force_login(world.xuanwu_staff)
    page = client.get(reverse("communities:district_detail", args=["320102"]))
    counts = {row["street"].name: row["count"] for row in page.context["rows"]}
    assert counts["梅园新村街道"] == 4 and counts["新街口街道"] == 4 and len(counts) == 7


def test_street_page_and_its_residential_estate_count(client, world):
    street = Street.objects.get(name="梅园新村街道")
    client.force_login(world.meiyuan_clerk)
    page = client.get(reverse("communities:street_detail", args=[street.code]))
    assert page.context["totals"]["count"] == 4 and page.context["can_edit_record"]
    assert [row["count"] for row in page.context["rows"]] == [2, 2]
    response = client.post(reverse("communities:street_edit", args=[street.code]), {"residential_estate_count": "2"})
    assert Msg.ESTATE_COUNT_BELOW_OLD.format(n=4) in response.content.decode()
    response = client.post(reverse("communities:street_edit", args=[street.code]), {"residential_estate_count": "126"})
    assert response.status_code == 302
    street.refresh_from_db()
    assert street.residential_estate_count == 126
    assert street.history.first().history_user == world.meiyuan_clerk
    client.force_login(world.meiyuan_advisor)
    page = client.get(reverse("communities:street_detail", args=[street.code]))
    assert not page.context["can_edit_record"] and "填报</a>" not in page.content.decode()


def test_street_reassignment_page(client, world):
    street = Street.objects.get(name="泰山街道")
    client.force_login(world.city_admin)
    response = client.post(reverse("communities:street_reassign", args=[street.code]), {"district": "320111"})
    assert response.status_code == 200 and "请确认后再提交。" in response.content.decode()
    response = client.post(
        reverse("communities:street_reassign", args=[street.code]), {"district": "320111", "confirm": "on"}
    )
    assert response.status_code == 302
    street.refresh_from_db()
    assert street.district.name == "浦口区"
    html = client.get(reverse("communities:street_detail", args=[street.code])).content.decode()
    assert "街道调整：泰山街道由江北新区划归浦口区" in html  # in the change history


def test_community_create_and_edit(client, world):
    street = Street.objects.get(name="梅园新村街道")
    client.force_login(world.meiyuan_clerk)
    url = reverse("communities:community_create", args=[street.code])
    response = client.post(url, {"name": "梅园新村第1社区", "code": ""})
    assert Msg.COMMUNITY_NAME_TAKEN in response.content.decode()
    assert client.post(url, {"name": "梅园新村第3社区", "code": "C03"}).status_code == 302
    community = Community.objects.get(name="梅园新村第3社区")
    assert community.district.name == "玄武区"
    response = client.post(
        reverse("communities:community_edit", args=[community.pk]), {"name": "梅园新村三社区", "code": "C03"}
    )
    assert response.status_code == 302
    community.refresh_from_db()
    assert community.name == "梅园新村三社区"
    client.force_login(world.xinjiekou_clerk)
    assert client.get(reverse("communities:community_edit", args=[community.pk])).status_code == 404


# --- firms ---------------------------------------------------------------------------------
def test_firm_register_is_public_but_estate_counts_are_scoped(client, world):
    firm = services.create_firm(
        {"name": "梅园公益物业", "credit_code": credit_code(71), "is_public_welfare": True, "founding": "introduced"},
        by=world.meiyuan_clerk,
    )
    for code in ("MY101", "MY102", "XJK101", "NH101"):
        Estate.objects.filter(code=code).update(service_firm=firm)
    expected_counts = {
        "city_admin": 4,
        "xuanwu_staff": 3,
        "meiyuan_clerk": 2,
        "ninghai_clerk": 1,
        "evaluator": 1,
        "xinjiekou_advisor": 1,
        "gulou_finance": 1,
    }
    for persona, count in expected_counts.items():
        client.force_login(world.users[persona])
        listing = client.get(reverse("communities:firm_list"))
        row = next(r for r in listing.context["rows"] if r["firm"] == firm)
        assert row["estates"] == count, persona
        detail = client.get(reverse("communities:firm_detail", args=[firm.pk]))
        assert detail.context["totals"]["count"] == count
        shown = {e.code for e in detail.context["estates"]}
        assert shown <= expected(world, persona)


def test_firm_form_validates_the_credit_code(client, world):
    client.force_login(world.xuanwu_staff)
    bad = credit_code(72)[:17] + ("0" if credit_code(72)[17] != "0" else "1")
    response = client.post(
        reverse("communities:firm_create"),
        {"name": "新物业", "credit_code": bad, "is_public_welfare": "on", "founding": "new"},
    )
    assert response.status_code == 200 and "统一社会信用代码校验位不正确。" in response.content.decode()
    response = client.post(
        reverse("communities:firm_create"),
        {"name": "新物业", "credit_code": credit_code(72), "is_public_welfare": "on", "founding": ""},
    )
    assert Msg.FOUNDING_REQUIRED in response.content.decode()
    response = client.post(
        reverse("communities:firm_create"),
        {
            "name": "新物业",
            "credit_code": credit_code(72),
            "is_public_welfare": "on",
            "founding": "new",
            "district": "320106",
        },
    )
    assert response.status_code == 302
    firm = ServiceFirm.objects.get(name="新物业")
    assert firm.district.name == "玄武区"  # a district user registers in its own district


def test_firm_edit_rights(client, world):
    firm = services.create_firm(
        {"name": "梅园公益物业", "credit_code": credit_code(73), "is_public_welfare": True, "founding": "new"},
        by=world.meiyuan_clerk,
    )
    url = reverse("communities:firm_edit", args=[firm.pk])
    for persona, status in (
        ("meiyuan_clerk", 200),
        ("xuanwu_staff", 200),
        ("xinjiekou_clerk", 403),
        ("gulou_staff", 403),
    ):
        client.force_login(world.users[persona])
        assert client.get(url).status_code == status, persona
    client.force_login(world.xinjiekou_clerk)
    html = client.get(reverse("communities:firm_detail", args=[firm.pk])).content.decode()
    assert reverse("communities:firm_edit", args=[firm.pk]) not in html


def test_firm_list_search(client, world):
    services.create_firm(
        {"name": "梅园公益物业", "credit_code": credit_code(74), "is_public_welfare": True, "founding": "new"},
        by=world.meiyuan_clerk,
    )
    services.create_firm({"name": "宁海市场物业", "credit_code": credit_code(75)}, by=world.ninghai_clerk)
    client.force_login(world.evaluator)
    names = lambda **p: [r["firm"].name for r in client.get(reverse("communities:firm_list"), p).context["rows"]]  # noqa: E731
    assert names(q="宁海") == ["宁海市场物业"]
    assert names(q=credit_code(74).lower()) == ["梅园公益物业"]
    assert names(is_public_welfare="true") == ["梅园公益物业"]
    assert names(district="320106") == ["宁海市场物业"]


# --- committees and owners' organisations ---------------------------------------------------
@pytest.mark.parametrize("persona", SIGNED_IN)
def test_committee_and_organisation_lists_are_scoped(client, world, persona):
    for code in ("MY101", "XJK101", "NH101"):
        committee_on(world, code, world.city_admin)
        services.create_owners_org(
            {"estate": world.estates[code], "kind": "committee", "established_on": date(2018, 1, 1)},
            by=world.city_admin,
        )
    client.force_login(world.users[persona])
    mine = expected(world, persona) & {"MY101", "XJK101", "NH101"}
    committees = client.get(reverse("communities:committee_list"))
    assert {c.estate.code for c in committees.context["committees"]} == mine
    assert committees.context["count"] == len(mine)
    orgs = client.get(reverse("communities:owners_org_list"))
    assert {o.estate.code for o in orgs.context["organisations"]} == mine and orgs.context["count"] == len(mine)
    searched = client.get(reverse("communities:committee_list"), {"q": "XJK101"})
    assert {c.estate.code for c in searched.context["committees"]} == mine & {"XJK101"}


def test_committee_form_with_members(client, world):
    estate = world.estates["MY102"]
    client.force_login(world.meiyuan_clerk)
    url = reverse("communities:committee_create", args=[estate.pk])
    data = {
        "name": "梅园1-2物管会",
        "formed_on": "2020-01-01",
        "term_start": "2020-01-01",
        "term_end": "2022-01-01",
        "is_active": "on",
        "members-TOTAL_FORMS": "7",
        "members-INITIAL_FORMS": "0",
        "members-0-name": "甲",
        "members-0-role": "director",
        "members-0-is_owner": "on",
        "members-0-phone": "13800001111",
        "members-1-name": "乙",
        "members-1-role": "director",
        "members-1-is_owner": "on",
        "members-1-phone": "",
        "members-6-name": "",
        "members-6-role": "member",
        "members-6-phone": "",
    }
    for i, name in enumerate("丙丁戊己", start=2):
        data.update({f"members-{i}-name": name, f"members-{i}-role": "member", f"members-{i}-is_owner": "on"})
    response = client.post(url, data)
    assert response.status_code == 200 and Msg.ONE_DIRECTOR in response.content.decode()
    data["members-1-phone"] = "12"
    data["members-1-role"] = "member"
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["formset"].forms[1].errors["phone"] == [Msg.PHONE]
    data["members-1-phone"] = "025-84561234"
    response = client.post(url, data)
    assert response.status_code == 302
    committee = PropertyCommittee.objects.get(estate=estate)
    assert sorted(committee.members.values_list("name", flat=True)) == sorted("甲乙丙丁戊己")
    edit = reverse("communities:committee_edit", args=[committee.pk])
    data.update({"members-INITIAL_FORMS": "6", "members-1-DELETE": "on"})
    assert client.post(edit, data).status_code == 302
    assert sorted(committee.members.values_list("name", flat=True)) == sorted("甲丙丁戊己")
    data = {k: v for k, v in data.items() if not k.startswith("members-")}
    data.update({"members-TOTAL_FORMS": "5", "members-INITIAL_FORMS": "5", "members-4-DELETE": "on"})
    for i, name in enumerate("甲丙丁戊己"):
        data.update(
            {
                f"members-{i}-name": name,
                f"members-{i}-role": "director" if i == 0 else "member",
                f"members-{i}-is_owner": "on",
            }
        )
    response = client.post(edit, data)
    assert response.status_code == 200
    assert Msg.COMMITTEE_TOO_FEW.format(min=5, n=4) in response.content.decode()
    assert committee.members.count() == 5  # nothing written


def test_owners_organisation_form(client, world):
    estate = world.estates["XJK102"]
    client.force_login(world.xinjiekou_clerk)
    url = reverse("communities:owners_org_create", args=[estate.pk])
    response = client.post(url, {"kind": "committee", "established_on": "2020-05-01", "term_end": "2019-01-01"})
    assert Msg.ORG_TERM_BEFORE_ESTABLISHED in response.content.decode()
    assert (
        client.post(
            url, {"kind": "committee", "established_on": "2020-05-01", "chair": "钱主任", "is_active": "on"}
        ).status_code
        == 302
    )
    org = OwnersOrganisation.objects.get(estate=estate)
    assert org.chair == "钱主任" and org.street.name == "新街口街道"
    client.force_login(world.meiyuan_clerk)
    assert client.get(reverse("communities:owners_org_detail", args=[org.pk])).status_code == 404


@pytest.mark.parametrize(
    ("persona", "shown"), [("city_admin", True), ("auditor", True), ("xuanwu_staff", False), ("meiyuan_clerk", False)]
)
def test_committee_and_firm_history_only_for_city_admin_and_auditor(client, world, persona, shown):
    committee = committee_on(world, "MY101", world.meiyuan_clerk)
    services.update_committee(
        committee,
        {**{k: getattr(committee, k) for k in services.COMMITTEE_FIELDS}, "name": "梅园新物管会"},
        by=world.xuanwu_staff,
    )
    client.force_login(world.users[persona])
    html = client.get(reverse("communities:committee_detail", args=[committee.pk])).content.decode()
    assert ("变更记录" in html) is shown
    firm = services.create_firm({"name": "历史物业", "credit_code": credit_code(76)}, by=world.xuanwu_staff)
    html = client.get(reverse("communities:firm_detail", args=[firm.pk])).content.decode()
    assert ("变更记录" in html) is shown
    district = District.objects.get(name="玄武区")
    html = client.get(reverse("communities:district_detail", args=[district.code])).content.decode()
    assert ("变更记录" in html) is shown


def test_menu_offers_writes_only_to_writers(client, world):
    client.force_login(world.meiyuan_clerk)
    html = client.get(reverse("dashboards:home") + "?view=dashboard").content.decode()
    assert reverse("communities:estate_create") in html and reverse("communities:firm_list") in html
    client.force_login(world.auditor)
    html = client.get(reverse("dashboards:home") + "?view=dashboard").content.decode()
    assert reverse("communities:estate_create") not in html and reverse("communities:estate_list") in html


def test_home_of_a_large_scope_is_cached_briefly_and_says_so(client, world, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    empty_cache()
    monkeypatch.setattr(services, "LIST_SUMS_LIMIT", 5)
    client.force_login(world.city_admin)
    with CaptureQueriesContext(connection) as counted:
        first = client.get(reverse("dashboards:home") + "?view=dashboard")
    assert first.context["totals"]["count"] == 12 and "统计于" in first.content.decode()
    with CaptureQueriesContext(connection) as cached:
        again = client.get(reverse("dashboards:home") + "?view=dashboard")
    assert again.context["as_of"] == first.context["as_of"]
    assert len(cached.captured_queries) <= len(counted.captured_queries) - 3  # the grouped counts are not run
    # A street's scope (4 estates) is always counted live, and says nothing about a cache.
    client.force_login(world.meiyuan_clerk)
    assert "统计于" not in client.get(reverse("dashboards:home") + "?view=dashboard").content.decode()
    empty_cache()
