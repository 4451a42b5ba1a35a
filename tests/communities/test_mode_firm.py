"""公益性物业托管 needs a public-welfare firm (issue 13.7, spec/domain.md 六 and 八): the estate's
validation refuses a market firm under that mode — in the form/API path (validate_estate) and
in the import — and a firm serving such estates cannot lose its public-welfare flag."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from communities import services
from communities.imports import EstateImporter
from communities.models import Estate
from communities.services import Msg
from tests.factories import ServiceFirmFactory
from tests.spreadsheets import ESTATE_HEADERS, estate_row, xlsx

pytestmark = pytest.mark.django_db


def _values(world, firm, mode="public_welfare"):
    return {
        "code": "MY998",
        "name": "托管小区",
        "community": world.communities["MY1"],
        "building_area": Decimal("12000.00"),
        "category": "unrenovated",
        "management_mode": mode,
        "service_firm": firm.pk,
    }


def test_a_public_welfare_mode_needs_a_public_welfare_firm(world):
    market = ServiceFirmFactory(name="市场物业公司", is_public_welfare=False, founding="")
    with pytest.raises(ValidationError) as info:
        services.create_estate(_values(world, market), by=world.meiyuan_clerk)
    assert info.value.message_dict["service_firm"] == [Msg.MODE_FIRM_NOT_PUBLIC_WELFARE.format(firm="市场物业公司")]
    assert not Estate.objects.filter(code="MY998").exists()
    # the same firm under 市场化物业 is fine, and a public-welfare firm under 公益性物业托管
    services.create_estate(_values(world, market, mode="market"), by=world.meiyuan_clerk)
    public = ServiceFirmFactory(name="公益物业公司")
    estate = services.create_estate({**_values(world, public), "code": "MY997"}, by=world.meiyuan_clerk)
    # the firm cannot lose its flag while it serves an estate under 公益性物业托管
    with pytest.raises(ValidationError) as info:
        services.update_firm(
            public,
            {
                "name": public.name,
                "credit_code": public.credit_code,
                "is_public_welfare": False,
                "founding": "",
                "district": public.district_id,
            },
            by=world.city_admin,
        )
    assert (
        "公益性物业托管" in info.value.message_dict["is_public_welfare"][0]
        and estate.code in info.value.message_dict["is_public_welfare"][0]
    )


def test_the_import_refuses_a_market_firm_under_public_welfare_mode(world, tmp_path):
    ServiceFirmFactory(name="市场物业公司", is_public_welfare=False, founding="")
    path = xlsx(tmp_path / "e.xlsx", [estate_row("XW0101", **{"物业服务企业": "市场物业公司"})], ESTATE_HEADERS)
    outcome = EstateImporter(world.meiyuan_clerk).run(path, path.name)
    assert not outcome.ok
    assert Msg.MODE_FIRM_NOT_PUBLIC_WELFARE.format(firm="市场物业公司") in [e.message for e in outcome.errors]
    assert not Estate.objects.filter(code="XW0101").exists()
