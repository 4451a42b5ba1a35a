"""The estate pages: each persona sees exactly its scope in lists, searches, filters, counts and
option lists; the list costs a constant number of queries; create and edit apply the registry's
rules with optimistic locking; the change history shows only to city_admin and the auditor."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from communities import services
from communities.models import Community, Estate, Street
from tests.factories import EstateFactory
from tests.permission_matrix import PERSONAS

pytestmark = pytest.mark.django_db
SIGNED_IN = [p for p in PERSONAS if p != "anonymous"]
LIST = reverse("communities:estate_list")

EXPECTED_CODES = {
    "city_admin": "ALL",
    "city_admin2": "ALL",
    "city_finance": "ALL",
    "auditor": "ALL",
    "xuanwu_staff": ("MY", "XJK"),
    "xuanwu_staff2": ("MY", "XJK"),
    "xuanwu_finance": ("MY", "XJK"),
    "gulou_staff": ("NH",),
    "gulou_finance": ("NH",),
    "meiyuan_clerk": ("MY",),
    "xinjiekou_clerk": ("XJK",),
    "ninghai_clerk": ("NH",),
    "meiyuan_advisor": ("MY1",),
    "xinjiekou_advisor": ("XJK1",),
    "evaluator": ("MY101",),
}


def expected(world, persona) -> set[str]:
    prefixes = EXPECTED_CODES[persona]
    return set(world.estates) if prefixes == "ALL" else {c for c in world.estates if c.startswith(prefixes)}


def listed(client, url=LIST, **params) -> tuple[set[str], int]:
    response = client.get(url, params)
    assert response.status_code == 200
    return {e.code for e in response.context["estates"]}, response.context["totals"]["count"]


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_list_search_and_count_show_exactly_the_scope(client, world, persona):
    client.force_login(world.users[persona])
    codes, count = listed(client)
    assert codes == expected(world, persona) and count == len(codes)
    # A search names nothing outside the scope, by code or by name.
    for q in ("XJK101", "新街口", "NH", "宁海路", "MY1", "梅园"):
        found, found_count = listed(client, q=q)
        assert found <= expected(world, persona), (persona, q, found)
        assert found_count == len(found)


def test_a_meiyuan_clerk_cannot_reach_xinjiekou_by_any_filter(client, world):
    client.force_login(world.meiyuan_clerk)
    xinjiekou = Street.objects.get(name="新街口街道")
    for params in (
        {"street": xinjiekou.code},
        {"district": "320106"},
        {"community": world.communities["XJK1"].pk},
        {"q": "XJK"},
        {"district": "320102", "street": xinjiekou.code},
    ):
        codes, _count = listed(client, **params)
        assert not any(code.startswith(("XJK", "NH")) for code in codes), params
    response = client.get(LIST, {"street": xinjiekou.code})
    assert "以下筛选条件无效" in response.content.decode()  # said, not silently widened
    # ... nor through the detail page or the option lists of the selects.
    assert client.get(reverse("communities:estate_detail", args=[world.estates["XJK101"].pk])).status_code == 404
    options = client.get(reverse("communities:community_options"), {"street": xinjiekou.code}).content.decode()
    assert "新街口" not in options
    options = client.get(reverse("communities:street_options"), {"district": "320102"}).content.decode()
    assert "梅园新村街道" in options and "新街口街道" not in options


def test_xuanwu_staff_cannot_reach_gulou(client, world):
    client.force_login(world.xuanwu_staff)
    codes, _ = listed(client, district="320106")
    assert not any(code.startswith("NH") for code in codes)
    assert client.get(reverse("communities:estate_detail", args=[world.estates["NH101"].pk])).status_code == 404
    assert client.get(reverse("communities:district_detail", args=["320106"])).status_code == 404
    assert (
        client.get(reverse("communities:street_detail", args=[Street.objects.get(name="宁海路街道").code])).status_code
        == 404
    )
    assert "宁海路" not in client.get(reverse("communities:street_options"), {"district": "320106"}).content.decode()


def test_filters(client, world):
    client.force_login(world.city_admin)
    assert listed(client, district="320106")[0] == {"NH101", "NH102", "NH201", "NH202"}
    assert listed(client, district="320102", street="320102002")[0] == {"MY101", "MY102", "MY201", "MY202"}
    assert listed(client, community=world.communities["MY2"].pk)[0] == {"MY201", "MY202"}
    assert listed(client, category="renovated", district="320106")[0] == {"NH101", "NH201"}
    assert listed(client, management_mode="basic_service", street="320102003")[0] == {"XJK102", "XJK202"}
    assert listed(client, renovation_year=2017, street="320106001")[0] == {"NH101", "NH201"}
    assert listed(client, q="梅园新村1-2")[0] == {"MY102"}
    assert listed(client, q="my1")[0] == {"MY101", "MY102"}  # code prefix, any case
    assert listed(client, q="宁海路2-1")[0] == {"NH201"}


def test_sorting_and_paging(client, world):
    client.force_login(world.city_admin)
    response = client.get(LIST, {"ordering": "-building_area", "per_page": 20})
    areas = [e.building_area for e in response.context["estates"]]
    assert areas == sorted(areas, reverse=True) and len(areas) == 12
    response = client.get(LIST, {"ordering": "street"})
    streets = [e.street.code for e in response.context["estates"]]
    assert streets == sorted(streets)
    assert 'aria-sort="descending"' in client.get(LIST, {"ordering": "-name"}).content.decode()


def test_pages_read_from_either_end_give_the_same_order(client, world):
    street = Street.objects.get(name="梅园新村街道")
    community = Community.objects.get(name="梅园新村第1社区")
    for n in range(45):
        EstateFactory(code=f"P{n:03d}", community=community, building_area=Decimal(1000 + (n * 37) % 50))
    client.force_login(world.meiyuan_clerk)
    for ordering in ("code", "-building_area", "name", "-households"):
        everything = list(
            Estate.objects.filter(street=street)
            .order_by(*(([ordering, "code"]) if ordering.lstrip("-") != "code" else [ordering]))
            .values_list("code", flat=True)
        )
        seen = []
        for page in range(1, 4):
            response = client.get(LIST, {"ordering": ordering, "per_page": 20, "page": page})
            seen += [e.code for e in response.context["estates"]]
        assert seen == everything, ordering
    last = client.get(LIST, {"per_page": 20, "page": 99})  # past the end: the last page
    assert last.context["page_obj"].number == 3


def test_list_costs_the_same_queries_for_5_or_120_estates(client, world, django_assert_max_num_queries):
    client.force_login(world.xuanwu_staff)
    params = {"district": "320102", "street": "320102002", "category": "unrenovated", "ordering": "-building_area"}
    with django_assert_max_num_queries(16) as small:
        client.get(LIST, params)
    community = Community.objects.get(name="梅园新村第1社区")
    for n in range(120):
        EstateFactory(code=f"Q{n:03d}", community=community)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(LIST, params)
    assert len(response.context["estates"]) == 50


def test_dependent_options_come_from_the_scope(client, world):
    client.force_login(world.xuanwu_staff)
    html = client.get(reverse("communities:street_options"), {"district": "320102"}).content.decode()
    assert "梅园新村街道" in html and "新街口街道" in html and "hx-swap-oob" in html
    html = client.get(
        reverse("communities:community_options"), {"street": "320102002", "mode": "form"}
    ).content.decode()
    assert "梅园新村第1社区" in html and "请选择社区" in html and "新街口" not in html


@pytest.mark.parametrize(
    ("persona", "shown"),
    [
        ("city_admin", True),
        ("auditor", True),
        ("city_finance", False),
        ("xuanwu_staff", False),
        ("meiyuan_clerk", False),
        ("meiyuan_advisor", False),
        ("evaluator", False),
    ],
)
def test_history_only_for_city_admin_and_auditor(client, world, persona, shown):
    estate = world.estates["MY101"]
    services.update_estate(
        estate,
        {**{k: getattr(estate, k) for k in services.ESTATE_FIELDS}, "name": "梅园新名"},
        by=world.meiyuan_clerk,
        expected_version=estate.version,
    )
    client.force_login(world.users[persona])
    html = client.get(reverse("communities:estate_detail", args=[estate.pk])).content.decode()
    assert ("变更记录" in html) is shown
    if shown:
        assert "meiyuan_clerk" in html and "小区名称" in html
        assert (
            '<del class="text-muted">梅园新村1-1小区</del> → <ins class="text-decoration-none">梅园新名</ins>' in html
        )


def test_detail_shows_units_firm_committees_and_organisations(client, world):
    from datetime import date

    from tests.communities.helpers import members

    estate = world.estates["MY101"]
    committee = services.create_committee(
        {
            "estate": estate,
            "name": "梅园物管会",
            "formed_on": date(2019, 3, 1),
            "term_start": date(2019, 3, 1),
            "term_end": date(2021, 2, 28),
        },
        by=world.meiyuan_clerk,
        members=members(),
    )
    services.create_owners_org(
        {"estate": estate, "kind": "assembly", "established_on": date(2018, 5, 1), "chair": "赵召集"},
        by=world.meiyuan_clerk,
    )
    client.force_login(world.meiyuan_advisor)
    html = client.get(reverse("communities:estate_detail", args=[estate.pk])).content.decode()
    for text in (
        "玄武区",
        "梅园新村街道",
        "梅园新村第1社区",
        "梅园物管会",
        "王主任（主任）",
        "业主大会",
        "赵召集",
        "21,000.00 ㎡",
    ):
        assert text in html, text
    assert "编辑" not in html  # an advisor reads
    # Member phones: whole for those who write the committee, masked for readers.
    assert "139****5678" in client.get(reverse("communities:committee_detail", args=[committee.pk])).content.decode()
    client.force_login(world.meiyuan_clerk)
    assert "13912345678" in client.get(reverse("communities:committee_detail", args=[committee.pk])).content.decode()


# --- create and edit ---------------------------------------------------------------------
def form_data(world, **changes):
    data = {
        "code": "MY301",
        "name": "梅园新小区",
        "district": "320102",
        "street": "320102002",
        "community": world.communities["MY1"].pk,
        "address": "",
        "grid_code": "",
        "year_built": "1995",
        "building_area": "8000.50",
        "households": "200",
        "buildings": "5",
        "category": "unrenovated",
        "renovation_year": "",
        "management_mode": "basic_service",
        "service_firm": "",
        "latitude": "",
        "longitude": "",
    }
    data.update(changes)
    return data


def test_create_estate_through_the_form(client, world):
    client.force_login(world.meiyuan_clerk)
    response = client.post(reverse("communities:estate_create"), form_data(world))
    estate = Estate.objects.get(code="MY301")
    assert response.status_code == 302 and response["Location"] == reverse(
        "communities:estate_detail", args=[estate.pk]
    )
    assert estate.street.name == "梅园新村街道" and estate.building_area == Decimal("8000.50")


def test_create_form_preselects_the_clerks_units_and_lists_its_communities(client, world):
    client.force_login(world.meiyuan_clerk)
    html = client.get(reverse("communities:estate_create")).content.decode()
    assert 'value="320102002" selected' in html and "梅园新村第2社区" in html and "新街口" not in html


def test_clerk_cannot_create_under_another_street(client, world):
    client.force_login(world.meiyuan_clerk)
    response = client.post(
        reverse("communities:estate_create"),
        form_data(world, street="320102003", community=world.communities["XJK1"].pk),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert services.Msg.STREET_INVALID in html and services.Msg.COMMUNITY_INVALID in html
    assert not Estate.objects.filter(code="MY301").exists()


def test_edit_conflict_keeps_what_was_typed(client, world):
    estate = world.estates["MY102"]
    url = reverse("communities:estate_edit", args=[estate.pk])
    client.force_login(world.meiyuan_clerk)
    form = client.get(url).context["form"]
    assert form.initial["version"] == 1
    # Meanwhile 玄武区 staff change the estate.
    services.update_estate(
        estate,
        {**{k: getattr(estate, k) for k in services.ESTATE_FIELDS}, "households": 999},
        by=world.xuanwu_staff,
        expected_version=1,
    )
    mine = form_data(world, code="MY102", name="梅园新村1-2小区（改）", households="310", version="1")
    response = client.post(url, mine)
    assert response.status_code == 200
    html = response.content.decode()
    assert "保存失败" in html and "xuanwu_staff" in html and "您的修改没有保存" in html
    assert 'value="梅园新村1-2小区（改）"' in html  # nothing typed is lost
    assert "999" in html  # the saved value is shown beside it
    saved = Estate.objects.get(pk=estate.pk)
    assert saved.households == 999 and saved.name == "梅园新村1-2小区" and saved.version == 2
    # Submitting again (the form now carries version 2) saves deliberately.
    assert response.context["form"]["version"].value() == "2"
    response = client.post(url, {**mine, "version": "2"})
    assert response.status_code == 302
    saved.refresh_from_db()
    assert saved.name == "梅园新村1-2小区（改）" and saved.households == 310 and saved.version == 3


def test_edit_by_another_street_is_404_and_by_a_reader_403(client, world):
    url = reverse("communities:estate_edit", args=[world.estates["MY101"].pk])
    client.force_login(world.xinjiekou_clerk)
    assert client.post(url, form_data(world, code="MY101")).status_code == 404
    client.force_login(world.auditor)
    assert client.post(url, form_data(world, code="MY101")).status_code == 403
    assert Estate.objects.get(code="MY101").version == 1
