"""FastRepresentation (core/api/representation.py) gives exactly what DRF's own
to_representation gives, for every field of the estate serializer: plain columns, columns
across to-one relations (present and missing), choice labels, decimals, dates."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework import serializers

from communities.api.serializers import EstateSerializer
from communities.models import Estate
from tests.factories import EstateFactory, ServiceFirmFactory

pytestmark = pytest.mark.django_db


def drf_representation(instance):
    return serializers.ModelSerializer.to_representation(EstateSerializer(), instance)


def test_same_output_as_drf(world):
    firm = ServiceFirmFactory()
    with_firm = EstateFactory(service_firm=firm, latitude=Decimal("32.050000"), building_area=Decimal("1234.50"))
    without_firm = EstateFactory(service_firm=None)
    rows = list(
        Estate.objects.filter(pk__in=[with_firm.pk, without_firm.pk])
        .select_related("district", "street", "community", "service_firm")
        .order_by("pk")
    )
    fast = EstateSerializer(rows, many=True).data
    assert [dict(r) for r in fast] == [dict(drf_representation(r)) for r in rows]
    assert fast[0]["service_firm_name"] == firm.name and fast[1]["service_firm_name"] is None
    assert fast[0]["category_display"] == with_firm.get_category_display()
    assert fast[0]["building_area"] == "1234.50"


def test_deferred_relations_give_the_same_output(world, django_assert_num_queries):
    estate = EstateFactory(service_firm=ServiceFirmFactory())
    from communities.api.views import EstateViewSet

    row = Estate.objects.select_related(*EstateViewSet.list_related).only(*EstateViewSet.list_only).get(pk=estate.pk)
    full = Estate.objects.select_related(*EstateViewSet.list_related).get(pk=estate.pk)
    with django_assert_num_queries(0):  # list_only holds every column the serializer reads
        data = dict(EstateSerializer(row).data)
    assert data == dict(drf_representation(full))
