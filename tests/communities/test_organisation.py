"""Committees (size, owners, term, vetting, supervision, warnings), entrustment contracts and the
coverage report of clause 八: bad input gets a Chinese message and nothing is written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from communities import organisation, services
from communities.coverage import (
    CONTRACT_ENDING,
    GAP_RENOVATED,
    GAP_UNRENOVATED,
    MARKET_REVIEW,
    MODE_MISMATCH,
    findings,
)
from communities.models import Estate, MemberVetting, PropertyCommittee, ServiceContract, ServiceFirm
from tests.communities.helpers import members
from tests.factories import EstateFactory, ServiceFirmFactory, credit_code

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def committee_values(world, **changes):
    return {
        "estate": world.estates["MY101"],
        "name": "梅园物管会",
        "formed_on": dt.date(2023, 3, 1),
        "term_start": dt.date(2023, 3, 1),
        "term_end": dt.date(2025, 3, 1),
        **changes,
    }


# --- committees ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "n, owners, message",
    [
        (4, 4, "物管会成员不得少于5人（现有4人）。"),
        (12, 12, "物管会成员不得多于11人（现有12人）。"),
        (6, 2, "业主成员不得少于成员总数的一半（现有业主2人，共6人）。"),
    ],
)
def test_committee_size_and_owners(world, n, owners, message):
    with pytest.raises(ValidationError) as exc:
        services.create_committee(committee_values(world), by=world.meiyuan_clerk, members=members(n, owners=owners))
    assert message in exc.value.messages
    assert not PropertyCommittee.objects.exists()


@pytest.mark.parametrize("n, owners", [(5, 3), (11, 6), (6, 3)])
def test_committee_at_the_edges_is_accepted(world, n, owners):
    committee = services.create_committee(
        committee_values(world), by=world.meiyuan_clerk, members=members(n, owners=owners)
    )
    assert committee.members.count() == n


def test_committee_term_at_most_two_years(world):
    with pytest.raises(ValidationError) as exc:
        services.create_committee(
            committee_values(world, term_end=dt.date(2025, 3, 2)), by=world.meiyuan_clerk, members=members()
        )
    assert exc.value.message_dict["term_end"] == ["物管会任期不得超过24个月。"]
    assert not PropertyCommittee.objects.exists()


def test_vetting_records_who_confirmed(world):
    committee = services.create_committee(committee_values(world), by=world.meiyuan_clerk, members=members())
    member = committee.members.get(name="王主任")
    vetting = organisation.record_vetting(
        member, {"unit": "street", "public_spirit": "1", "ability": "1", "availability": "1"}, by=world.meiyuan_clerk
    )
    assert vetting.passed and vetting.confirmed_by == world.meiyuan_clerk and vetting.confirmed_on == TODAY
    # the community's own advisor confirms the community's check, not the street's
    organisation.record_vetting(member, {"unit": "community", "public_spirit": "1"}, by=world.meiyuan_advisor)
    with pytest.raises(PermissionDenied):
        organisation.record_vetting(member, {"unit": "street", "public_spirit": "1"}, by=world.meiyuan_advisor)
    for user in (world.xinjiekou_clerk, world.xinjiekou_advisor, world.auditor):
        with pytest.raises(PermissionDenied):
            organisation.record_vetting(member, {"unit": "community"}, by=user)
    assert MemberVetting.objects.filter(member=member).count() == 2
    assert not MemberVetting.objects.get(member=member, unit="community").passed


def test_supervision_and_term_warning(world):
    start = TODAY - dt.timedelta(days=700)
    committee = services.create_committee(
        committee_values(world, formed_on=start, term_start=start, term_end=start + dt.timedelta(days=729)),
        by=world.meiyuan_clerk,
        members=members(),
    )
    assert "届满（还有29天）" in organisation.term_warning(committee)
    assert list(organisation.committees_ending(PropertyCommittee.objects.visible_to(world.meiyuan_clerk))) == [
        committee
    ]
    assert not organisation.committees_ending(PropertyCommittee.objects.visible_to(world.ninghai_clerk)).exists()
    with pytest.raises(ValidationError) as exc:
        organisation.add_supervision(committee, {"date": "", "findings": ""}, by=world.meiyuan_clerk)
    assert exc.value.message_dict == {"date": ["此项为必填项。"], "findings": ["此项为必填项。"]}
    record = organisation.add_supervision(
        committee, {"date": TODAY.isoformat(), "findings": "楼道堆物未清理", "satisfied": ""}, by=world.meiyuan_clerk
    )
    assert record.street.name == "梅园新村街道" and record.satisfied is False


def test_committee_page_shows_vetting_supervision_and_warning(client, world):
    start = TODAY - dt.timedelta(days=700)
    committee = services.create_committee(
        committee_values(world, formed_on=start, term_start=start, term_end=start + dt.timedelta(days=720)),
        by=world.meiyuan_clerk,
        members=members(),
    )
    member = committee.members.get(name="王主任")
    client.force_login(world.meiyuan_advisor)
    response = client.post(
        reverse("communities:member_vetting", args=[committee.pk, member.pk]),
        {"unit": "community", "public_spirit": "1", "ability": "1", "availability": "1"},
    )
    assert response.status_code == 302
    html = client.get(reverse("communities:committee_detail", args=[committee.pk])).content.decode()
    assert "请提前组织换届" in html and "通过" in html and "meiyuan_advisor" in html


# --- firms and contracts ----------------------------------------------------------------------
def test_invalid_credit_code_is_refused(world):
    bad = credit_code(5)[:17] + ("0" if credit_code(5)[17] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        services.create_firm(
            {"name": "错码物业", "credit_code": bad, "is_public_welfare": False}, by=world.xuanwu_staff
        )
    assert exc.value.message_dict["credit_code"] == ["统一社会信用代码校验位不正确。"]
    assert not ServiceFirm.objects.filter(name="错码物业").exists()


def contract_values(world, firm, **changes):
    return {
        "estate": world.estates["MY101"].pk,
        "firm": firm.pk,
        "entrusted_by": "street",
        "start_date": "2024-01-01",
        "end_date": "2025-12-31",
        "fee_per_m2_month": "0.35",
        "security": "on",
        "cleaning": "on",
        **changes,
    }


def test_contract_rules_and_messages(world):
    firm = ServiceFirmFactory()
    market = ServiceFirmFactory(is_public_welfare=False, founding="")
    cases = [
        ({"end_date": "2023-12-31"}, "end_date", "合同结束日期不能早于开始日期。"),
        ({"fee_per_m2_month": "0.355"}, "fee_per_m2_month", organisation.Msg.FEE),
        ({"fee_per_m2_month": "-1"}, "fee_per_m2_month", organisation.Msg.FEE),
        ({"security": "", "cleaning": ""}, "services", "请至少选择一项服务内容。"),
        ({"firm": market.pk}, "firm", "区或街道委托的须为公益性物业服务企业。"),
        ({"estate": world.estates["XJK101"].pk}, "estate", "小区不存在或不在您的管辖范围内。"),
    ]
    for changes, field, message in cases:
        with pytest.raises(ValidationError) as exc:
            organisation.create_contract({**contract_values(world, firm), **changes}, by=world.meiyuan_clerk)
        assert exc.value.message_dict[field] == [message], changes
    assert not ServiceContract.objects.exists()
    contract = organisation.create_contract(
        contract_values(world, market, entrusted_by="owners", fee_per_m2_month=0.1), by=world.meiyuan_clerk
    )
    assert contract.fee_per_m2_month == Decimal("0.10") and contract.services_label == "保安、保洁"
    with pytest.raises(PermissionDenied):
        organisation.create_contract(contract_values(world, firm), by=world.meiyuan_advisor)


def test_overlapping_contracts_on_one_estate(world):
    firm = ServiceFirmFactory()
    first = organisation.create_contract(contract_values(world, firm), by=world.meiyuan_clerk)
    with pytest.raises(ValidationError) as exc:
        organisation.create_contract(
            contract_values(world, firm, start_date="2025-12-31", end_date="2027-12-31"), by=world.xuanwu_staff
        )
    assert exc.value.message_dict["start_date"] == [
        f"该小区2024-01-01至2025-12-31已有合同（{firm.name}），合同期不能重叠。"
    ]
    assert ServiceContract.objects.count() == 1
    organisation.create_contract(
        contract_values(world, firm, start_date="2026-01-01", end_date="2027-12-31"), by=world.meiyuan_clerk
    )
    # terminating the first early frees the rest of its period
    organisation.update_contract(
        first, {**contract_values(world, firm), "terminated_on": "2024-06-30"}, by=world.meiyuan_clerk
    )
    organisation.create_contract(
        contract_values(world, firm, start_date="2024-07-01", end_date="2025-12-31"), by=world.meiyuan_clerk
    )
    assert ServiceContract.objects.filter(estate=world.estates["MY101"]).count() == 3


# --- coverage (clause 八) ---------------------------------------------------------------------
def test_coverage_lists_exactly_the_estates_that_break_the_rules(world):
    """The world's estates: X01 renovated under 公益性物业托管, X02 unrenovated under 基本服务保障.
    Contracts and modes are set so that each rule is broken by known estates, and the rest keep them."""
    public = ServiceFirmFactory()
    market = ServiceFirmFactory(is_public_welfare=False, founding="")

    def contract(code, firm, party, start=TODAY - dt.timedelta(days=200), days=800):
        ServiceContract.objects.create(
            estate=world.estates[code],
            firm=firm,
            entrusted_by=party,
            start_date=start,
            end_date=start + dt.timedelta(days=days),
            fee_per_m2_month="0.40",
            cleaning=True,
        )

    def mode(code, value, category=None):
        estate = world.estates[code]
        estate.management_mode = value
        if category:
            estate.category = category
            estate.renovation_year = 2017 if category == "renovated" else None
        estate.save()

    # kept: renovated + public welfare with an entrusted contract; unrenovated basic service (no contract needed)
    for code in ("MY101", "XJK101", "NH101", "NH201"):
        contract(code, public, "street")
    mode("MY201", "basic_service")  # renovated, basic service only: gap
    mode("XJK201", "none")  # renovated, no management: gap
    mode("MY102", "none")  # unrenovated, nothing: gap
    mode("MY202", "market")  # unrenovated, market: review; mismatch (no owners' contract)
    contract("MY202", market, "owners")  # ... now only the review remains
    mode("XJK102", "self_managed")
    contract("XJK102", public, "street")  # self-managed with a contract: mismatch
    contract("NH102", public, "street", start=TODAY - dt.timedelta(days=700), days=730)  # ends in 30 days
    mode("XJK202", "market", category="renovated")  # renovated market without an owners' contract: mismatch
    contract("NH202", public, "street", start=TODAY - dt.timedelta(days=900), days=100)  # expired: not active
    found = {f.estate.code: set(f.rules) for f in findings(Estate.objects.all())}
    assert found == {
        "MY201": {GAP_RENOVATED},
        "XJK201": {GAP_RENOVATED},
        "MY102": {GAP_UNRENOVATED},
        "MY202": {MARKET_REVIEW},
        "XJK102": {MODE_MISMATCH},
        "NH102": {CONTRACT_ENDING},
        "XJK202": {MODE_MISMATCH},
    }
    # an estate the reader cannot see is not listed
    assert {f.estate.code for f in findings(Estate.objects.visible_to(world.ninghai_clerk))} == {"NH102"}


def test_coverage_page_and_export(client, world, django_capture_on_commit_callbacks):
    import openpyxl

    from core.models import Job

    public = ServiceFirmFactory()
    for code in ("MY101", "MY201", "XJK101", "XJK201"):  # the renovated estates' entrusted contracts: no finding
        ServiceContract.objects.create(
            estate=world.estates[code],
            firm=public,
            entrusted_by="street",
            start_date=TODAY - dt.timedelta(days=10),
            end_date=TODAY + dt.timedelta(days=700),
            fee_per_m2_month="0.40",
            cleaning=True,
        )
    EstateFactory(
        code="GAP1",
        name="无人管小区",
        community=world.communities["MY1"],
        category="renovated",
        renovation_year=2018,
        management_mode="none",
    )
    client.force_login(world.xuanwu_staff)
    html = client.get(reverse("staffing:coverage")).content.decode()
    assert "无人管小区" in html and "coverage-chart" in html and "vendor/echarts/echarts.min.js" in html
    client.force_login(world.gulou_staff)
    assert "无人管小区" not in client.get(reverse("staffing:coverage")).content.decode()
    client.force_login(world.city_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staffing:export", args=["staffing_coverage"]), {"query": "district=320102"})
    job = Job.objects.filter(created_by=world.city_admin).latest("id")
    assert job.status == "succeeded", job.error
    with job.output_file.open("rb") as fh:
        wb = openpyxl.load_workbook(fh)
    rows = list(wb["问题小区"].iter_rows(values_only=True))
    assert [r[4] for r in rows[2:]] == ["GAP1"]
    assert "已整治（保障房）小区未实现物业管理全覆盖" in rows[2][8]


def test_the_database_rules_agree_with_the_python_rules_for_every_combination(world, django_assert_max_num_queries):
    """The page counts by groups (`summary`: today from the estates' contract facts, another day
    from the contracts grouped per estate) and lists by a few columns per estate (`flagged_ids`);
    the notes come from the Python rules estate by estate (`findings_for`). Over every category ×
    mode × set of contract parties × ending soon or not, they agree estate by estate and unit by
    unit. The facts are of today before the contracts are written, so the contracts' own writes
    must keep them."""
    import itertools

    from communities import contract_facts
    from communities.coverage import RULES, _fact_groups, _live_groups, findings_for, flagged_ids, summary

    contract_facts.refresh_all()

    firm = ServiceFirmFactory()
    parties = [(), ("street",), ("owners",), ("district", "owners")]
    estates = []
    combos = itertools.product(
        ("renovated", "affordable", "unrenovated"),
        ("public_welfare", "market", "self_managed", "basic_service", "none"),
        parties,
        (False, True),
    )
    for i, (category, mode, who, ending) in enumerate(combos):
        if ending and not who:
            continue
        community = world.communities[("MY1", "XJK1", "NH1")[i % 3]]
        estate = EstateFactory(
            code=f"C{i:03d}",
            community=community,
            category=category,
            renovation_year=2017 if category != "unrenovated" else None,
            management_mode=mode,
        )
        for party in who:
            ServiceContract.objects.create(
                estate=estate,
                firm=firm,
                entrusted_by=party,
                start_date=TODAY - dt.timedelta(days=30),
                end_date=TODAY + dt.timedelta(days=10 if ending else 600),
                fee_per_m2_month="0.40",
                cleaning=True,
            )
        estates.append(estate)
    everything = Estate.objects.all()
    python = {f.estate.code: set(f.rules) for f in findings_for(everything.order_by("code"))}
    assert set(Estate.objects.filter(pk__in=flagged_ids(everything)).values_list("code", flat=True)) == set(python)
    assert len({frozenset(r) for r in python.values()}) >= 8  # the combinations reach many rule sets
    for key in ("district", "street"):
        with django_assert_max_num_queries(4):
            rows = summary(everything, key)
        expected: dict = {}
        for estate in everything.select_related(key):
            unit = getattr(estate, f"{key}_id")
            rules = python.get(estate.code, set())
            row = expected.setdefault(unit, {r: 0 for r in RULES} | {"gaps": 0, "estates_flagged": 0, "estates": 0})
            row["estates"] += 1
            row["estates_flagged"] += bool(rules)
            row["gaps"] += bool(rules & {GAP_RENOVATED, GAP_UNRENOVATED})
            for r in rules:
                row[r] += 1
        assert {r["unit"].pk: {k: r[k] for k in expected[r["unit"].pk]} for r in rows} == expected
        assert all(r["covered"] == r["estates"] - r["gaps"] for r in rows)
        limit = TODAY + dt.timedelta(days=90)

        def groups(rows):
            return sorted((u, c, m, sorted(p), e, n) for u, c, m, p, e, n in rows)

        facts, live = _fact_groups(everything, f"{key}_id", limit), _live_groups(everything, f"{key}_id", TODAY, limit)
        assert groups(facts) == groups(live)


def test_coverage_page_lists_findings_of_a_large_scope_once_a_district_is_chosen(client, world, monkeypatch):
    """Above COVERAGE_LIST_MAX_ESTATES estates in scope the page gives the summary and the count,
    and asks for a district or street before listing; chosen, the list is there."""
    from staffing import views

    EstateFactory(code="GAP1", name="无人管小区", community=world.communities["MY1"], management_mode="none")
    monkeypatch.setattr(views, "COVERAGE_LIST_MAX_ESTATES", 3)
    client.force_login(world.city_admin)
    html = client.get(reverse("staffing:coverage")).content.decode()
    assert 'id="coverage-choose"' in html and "无人管小区" not in html and 'id="coverage-findings"' not in html
    html = client.get(reverse("staffing:coverage"), {"street": world.estates["MY101"].street.code}).content.decode()
    assert 'id="coverage-choose"' not in html and "无人管小区" in html


def test_coverage_summary_compares_districts_for_the_city_and_streets_for_a_district(client, world):
    client.force_login(world.city_admin)
    html = client.get(reverse("staffing:coverage")).content.decode()
    assert '<th scope="col">区</th><th scope="col" class="num">小区数</th>' in html
    client.force_login(world.xuanwu_staff)
    html = client.get(reverse("staffing:coverage")).content.decode()
    assert '<th scope="col">街道</th><th scope="col" class="num">小区数</th>' in html
    assert "梅园新村街道" in html and "新街口街道" in html


def test_a_city_wide_coverage_summary_is_kept_briefly_and_a_district_counts_live(client, world, monkeypatch):
    """A scope above LIST_SUMS_LIMIT estates (a national registry: ~100 ms a count) is counted
    once a minute, as the home page is, and says when; a chosen district is counted every visit."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(services, "LIST_SUMS_LIMIT", 5)  # the city's estates count as "large"
    client.force_login(world.city_admin)
    first = client.get(reverse("staffing:coverage")).content.decode()
    assert 'id="coverage-as-of"' in first and "统计于" in first
    EstateFactory(code="GAP1", name="无人管小区", community=world.communities["MY1"], management_mode="none")
    with CaptureQueriesContext(connection) as again:
        second = client.get(reverse("staffing:coverage")).content.decode()
    assert not [q for q in again.captured_queries if "GROUP BY" in q["sql"]]  # no count the second time
    table = first.split("<tbody>")[1].split("</tbody>")[0]
    assert second.split("<tbody>")[1].split("</tbody>")[0] == table  # the new gap waits for the next count
    chosen = client.get(reverse("staffing:coverage"), {"district": world.estates["MY101"].district.code})
    html = chosen.content.decode()
    assert 'id="coverage-as-of"' not in html and "无人管小区" in html
