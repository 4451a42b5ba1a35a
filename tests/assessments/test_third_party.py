"""第三方评估 (clause 十, issue 19 points 2–4): engagements and their sample, the evaluator's scope,
the deviation report checked against a hand computation, the district's review, the scheme's
rule for counting third-party scores, and export_deviation."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.choices import Role
from accounts.models import EvaluatorAssignment
from assessments import services
from assessments.errors import Refused
from assessments.models import EstateResult, Inspection, Scheme
from assessments.third_party import (
    EngagementInput,
    cancel_engagement,
    create_engagement,
    deviation_report,
    deviation_reviews_count,
    draw_sample,
    engaged_estates,
    paired_t_test,
    review_deviation,
    t_upper_tail,
)
from assessments.third_party_models import DeviationReview, Engagement
from communities.models import Estate
from tests.assessments.conftest import add_fee_rate, add_inspection
from tests.factories import make_user

pytestmark = pytest.mark.django_db

FULL = {"cleanliness": 15, "order": 15, "greening": 10, "facilities": 10}


def more_estates(world, prefix, community, n, category_of):
    out = []
    for i in range(n):
        category = category_of(i)
        out.append(
            Estate.objects.create(
                code=f"{prefix}{i:03d}",
                name=f"{prefix}小区{i}",
                community=community,
                building_area=Decimal("10000"),
                category=category,
                renovation_year=2017 if category == "renovated" else None,
                management_mode="basic_service",
            )
        )
    return out


def engagement_input(world, evaluator, **overrides) -> EngagementInput:
    values = dict(
        year=2019,
        organisation="南京某评估咨询有限公司",
        district_ids=[world.estates["MY101"].district_id],
        evaluator_ids=[evaluator.pk],
        start_date=dt.date(2019, 3, 1),
        end_date=dt.date(2019, 11, 30),
        contract_amount="120000.50",
        sample_percent="10",
        seed="20190301",
    )
    values.update(overrides)
    return EngagementInput(**values)


@pytest.fixture
def big_xuanwu(world):
    """梅园新村街道 grows to 4 + 26 estates (16 renovated, 14 unrenovated: the world's four are 2 + 2),
    新街口街道 to 4 + 8."""
    more_estates(world, "MYX", world.communities["MY2"], 26, lambda i: "renovated" if i < 14 else "unrenovated")
    more_estates(world, "XJX", world.communities["XJK2"], 8, lambda i: "affordable" if i < 3 else "unrenovated")
    return world


# --- the sample --------------------------------------------------------------------------------
def test_ten_percent_sample_with_a_seed_draws_the_same_estates_twice(big_xuanwu):
    world = big_xuanwu
    evaluator = make_user("pg1", Role.EVALUATOR)
    first = create_engagement(by=world.xuanwu_staff, data=engagement_input(world, evaluator))
    second = create_engagement(by=world.xuanwu_staff2, data=engagement_input(world, evaluator))
    drawn = lambda e: sorted(e.sample.values_list("estate_id", flat=True))  # noqa: E731
    assert drawn(first) == drawn(second)
    assert first.seed == second.seed == 20190301
    # and again from the stored seed over the registry, as anyone checking the draw would
    xuanwu = [world.estates["MY101"].district_id]
    assert draw_sample(first.seed, first.sample_percent, engaged_estates(xuanwu)) == drawn(first)
    # another seed draws other estates (30 + 12 estates, 4 + 2 drawn: a coincidence is unlikely)
    assert draw_sample(7, Decimal("10"), engaged_estates(xuanwu)) != drawn(first)


def test_sample_takes_ten_percent_per_street_rounded_up_and_stratified_by_category(big_xuanwu):
    world = big_xuanwu
    evaluator = make_user("pg1", Role.EVALUATOR)
    engagement = create_engagement(by=world.xuanwu_staff, data=engagement_input(world, evaluator))
    rows = list(engagement.sample.select_related("street"))
    per_street = Counter(r.street.name for r in rows)
    # 梅园新村: ceil(30 × 10 %) = 3; 新街口: ceil(12 × 10 %) = 2; 宁海路 (鼓楼区) not engaged
    assert per_street == {"梅园新村街道": 3, "新街口街道": 2}
    meiyuan = Counter(r.category for r in rows if r.street.name == "梅园新村街道")
    # 16 renovated, 14 unrenovated: 3 × 16/30 = 1.6, 3 × 14/30 = 1.4 → 1 + 1, the larger remainder gets the third
    assert meiyuan == {"renovated": 2, "unrenovated": 1}
    xinjiekou = Counter(r.category for r in rows if r.street.name == "新街口街道")
    # 2 renovated, 7 unrenovated, 3 affordable of 12: 2 × (2, 7, 3)/12 = 0.33, 1.17, 0.5 → 0, 1, 0 + 1 to affordable
    assert xinjiekou == {"unrenovated": 1, "affordable": 1}
    assert {r.district_id for r in rows} == {world.estates["MY101"].district_id}


def test_the_evaluator_sees_exactly_the_sampled_estates(big_xuanwu, client):
    world = big_xuanwu
    evaluator = make_user("pg1", Role.EVALUATOR)
    engagement = create_engagement(by=world.xuanwu_staff, data=engagement_input(world, evaluator))
    sampled = set(engagement.sample.values_list("estate_id", flat=True))
    assert set(Estate.objects.visible_to(evaluator).values_list("id", flat=True)) == sampled
    assert set(EvaluatorAssignment.objects.filter(evaluator=evaluator).values_list("estate_id", flat=True)) == sampled
    inside = Estate.objects.get(pk=min(sampled))
    outside = Estate.objects.filter(district_id=inside.district_id).exclude(pk__in=sampled).first()
    client.force_login(evaluator)
    assert client.get(reverse("communities:estate_detail", kwargs={"pk": inside.pk})).status_code == 200
    assert client.get(reverse("communities:estate_detail", kwargs={"pk": outside.pk})).status_code == 404
    # an inspection of a street's own, of an estate outside the sample: does not exist for the evaluator
    other = add_inspection(outside, world.meiyuan_clerk, dt.date(2019, 5, 1), FULL, status="approved")
    assert client.get(reverse("assessments:inspection_detail", kwargs={"pk": other.pk})).status_code == 404
    # entering: only the sampled estates, only within the period, always marked 第三方评估
    with pytest.raises(Refused):
        services.save_inspection(
            by=evaluator, estate=outside, date=dt.date(2019, 5, 1), scores=FULL, inspector_name="评估员"
        )
    with pytest.raises(Refused) as refused:
        services.save_inspection(
            by=evaluator, estate=inside, date=dt.date(2019, 2, 1), scores=FULL, inspector_name="评估员"
        )
    assert "评估期" in refused.value.errors["date"]
    scores = FULL if inside.category == "renovated" else {k: v for k, v in FULL.items() if k != "facilities"}
    done = services.save_inspection(
        by=evaluator, estate=inside, date=dt.date(2019, 5, 1), scores=scores, inspector_name="评估员"
    )
    assert done.source == "third_party"
    # the engagement pages are the commissioners': the evaluator gets 403
    assert client.get(reverse("assessments:engagement_detail", kwargs={"pk": engagement.pk})).status_code == 403
    # cancelling takes the estates away (its inspections stay)
    cancel_engagement(engagement, by=world.xuanwu_staff, reason="合同终止")
    assert not Estate.objects.visible_to(evaluator).exists()
    assert Inspection.objects.filter(pk=done.pk).exists()


def test_refused_engagements_write_nothing(world):
    evaluator = make_user("pg1", Role.EVALUATOR)
    gulou = world.estates["NH101"].district_id
    cases = [
        (world.xuanwu_staff, {"district_ids": [gulou]}, "districts"),  # a district engages only itself
        (world.xuanwu_staff, {"sample_percent": "0"}, "sample_percent"),
        (world.xuanwu_staff, {"sample_percent": "150"}, "sample_percent"),
        (world.xuanwu_staff, {"end_date": dt.date(2019, 1, 1)}, "end_date"),
        (world.xuanwu_staff, {"contract_amount": "-5"}, "contract_amount"),
        (world.xuanwu_staff, {"evaluator_ids": [world.meiyuan_clerk.pk]}, "evaluators"),
        (world.xuanwu_staff, {"sample_percent": "", "estate_codes": ["NH101"]}, "estate_codes"),
    ]
    before = Engagement.objects.count()
    for user, overrides, field in cases:
        with pytest.raises(Refused) as refused:
            create_engagement(by=user, data=engagement_input(world, evaluator, **overrides))
        assert field in refused.value.errors, overrides
    with pytest.raises(Refused):
        create_engagement(by=world.meiyuan_clerk, data=engagement_input(world, evaluator))
    assert Engagement.objects.count() == before
    assert not EvaluatorAssignment.objects.filter(evaluator=evaluator).exists()
    # the city engages any districts
    e = create_engagement(
        by=world.city_admin,
        data=engagement_input(world, evaluator, district_ids=[gulou, world.estates["MY101"].district_id]),
    )
    assert e.commissioner_label == "市房产局"
    assert set(e.sample.values_list("street__name", flat=True)) == {"梅园新村街道", "新街口街道", "宁海路街道"}


def test_engagement_page_records_and_draws(world, client):
    evaluator = make_user("pg1", Role.EVALUATOR)
    client.force_login(world.xuanwu_staff)
    url = reverse("assessments:engagement_new")
    data = {
        "year": "2019",
        "organisation": "评估公司",
        "districts": [world.estates["MY101"].district_id],
        "evaluators": [evaluator.pk],
        "start_date": "2019-03-01",
        "end_date": "2019-11-30",
        "contract_amount": "abc",
        "sample_percent": "10",
        "seed": "5",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "合同金额须为" in response.content.decode()
    assert not Engagement.objects.filter(organisation="评估公司").exists()
    response = client.post(url, {**data, "contract_amount": "98000"})
    engagement = Engagement.objects.get(organisation="评估公司")
    assert response.status_code == 302
    assert engagement.contract_amount_fen == 9_800_000
    page = client.get(reverse("assessments:engagement_detail", kwargs={"pk": engagement.pk})).content.decode()
    for row in engagement.sample.select_related("estate"):
        assert row.estate.code in page


# --- the paired t-test ---------------------------------------------------------------------------
def test_t_distribution_tail_matches_the_tables():
    # one-sided 5 % critical values of Student's t (df 5: 2.015, df 9: 1.833, df 30: 1.697)
    assert t_upper_tail(2.015, 5) == pytest.approx(0.05, abs=2e-4)
    assert t_upper_tail(1.833, 9) == pytest.approx(0.05, abs=2e-4)
    assert t_upper_tail(1.697, 30) == pytest.approx(0.05, abs=2e-4)
    # df 1 is the Cauchy distribution: P(T > t) = 1/2 − atan(t)/π
    assert t_upper_tail(3.0, 1) == pytest.approx(0.5 - math.atan(3.0) / math.pi, abs=1e-12)
    assert t_upper_tail(-1.0, 1) == pytest.approx(0.5 + math.atan(1.0) / math.pi, abs=1e-12)
    assert paired_t_test([5]) == (None, None)
    assert paired_t_test([3, 3, 3])[1] == 0.0


# --- the deviation report --------------------------------------------------------------------------
def _pair(estate, clerk, street_totals, third_totals, evaluator):
    """Approved street inspections and third-party evaluations with the given totals (the
    scores are spread over the items only so that each row adds up)."""
    for i, total in enumerate(street_totals):
        add_inspection(estate, clerk, dt.date(2019, 4, 1 + i), {"cleanliness": total}, status="approved")
    for i, total in enumerate(third_totals):
        add_inspection(
            estate, evaluator, dt.date(2019, 6, 1 + i), {"cleanliness": total}, status="approved", source="third_party"
        )


def t_cdf_df3(t: float) -> float:
    """Student's t with 3 degrees of freedom in closed form (an independent check)."""
    x = t / math.sqrt(3)
    return 0.5 + (x / (1 + x * x) + math.atan(x)) / math.pi


@pytest.fixture
def deviations(world):
    e, w = world.estates, world
    ev = w.evaluator
    # 梅园新村街道: differences 6, 14, 7, −1 (street means 46, 44, 42, 40; third party 40, 30, 35, 41)
    _pair(e["MY101"], w.meiyuan_clerk, [45, 47], [40], ev)
    _pair(e["MY102"], w.meiyuan_clerk, [44], [30], ev)
    _pair(e["MY201"], w.meiyuan_clerk, [42], [33, 37], ev)
    _pair(e["MY202"], w.meiyuan_clerk, [40], [41], ev)
    # 新街口街道: differences 12, 11, 13, 10.5 → lenient
    _pair(e["XJK101"], w.xinjiekou_clerk, [48], [36], ev)
    _pair(e["XJK102"], w.xinjiekou_clerk, [47], [36], ev)
    _pair(e["XJK201"], w.xinjiekou_clerk, [46], [33], ev)
    _pair(e["XJK202"], w.xinjiekou_clerk, [45.5], [35], ev)
    # 宁海路街道: one compared estate, no test
    _pair(e["NH101"], w.ninghai_clerk, [40], [20], ev)
    # not counted: a submitted (unreviewed) third-party evaluation, a district spot check, a street
    # check of an estate the third party did not evaluate, another year
    add_inspection(e["MY101"], ev, dt.date(2019, 7, 1), {"cleanliness": 5}, status="submitted", source="third_party")
    add_inspection(
        e["MY101"], w.xuanwu_staff, dt.date(2019, 7, 2), {"cleanliness": 5}, status="approved", source="district"
    )
    add_inspection(e["NH102"], w.ninghai_clerk, dt.date(2019, 7, 3), {"cleanliness": 50}, status="approved")
    add_inspection(e["MY202"], ev, dt.date(2018, 7, 3), {"cleanliness": 1}, status="approved", source="third_party")
    return world


def test_deviation_figures_equal_a_hand_computation(deviations):
    rows = {r.street_name: r for r in deviation_report(2019, user=deviations.city_admin)}
    assert list(rows) == ["梅园新村街道", "新街口街道", "宁海路街道"]  # official street codes, 玄武区 first

    my = rows["梅园新村街道"]
    assert (my.compared, my.street_mean, my.third_party_mean, my.mean_difference, my.high_estates) == (
        4,
        Decimal("43.00"),
        Decimal("36.50"),
        Decimal("6.50"),
        1,
    )
    # t = 6.5 / (s / 2) with s² = (0.25 + 56.25 + 0.25 + 56.25) / 3
    t = 6.5 / (math.sqrt(113 / 3) / 2)
    assert my.t == pytest.approx(t)
    assert my.p == pytest.approx(1 - t_cdf_df3(t), abs=1e-9)  # ≈ 0.062: not significant at 0.05
    assert not my.flagged

    xjk = rows["新街口街道"]
    assert (xjk.compared, xjk.street_mean, xjk.third_party_mean, xjk.mean_difference, xjk.high_estates) == (
        4,
        Decimal("46.63"),
        Decimal("35.00"),
        Decimal("11.63"),
        4,
    )  # 46.625 rounds half up; 10.5 > 10
    # differences 12, 11, 13, 10.5: mean 11.625, s² = (0.140625 + 0.390625 + 1.890625 + 1.265625) / 3
    t = 11.625 / (math.sqrt(3.6875 / 3) / 2)
    assert xjk.p == pytest.approx(1 - t_cdf_df3(t), abs=1e-9)
    assert xjk.flagged

    nh = rows["宁海路街道"]
    assert (nh.compared, nh.mean_difference, nh.high_estates, nh.p, nh.flagged) == (1, Decimal("20.00"), 1, None, False)


def test_threshold_and_level_are_the_schemes(deviations):
    Scheme.objects.filter(pk=Scheme.objects.for_year(2019).pk).update(
        deviation_threshold=Decimal("12"), deviation_alpha=Decimal("0.1")
    )
    rows = {r.street_name: r for r in deviation_report(2019, user=deviations.city_admin)}
    assert rows["新街口街道"].high_estates == 1  # only 13 > 12
    assert rows["梅园新村街道"].flagged  # p ≈ 0.062 < 0.1


def test_report_follows_the_scope(deviations):
    assert [r.street_name for r in deviation_report(2019, user=deviations.xuanwu_staff)] == [
        "梅园新村街道",
        "新街口街道",
    ]
    assert [r.street_name for r in deviation_report(2019, user=deviations.gulou_staff)] == ["宁海路街道"]


def test_flagged_streets_are_the_districts_to_do_until_reviewed(deviations, client):
    w = deviations
    assert deviation_reviews_count(w.xuanwu_staff, 2019) == 1
    assert deviation_reviews_count(w.city_admin, 2019) == 1
    assert deviation_reviews_count(w.gulou_staff, 2019) == 0
    assert deviation_reviews_count(w.meiyuan_clerk, 2019) == 0  # streets do not read the report
    # what the 工作台 calls (assessments.services), by default for the latest engagement's year
    assert services.deviation_reviews_count(w.xuanwu_staff) == 1
    xjk = w.estates["XJK101"].street_id
    my = w.estates["MY101"].street_id
    with pytest.raises(Refused):  # not flagged: nothing to review
        review_deviation(by=w.xuanwu_staff, year=2019, street_id=my, conclusion="confirmed", note="无")
    with pytest.raises(Refused):  # the district's step, not the city's
        review_deviation(by=w.city_admin, year=2019, street_id=xjk, conclusion="confirmed", note="约谈")
    client.force_login(w.xuanwu_staff)
    url = reverse("assessments:deviation_review", kwargs={"year": 2019, "street_id": xjk})
    response = client.post(url, {"conclusion": "confirmed", "note": ""})
    assert response.status_code == 400 and "请填写复核意见" in response.content.decode()
    assert not DeviationReview.objects.exists()
    response = client.post(url, {"conclusion": "confirmed", "note": "已约谈新街口街道，责令对4个小区重新自查"})
    assert response.status_code == 302
    review = DeviationReview.objects.get()
    assert (review.street_id, review.compared_estates, review.mean_difference) == (xjk, 4, Decimal("11.63"))
    assert deviation_reviews_count(w.xuanwu_staff, 2019) == 0
    page = client.get(reverse("assessments:deviation") + "?year=2019").content.decode()
    assert "偏高属实" in page and "宁海路街道" not in page


def test_export_deviation_command(deviations, tmp_path):
    out = tmp_path / "dev.xlsx"
    call_command("export_deviation", "2019", "--out", str(out))
    ws = openpyxl.load_workbook(out)["偏差分析"]
    rows = list(ws.values)
    assert rows[0] == ("区", "街道", "对比小区数", "街道检查均分", "第三方均分", "平均差", "偏高小区数", "是否偏高")
    assert rows[1:] == [
        ("玄武区", "梅园新村街道", 4, 43, 36.5, 6.5, 1, "否"),
        ("玄武区", "新街口街道", 4, 46.63, 35, 11.63, 4, "是"),
        ("鼓楼区", "宁海路街道", 1, 40, 20, 20, 1, "否"),
    ]
    assert ws.cell(2, 4).number_format == "0.00"
    call_command("export_deviation", "2019", "--out", str(out), "--district", "鼓楼")
    assert [r[1] for r in list(openpyxl.load_workbook(out)["偏差分析"].values)[1:]] == ["宁海路街道"]
    # --as a district user: that user's scope
    call_command("export_deviation", "2019", "--out", str(out), "--as", "xuanwu_staff")
    assert [r[1] for r in list(openpyxl.load_workbook(out)["偏差分析"].values)[1:]] == ["梅园新村街道", "新街口街道"]


# --- how third-party scores count (point 4) --------------------------------------------------------
def test_replace_rule_lets_the_third_party_score_stand_for_the_street(world):
    estate = world.estates["MY101"]  # renovated: checklist of 50 points
    add_inspection(estate, world.meiyuan_clerk, dt.date(2019, 3, 1), FULL, status="approved")  # 50
    add_inspection(
        estate,
        world.xuanwu_staff,
        dt.date(2019, 4, 1),
        {"cleanliness": 15, "order": 15, "greening": 10, "facilities": 0},
        status="approved",
        source="district",
    )  # 40
    add_inspection(
        estate,
        world.evaluator,
        dt.date(2019, 5, 1),
        {"cleanliness": 10, "order": 10, "greening": 10},
        status="approved",
        source="third_party",
    )  # 30
    add_fee_rate(estate, world.meiyuan_clerk, 2019, "90")
    scheme = Scheme.objects.for_year(2019)
    assert scheme.third_party_rule == "average"  # the default: results do not change

    call_command("run_cycle", "2019")
    averaged = EstateResult.objects.get(estate=estate, year=2019, is_current=True)
    assert (averaged.inspections_counted, averaged.inspections_total_tenths) == (3, 1200)
    assert averaged.management == Decimal("40.00")  # mean 40 of 50, scaled to 50 points

    Scheme.objects.filter(pk=scheme.pk).update(third_party_rule="replace")
    call_command("run_cycle", "2019")
    replaced = EstateResult.objects.get(estate=estate, year=2019, is_current=True)
    # the street's own 50 gives way; the district's 40 and the third party's 30 remain
    assert (replaced.inspections_counted, replaced.inspections_total_tenths) == (2, 700)
    assert replaced.management == Decimal("35.00")
    # an estate without a third-party evaluation keeps its street checks
    other = world.estates["MY201"]
    add_inspection(other, world.meiyuan_clerk, dt.date(2019, 3, 1), FULL, status="approved")
    call_command("run_cycle", "2019")
    assert EstateResult.objects.get(estate=other, year=2019, is_current=True).inspections_counted == 1
