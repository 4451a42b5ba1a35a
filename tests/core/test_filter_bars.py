"""Filter bars (issue 20, point 11): 全部… empty options, the community select cascades from the
street (the registry's options endpoint, by id), a community shown without its street carries
the street's name."""

from __future__ import annotations

from django.urls import reverse

from communities.models import Community, Street


def test_case_list_filters_cascade_and_read_all(client, world):
    client.force_login(world.users["xuanwu_staff"])
    html = client.get(reverse("disputes:dispute_list")).content.decode()
    assert "---------" not in html
    assert ">全部街道<" in html and "全部社区（先选街道）" in html
    assert f'hx-get="{reverse("communities:community_options")}"' in html and 'hx-target="#id_community"' in html
    # No street chosen: not every community of the district.
    assert "梅园新村第1社区" not in html
    street = Street.objects.get(name="梅园新村街道")
    html = client.get(reverse("disputes:dispute_list"), {"street": street.pk}).content.decode()
    assert "梅园新村第1社区" in html and "新街口第1社区" not in html
    # A community named in the address without its street carries the street's name.
    community = Community.objects.get(name="新街口第1社区")
    html = client.get(reverse("disputes:dispute_list"), {"community": community.pk}).content.decode()
    assert f"新街口第1社区（{community.street.name}）" in html


def test_options_endpoint_by_id(client, world):
    client.force_login(world.users["xuanwu_staff"])
    street = Street.objects.get(name="梅园新村街道")
    html = client.get(
        reverse("communities:community_options"), {"street": street.pk, "key": "pk", "mode": "filter"}
    ).content.decode()
    mine = Community.objects.filter(street=street).first()
    assert f'value="{mine.pk}"' in html and ">全部社区<" in html
    html = client.get(
        reverse("communities:street_options"), {"district": street.district_id, "key": "pk", "mode": "filter"}
    ).content.decode()
    assert f'value="{street.pk}"' in html and 'id="id_community"' in html
    # Scope still holds: another district's streets are not offered.
    client.force_login(world.users["gulou_staff"])
    html = client.get(reverse("communities:community_options"), {"street": street.pk, "key": "pk"}).content.decode()
    assert f'value="{mine.pk}"' not in html


def test_no_list_offers_dashes(client, world):
    client.force_login(world.users["city_admin"])
    for name in (
        "assessments:inspection_list",
        "disputes:dispute_list",
        "disputes:repair_list",
        "disputes:referral_list",
        "disputes:filing_list",
        "communities:estate_list",
        "communities:firm_list",
        "assessments:result_list",
    ):
        html = client.get(reverse(name)).content.decode()
        assert "---------" not in html, name
        assert ">全部" in html, name
