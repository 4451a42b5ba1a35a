"""Issue 15.2: one plausibility rule for every date and date-time (core/validation.py) — none
before 1949-10-01; a fact that has happened (reported, completed, inspected, paid …) not in the
future; a date that may lie ahead (deadline, contract or term end) not after 2100 — with the
same Chinese message from the API, the forms, the importers and the models."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone
from rest_framework.test import APIClient

from core.validation import HAPPENED_MESSAGE, PLAUSIBLE_MESSAGE, date_error, happened, plausible_date

PROJECT_APPS = ("accounts", "assessments", "communities", "core", "disputes", "staffing", "subsidies")
RULES = {happened, plausible_date}
# Set by Django and django-simple-history themselves, never typed by anyone.
FRAMEWORK_FIELDS = {"history_date", "last_login", "date_joined"}
SH = dt.timezone(dt.timedelta(hours=8))


def test_the_rule_at_its_edges():
    today = timezone.localdate()
    assert date_error(dt.date(1949, 10, 1), fact=True) is None
    assert date_error(dt.date(1949, 9, 30), fact=True) == HAPPENED_MESSAGE
    assert date_error(dt.datetime(1949, 9, 30, 23, 59, tzinfo=SH), fact=True) == HAPPENED_MESSAGE
    assert date_error(dt.datetime(1949, 10, 1, 0, 0, tzinfo=SH), fact=True) is None
    # the value of the report: year 0082 with a local-mean-time offset
    odd = dt.timezone(dt.timedelta(hours=8, minutes=5, seconds=43))
    assert date_error(dt.datetime(82, 3, 5, 10, 0, tzinfo=odd), fact=True) == HAPPENED_MESSAGE
    assert date_error(dt.datetime(1, 1, 1, tzinfo=dt.UTC), fact=False) == PLAUSIBLE_MESSAGE
    assert date_error(today, fact=True) is None
    assert date_error(today + dt.timedelta(days=1), fact=True) == HAPPENED_MESSAGE
    assert date_error(timezone.now() + dt.timedelta(hours=1), fact=True) == HAPPENED_MESSAGE
    assert date_error(today + dt.timedelta(days=400), fact=False) is None
    assert date_error(dt.date(2101, 1, 1), fact=False) == PLAUSIBLE_MESSAGE


def _rule_of(validators):
    return RULES & set(validators)


def test_every_model_date_field_carries_the_rule():
    missing = []
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for field in model._meta.get_fields():
            if (
                isinstance(field, (models.DateField, models.DateTimeField))
                and field.editable
                and not field.auto_created
                and field.name not in FRAMEWORK_FIELDS
            ):
                if not _rule_of(field.validators):
                    missing.append(f"{model._meta.label}.{field.name}")
    assert not missing, missing


def _declared(module_name):
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        return
    for value in vars(module).values():
        if isinstance(value, type) and value.__module__ == module.__name__:
            yield value


def test_every_declared_form_and_serializer_date_field_carries_the_rule():
    from django import forms
    from rest_framework import serializers

    missing = []
    for app in PROJECT_APPS:
        for cls in _declared(f"{app}.forms"):
            for name, field in getattr(cls, "declared_fields", {}).items():
                if isinstance(field, (forms.DateField, forms.DateTimeField)) and not _rule_of(field.validators):
                    missing.append(f"{cls.__module__}.{cls.__name__}.{name}")
        for cls in _declared(f"{app}.api.serializers"):
            for name, field in getattr(cls, "_declared_fields", {}).items():
                if (
                    isinstance(field, (serializers.DateField, serializers.DateTimeField))
                    and not field.read_only
                    and not _rule_of(field.validators)
                ):
                    missing.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert not missing, missing


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "body", "field", "message"),
    [
        (
            "api:repair-list",
            {"requested_datetime": "0082-03-05T10:00:00+08:05:43"},
            "requested_datetime",
            HAPPENED_MESSAGE,
        ),
        (
            "api:repair-list",
            {"requested_datetime": "2999-03-05T10:00:00+08:00"},
            "requested_datetime",
            HAPPENED_MESSAGE,
        ),
        (
            "api:dispute-list",
            {"requested_datetime": "1900-01-01T08:00:00+08:00"},
            "requested_datetime",
            HAPPENED_MESSAGE,
        ),
        ("api:referral-list", {"referred_on": "1900-01-01"}, "referred_on", HAPPENED_MESSAGE),
        ("api:referral-list", {"due_on": "2222-01-01"}, "due_on", PLAUSIBLE_MESSAGE),
    ],
)
def test_the_api_refuses_absurd_dates_in_chinese(world, route, body, field, message):
    from django.urls import reverse

    from disputes.models import Department, DisputeCase, EnforcementReferral, RepairRequest

    client = APIClient()
    client.force_authenticate(world.meiyuan_clerk)
    base = {
        "estate_code": "MY101",
        "service_code": "water_pipe" if "repair" in route else "parking",
        "urgency": "urgent",
        "department": Department.objects.first().pk,
        "problem": "占用消防通道",
        "referred_on": str(timezone.localdate()),
        "due_on": str(timezone.localdate() + dt.timedelta(days=10)),
    }
    response = client.post(reverse(route), {**base, **body}, format="json")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["errors"][field] == [message]
    assert not (RepairRequest.objects.exists() or DisputeCase.objects.exists() or EnforcementReferral.objects.exists())


@pytest.mark.django_db
def test_the_importers_refuse_absurd_dates_with_the_same_message(world, tmp_path):
    from disputes.imports import RepairImporter
    from disputes.models import RepairRequest
    from tests.spreadsheets import xlsx

    headers = ["小区编码", "报修时间", "类别", "紧急程度", "完成时间"]
    rows = [
        dict(zip(headers, ["MY101", "1900-04-01 08:00", "水管爆裂", "紧急", None], strict=True)),
        dict(zip(headers, ["MY101", "2019-04-01 08:00", "水管爆裂", "紧急", "2999-01-01 08:00"], strict=True)),
    ]
    outcome = RepairImporter(world.meiyuan_clerk).run(xlsx(tmp_path / "r.xlsx", rows, headers), "r.xlsx")
    assert [(e.row, e.column, e.message) for e in outcome.errors] == [
        (2, "报修时间", HAPPENED_MESSAGE),
        (3, "完成时间", HAPPENED_MESSAGE),
    ]
    assert not RepairRequest.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "message"), [("1900-03-05 10:00", HAPPENED_MESSAGE), ("2999-03-05 10:00", HAPPENED_MESSAGE)]
)
def test_a_form_refuses_an_absurd_date_with_the_same_message(world, value, message):
    from disputes.forms import RepairForm

    form = RepairForm(
        {"estate": "MY101", "service_code": "water_pipe", "urgency": "urgent", "requested_datetime": value},
        user=world.meiyuan_clerk,
    )
    assert not form.is_valid()
    assert form.errors["requested_datetime"] == [message]


@pytest.mark.django_db
def test_a_service_refuses_an_absurd_date_with_the_same_message(world):
    """Forms that parse their dates in the service (staffing) give the same message."""
    from django.core.exceptions import ValidationError

    from staffing.services import validate_staff

    with pytest.raises(ValidationError) as refused:
        validate_staff({"since": "1900-01-01"}, level="street")
    assert refused.value.message_dict["since"] == [HAPPENED_MESSAGE]
