"""District refinements (细化分解, issue 19 point 1; clause 十): 玄武区 breaks 保洁 (15 points for
已整治老旧小区) into 楼道 6 + 道路 5 + 垃圾 4, one officer prepares, the other approves; the
district's inspections are entered by sub-item (form, import, API), the item score is their
sum, and the year's results and allocations are those of the same item scores entered whole."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from assessments import refinements, services
from assessments.errors import Refused
from assessments.imports import InspectionImporter
from assessments.models import EstateResult, Inspection, Refinement, Scheme, SubItem
from subsidies.models import Allocation

from .test_command_line import xlsx
from .test_scheme_items import sheet_rows

pytestmark = pytest.mark.django_db

YEAR = 2019
CLEANING = "sub__renovated__cleanliness"
SIX_FIVE_FOUR = "楼道，6，楼道及公共部位保洁\n道路，5\n垃圾，4，垃圾分类与清运"


def prepare(client, world, text=SIX_FIVE_FOUR):
    """xuanwu_staff prepares version 1 (from 2019) through the pages; → (refinement, last response)."""
    client.force_login(world.xuanwu_staff)
    r = client.post(
        reverse("assessments:refinement_new"),
        {"scheme": Scheme.objects.get(version=1).pk, "valid_from_year": YEAR, "note": "试行"},
    )
    assert r.status_code == 302, r.content.decode()
    refinement = Refinement.objects.get()
    r = client.post(
        reverse("assessments:refinement_detail", args=[refinement.pk]),
        {"valid_from_year": YEAR, "note": "试行", CLEANING: text},
    )
    return refinement, r


def approve(client, world, refinement):
    client.force_login(world.xuanwu_staff2)
    r = client.post(reverse("assessments:refinement_approve", args=[refinement.pk]))
    assert r.status_code == 302
    refinement.refresh_from_db()
    assert refinement.status == "approved" and refinement.approved_by == world.xuanwu_staff2


def test_prepare_refuse_a_wrong_sum_and_approve_by_another_officer(client, world):
    refinement, r = prepare(client, world, "楼道，6\n道路，5\n垃圾，5")
    assert r.status_code == 400
    page = r.content.decode()
    assert "已整治老旧小区·保洁：子项分值合计为16分（6 + 5 + 5），须等于该项目满分15分。" in page
    assert not SubItem.objects.exists()  # nothing written

    r = client.post(
        reverse("assessments:refinement_detail", args=[refinement.pk]), {"valid_from_year": YEAR, CLEANING: "楼道，六"}
    )
    assert r.status_code == 400 and "第1行的分值“六”不是有效的数字" in r.content.decode()

    r = client.post(
        reverse("assessments:refinement_detail", args=[refinement.pk]),
        {"valid_from_year": YEAR, "note": "", CLEANING: SIX_FIVE_FOUR},
    )
    assert r.status_code == 302
    assert list(refinement.sub_items.values_list("name", "max_points")) == [
        ("楼道", Decimal("6.0")),
        ("道路", Decimal("5.0")),
        ("垃圾", Decimal("4.0")),
    ]
    assert refinement.history.count() >= 2 and SubItem.history.count() == 3

    # four eyes: the preparer cannot approve; the city does not refine a district's checklist
    r = client.post(reverse("assessments:refinement_approve", args=[refinement.pk]))
    assert r.status_code == 400 and "不能批准自己编制的细化方案" in r.content.decode()
    with pytest.raises(Refused):
        refinements.approve_refinement(refinement, by=world.city_admin)
    approve(client, world, refinement)

    # approved: not edited in place; a new version starts as its copy
    with pytest.raises(Refused, match="请新建下一版本"):
        refinements.save_sub_items(refinement, by=world.xuanwu_staff, rows={})
    nxt = refinements.new_refinement(by=world.xuanwu_staff, scheme=refinement.scheme, valid_from_year=2020)
    assert (nxt.version, nxt.status, nxt.sub_items.count()) == (2, "draft", 3)


def test_a_refinement_used_by_a_closed_year_is_frozen(world):
    from tests.subsidies.helpers import close_year, run_year

    refinement = refinements.new_refinement(
        by=world.xuanwu_staff, scheme=Scheme.objects.get(version=1), valid_from_year=YEAR
    )
    refinements.save_sub_items(
        refinement,
        by=world.xuanwu_staff,
        rows={
            ("renovated", "cleanliness"): [
                ("楼道", Decimal("6"), ""),
                ("道路", Decimal("5"), ""),
                ("垃圾", Decimal("4"), ""),
            ]
        },
    )
    refinements.approve_refinement(refinement, by=world.xuanwu_staff2)
    run_year(YEAR)
    close_year(YEAR, world.city_admin)
    assert refinements.used_by_closed_years(refinement) == [YEAR] and refinements.is_locked(refinement)
    with pytest.raises(Refused, match="2019年度已关闭，细化方案最早自2020年度起生效"):
        refinements.new_refinement(by=world.xuanwu_staff, scheme=refinement.scheme, valid_from_year=YEAR)
    assert (
        refinements.new_refinement(by=world.xuanwu_staff, scheme=refinement.scheme, valid_from_year=2020).version == 2
    )


def _snapshot():
    results = sorted(
        EstateResult.objects.filter(year=YEAR, is_current=True).values_list(
            "estate__code", "management", "total", "grade", "inspections_counted"
        )
    )
    allocations = sorted(
        Allocation.objects.filter(sheet__year=YEAR).values_list(
            "estate__code", "kind", "sheet__version", "score", "grade", "amount_fen", "city_fen", "district_fen"
        )
    )
    return results, allocations


def _inputs(world):
    from tests.subsidies.helpers import example_estate

    estate = example_estate(world)  # SL001, 玄武区, 已整治 (保洁 15)
    services.set_fee_rate(by=world.meiyuan_clerk, estate=estate, year=YEAR, rate="92")
    return estate


def test_results_and_allocations_equal_those_without_the_refinement(client, world):
    from tests.subsidies.helpers import run_year

    whole = [
        {"cleanliness": "14", "order": "13", "greening": "9", "facilities": "8"},
        {"cleanliness": "15", "order": "14", "greening": "8", "facilities": "9"},
    ]
    parts = [
        {
            "cleanliness.1": "6",
            "cleanliness.2": "4.5",
            "cleanliness.3": "3.5",
            "order": "13",
            "greening": "9",
            "facilities": "8",
        },
        {
            "cleanliness.1": "6",
            "cleanliness.2": "5",
            "cleanliness.3": "4",
            "order": "14",
            "greening": "8",
            "facilities": "9",
        },
    ]
    estate = _inputs(world)
    day = dt.date(YEAR, 3, 5)
    # 1. without a refinement: the items entered whole
    for scores in whole:
        services.save_inspection(by=world.meiyuan_clerk, estate=estate, date=day, scores=scores, inspector_name="张三")
    run_year(YEAR)
    without = _snapshot()
    assert [r for r in without[0] if r[0] == "SL001"] == [("SL001", Decimal("45.00"), Decimal("93.00"), "三星", 2)]

    # 2. 玄武区 refines 保洁; the same item scores entered by sub-item
    Inspection.objects.all().delete()
    refinement, r = prepare(client, world)
    assert r.status_code == 302
    approve(client, world, refinement)
    with pytest.raises(Refused) as refused:  # the whole item is no longer how 玄武区 enters it
        services.save_inspection(
            by=world.meiyuan_clerk, estate=estate, date=day, scores=whole[0], inspector_name="张三"
        )
    assert "请填写保洁·楼道得分（满分6分）" in refused.value.errors["cleanliness.1"]
    assert "已将“保洁”细化为子项" in refused.value.errors["cleanliness"]
    for scores in parts:
        services.save_inspection(by=world.meiyuan_clerk, estate=estate, date=day, scores=scores, inspector_name="张三")
    stored = Inspection.objects.order_by("id").first()
    assert (
        stored.scores["cleanliness"] == "14.0"
        and stored.scores["cleanliness.2"] == "4.5"
        and stored.total_tenths == 440
    )
    run_year(YEAR)
    assert _snapshot() == without


def test_the_form_the_import_and_the_api_show_the_sub_items(client, world, tmp_path):
    _inputs(world)
    refinement, _ = prepare(client, world)
    approve(client, world, refinement)

    # the form: the htmx checklist of a 玄武区 estate has the sub-items with their descriptions
    client.force_login(world.meiyuan_clerk)
    html = client.get(
        reverse("assessments:inspection_checklist"), {"estate_code": "SL001", "date": "2019-03-05"}
    ).content.decode()
    assert "保洁·楼道（满分6.0）" in html and 'name="item_cleanliness.3"' in html and "楼道及公共部位保洁" in html
    assert 'name="item_cleanliness"' not in html
    data = {
        "estate_code": "SL001",
        "date": "2019-03-05",
        "inspector_name": "张三",
        "source": "street",
        "note": "",
        "action": "submit",
        "item_cleanliness.1": "6",
        "item_cleanliness.2": "5",
        "item_cleanliness.3": "4",
        "item_order": "14",
        "item_greening": "8",
        "item_facilities": "9",
    }
    r = client.post(reverse("assessments:inspection_new"), {**data, "item_cleanliness.3": "4.5"})
    assert r.status_code == 400 and "保洁·垃圾得分不能超过满分4分" in r.content.decode()
    assert not Inspection.objects.exists()
    r = client.post(reverse("assessments:inspection_new"), data)
    assert r.status_code == 302
    entered = Inspection.objects.get()
    assert entered.scores["cleanliness"] == "15.0" and entered.total == Decimal("46.0")
    detail = client.get(reverse("assessments:inspection_detail", args=[entered.pk])).content.decode()
    assert "保洁·道路" in detail

    # the API: items are the sub-items, scores carry the item's sum
    api = APIClient()
    api.force_authenticate(world.meiyuan_clerk)
    r = api.get(reverse("api:inspection-detail", args=[entered.pk]))
    assert [i["name"] for i in r.data["items"]] == ["保洁·楼道", "保洁·道路", "保洁·垃圾", "秩序", "绿化", "设施"]

    # the district's import template: the sub-items as columns (保洁 stays for 未整治, not refined)
    template = client.get(reverse("assessments:inspection_import_template"))
    header = list(next(r for r in sheet_rows(template, "检查记录") if r[0] == "小区编码"))
    assert header == [
        "小区编码",
        "检查日期",
        "检查人",
        "检查类型",
        "保洁",
        "保洁·楼道",
        "保洁·道路",
        "保洁·垃圾",
        "秩序",
        "绿化",
        "设施",
        "备注",
    ]
    upload = xlsx(
        tmp_path / "xuanwu.xlsx",
        [header, ["SL001", dt.date(2019, 6, 1), "李四", "街道日常检查", None, 6, 4.5, 3, 13, 9, 8, None]],
    )
    outcome = InspectionImporter(world.meiyuan_clerk).run(upload, "xuanwu.xlsx")
    assert outcome.ok, [str(e) for e in outcome.errors]
    by_file = Inspection.objects.get(inspector_name="李四")
    assert by_file.scores["cleanliness"] == "13.5" and by_file.scores["cleanliness.3"] == "3.0"
    assert by_file.total == Decimal("43.5")

    # a city-wide import: sub-item columns refused for a 鼓楼区 estate (no refinement there)
    upload = xlsx(
        tmp_path / "city.xlsx",
        [
            header,
            ["NH101", dt.date(2019, 6, 2), "王五", "街道日常检查", 15, 6, 5, 4, 13, 9, 8, None],
            ["SL001", dt.date(2019, 6, 2), "王五", "街道日常检查", None, 6, 5, 4, 13, 9, 8, None],
        ],
    )
    outcome = InspectionImporter(world.city_admin).run(upload, "city.xlsx")
    assert not outcome.ok
    messages = [str(e) for e in outcome.errors]
    assert any("鼓楼区2019年度已整治老旧小区没有细化子项“保洁·楼道”" in m for m in messages), messages
    assert not Inspection.objects.filter(inspector_name="王五").exists()
