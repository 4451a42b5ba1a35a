"""收款单位 from contracts (issue 13.6, spec/domain.md): the subsidy of year Y goes to the firm
whose service contract is in force in Y (of several, the one in force the most days of Y; on a
tie the later one), else the estate's service firm on record, else the street office; the
workbook says which contract."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from django.core.management import call_command

from communities.models import ServiceContract
from subsidies.allocation import payees_for
from subsidies.models import Allocation
from tests.factories import ServiceFirmFactory

from .helpers import example_estate, run_year, worked_example_inputs

pytestmark = pytest.mark.django_db


def _contract(estate, firm, start, end, number, terminated_on=None, entrusted_by="street"):
    return ServiceContract.objects.create(
        estate=estate,
        firm=firm,
        entrusted_by=entrusted_by,
        number=number,
        start_date=start,
        end_date=end,
        terminated_on=terminated_on,
        fee_per_m2_month="0.30",
        security=True,
        cleaning=True,
        greening=True,
    )


def test_the_payee_is_the_firm_of_the_contract_in_force_in_the_year(world, tmp_path):
    estate = example_estate(world)  # 公益性物业托管, no service firm on record
    old_firm = ServiceFirmFactory(name="梅园老物业公司")
    new_firm = ServiceFirmFactory(name="梅园公益物业有限公司")
    _contract(
        estate, old_firm, dt.date(2017, 1, 1), dt.date(2019, 12, 31), "HT-2017-01", terminated_on=dt.date(2019, 3, 31)
    )  # ended early: 90 days of 2019
    current = _contract(estate, new_firm, dt.date(2019, 4, 1), dt.date(2021, 3, 31), "HT-2019-07")  # 275 days
    worked_example_inputs(estate, world.meiyuan_clerk)
    run_year(2019)
    row = Allocation.objects.get(estate=estate, sheet__year=2019, kind="management")
    assert row.payee == "梅园公益物业有限公司"  # not 梅园新村街道办事处
    assert row.contract_id == current.pk and row.payee_contract.startswith("HT-2019-07") and "合同" in row.payee_basis
    # 2018: only the old contract was in force
    assert payees_for([estate.pk], 2018)[estate.pk].payee == "梅园老物业公司"
    # a year without any contract falls back to the firm on record, else the street office
    assert payees_for([estate.pk], 2022)[estate.pk].payee == "梅园新村街道办事处"
    estate.service_firm = old_firm
    estate.save()
    fallback = payees_for([estate.pk], 2022)[estate.pk]
    assert (fallback.payee, fallback.contract_id) == ("梅园老物业公司", None) and "登记" in fallback.basis

    # the workbook says which contract, on its own sheet (the spec's column contract is kept)
    out = tmp_path / "a.xlsx"
    call_command("export_allocations", "2019", "--out", str(out))
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:4] == ["汇总", "管理扶持明细", "整治扶持明细", "考核结果"]
    assert "收款合同" in wb.sheetnames
    rows = list(wb["收款合同"].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r and r[0] == "序号")
    assert "草稿" in rows[0][0]
    header, data = rows[start], rows[start + 1 :]
    assert list(header) == [
        "序号",
        "区",
        "街道",
        "社区",
        "小区编码",
        "小区名称",
        "扶持类型",
        "本年金额(元)",
        "收款单位",
        "依据合同",
        "确定依据",
    ]
    (line,) = data
    assert line[4:7] == (estate.code, "示例小区", "管理扶持资金")
    assert line[8:10] == (
        "梅园公益物业有限公司",
        "HT-2019-07（梅园公益物业有限公司，街道办事处委托，2019-04-01至2021-03-31）",
    )
    assert "公益性物业托管" in line[10]


def test_a_tie_goes_to_the_contract_in_force_at_the_end_of_the_year(world):
    estate = example_estate(world)
    a, b = ServiceFirmFactory(name="甲物业"), ServiceFirmFactory(name="乙物业")
    _contract(estate, a, dt.date(2020, 1, 1), dt.date(2020, 6, 30), "A")  # 182 days of 2020 (leap year)
    _contract(estate, b, dt.date(2020, 7, 2), dt.date(2021, 6, 30), "B")  # 183 days
    assert payees_for([estate.pk], 2020)[estate.pk].payee == "乙物业"
    ServiceContract.objects.filter(number="B").update(start_date=dt.date(2020, 7, 3))  # now 182 each
    assert payees_for([estate.pk], 2020)[estate.pk].payee == "乙物业"  # the later one
