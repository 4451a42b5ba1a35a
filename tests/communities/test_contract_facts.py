"""Each estate's active-contract facts (communities.contract_facts), from which 管理覆盖 counts:
they follow the contracts' writes, are refreshed when they are of another day, and an estate
edit never writes back the facts it read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from communities import contract_facts
from communities.contract_facts import CONTRACT_ENTRUSTED, CONTRACT_OWNERS
from communities.coverage import CONTRACT_ENDING, MODE_MISMATCH, summary
from communities.models import ContractFactsDay, Estate, ServiceContract
from tests.factories import ServiceFirmFactory

pytestmark = pytest.mark.django_db


def contract(estate, party, start, end, **extra):
    return ServiceContract.objects.create(
        estate=estate,
        firm=ServiceFirmFactory(),
        entrusted_by=party,
        start_date=start,
        end_date=end,
        fee_per_m2_month="0.40",
        cleaning=True,
        **extra,
    )


def facts(estate):
    return tuple(Estate.objects.filter(pk=estate.pk).values_list("contract_parties", "contract_ends_on").get())


def district_row(estate):
    """The coverage summary's row of the estate's district."""
    (row,) = [r for r in summary(Estate.objects.all(), "district") if r["unit"].pk == estate.district_id]
    return row


def test_contract_writes_keep_their_estate_facts(world):
    today = timezone.localdate()
    contract_facts.refresh_all()
    estate = world.estates["MY101"]
    assert facts(estate) == (0, None)
    street = contract(estate, "street", today - dt.timedelta(days=10), today + dt.timedelta(days=400))
    assert facts(estate) == (CONTRACT_ENTRUSTED, today + dt.timedelta(days=400))
    owners = contract(estate, "owners", today - dt.timedelta(days=5), today + dt.timedelta(days=30))
    assert facts(estate) == (CONTRACT_ENTRUSTED | CONTRACT_OWNERS, today + dt.timedelta(days=30))
    # terminated early: it still counts until its last day, and that day is the earliest end
    owners.terminated_on = today
    owners.save()
    assert facts(estate) == (CONTRACT_ENTRUSTED | CONTRACT_OWNERS, today)
    owners.delete()
    assert facts(estate) == (CONTRACT_ENTRUSTED, today + dt.timedelta(days=400))
    # a contract not yet started is not in force
    contract(world.estates["MY102"], "owners", today + dt.timedelta(days=1), today + dt.timedelta(days=100))
    assert facts(world.estates["MY102"]) == (0, None)
    # moved to another estate: both follow
    street.estate = world.estates["MY102"]
    street.save()
    assert facts(estate) == (0, None)
    assert facts(world.estates["MY102"]) == (CONTRACT_ENTRUSTED, today + dt.timedelta(days=400))


def test_facts_of_another_day_are_refreshed_before_the_summary_reads_them(world):
    """A contract that ended yesterday, or one changed without its signals (a bulk update), is
    judged afresh on the first read of a new day."""
    today = timezone.localdate()
    estate = world.estates["MY101"]
    Estate.objects.filter(pk=estate.pk).update(management_mode="market", category="renovated", renovation_year=2018)
    c = contract(estate, "owners", today - dt.timedelta(days=400), today + dt.timedelta(days=300))
    contract_facts.refresh_all()
    before = district_row(estate)[MODE_MISMATCH]
    # the contract ended yesterday, written past the receivers; the facts are of yesterday
    ServiceContract.objects.filter(pk=c.pk).update(end_date=today - dt.timedelta(days=1))
    ContractFactsDay.objects.update(day=today - dt.timedelta(days=1))
    row = district_row(estate)
    assert row[MODE_MISMATCH] == before + 1  # 市场化物业但无业主组织选聘的有效合同
    assert facts(estate) == (0, None)
    assert ContractFactsDay.objects.get().day == today


def test_ending_soon_is_judged_when_read(world):
    """The facts keep the end day; the warning period is applied when counting, so changing
    it needs no refresh."""
    from communities.models import OrganisationNorm

    today = timezone.localdate()
    estate = world.estates["MY101"]
    contract_facts.refresh_all()
    before = district_row(estate)[CONTRACT_ENDING]
    contract(estate, "street", today - dt.timedelta(days=10), today + dt.timedelta(days=60))
    assert district_row(estate)[CONTRACT_ENDING] == before + 1
    OrganisationNorm.objects.update(contract_warning_days=30)
    assert district_row(estate)[CONTRACT_ENDING] == before


def test_an_estate_edit_does_not_write_back_the_facts_it_read(world):
    today = timezone.localdate()
    contract_facts.refresh_all()
    estate = Estate.objects.get(pk=world.estates["MY101"].pk)  # read before the contract
    contract(estate, "street", today - dt.timedelta(days=10), today + dt.timedelta(days=400))
    estate.name = "梅园新村（改）"
    estate.save()
    assert Estate.objects.get(pk=estate.pk).name == "梅园新村（改）"
    assert facts(estate) == (CONTRACT_ENTRUSTED, today + dt.timedelta(days=400))


def test_the_nightly_refresh_is_scheduled_and_runs():
    from communities.tasks import refresh_contract_facts_task

    task = PeriodicTask.objects.get(task="communities.tasks.refresh_contract_facts_task")
    assert task.enabled and (task.crontab.hour, task.crontab.minute) == ("0", "5")
    assert refresh_contract_facts_task() == 0
    assert ContractFactsDay.objects.get().day == timezone.localdate()
