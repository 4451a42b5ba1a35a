"""The registry's routes in the permission matrix (tests/permission_matrix.py).

Objects are those of estate MY101 (梅园新村街道, community MY1, 玄武区) unless named otherwise:
outside a persona's scope they do not exist (404); in scope but not for the role, 403."""

from datetime import date

from communities.models import OwnersOrganisation, PropertyCommittee, ServiceFirm
from tests.factories import credit_code
from tests.permission_matrix import CITY, SEES_MEIYUAN_STREET, SEES_MY101, SIGNED_IN, XUANWU, Route, everyone, statuses

# Who may write registry rows at all (accounts.rules: district_staff, street_clerk, city_admin).
REGISTRY_WRITER_PERSONAS = frozenset(
    {
        "city_admin",
        "city_admin2",
        "xuanwu_staff",
        "xuanwu_staff2",
        "gulou_staff",
        "meiyuan_clerk",
        "xinjiekou_clerk",
        "ninghai_clerk",
    }
)
# ... and of those, who may write rows of MY101 / 梅园新村街道.
WRITES_MY101 = frozenset({"city_admin", "city_admin2", "xuanwu_staff", "xuanwu_staff2", "meiyuan_clerk"})
READS_ONLY_MY101 = SEES_MY101 - WRITES_MY101
SEES_MEIYUAN = SEES_MEIYUAN_STREET | {"meiyuan_advisor"}
SEES_XUANWU = CITY | XUANWU | {"meiyuan_clerk", "xinjiekou_clerk", "meiyuan_advisor", "xinjiekou_advisor"}


def my101(world):
    return {"pk": world.estates["MY101"].pk}


def my101_estate(world):
    return {"estate_pk": world.estates["MY101"].pk}


def meiyuan(world):
    return {"code": "320102002"}


def xuanwu(world):
    return {"code": "320102"}


def my1_community(world):
    return {"pk": world.communities["MY1"].pk}


def meiyuan_firm(world):
    """A public-welfare firm registered by 玄武区 and entrusted by 梅园新村街道."""
    firm = ServiceFirm.objects.create(
        name="梅园公益物业服务有限公司",
        credit_code=credit_code(901),
        is_public_welfare=True,
        founding="new",
        district=world.estates["MY101"].district,
        street=world.estates["MY101"].street,
    )
    return {"pk": firm.pk}


def my101_committee(world):
    committee = PropertyCommittee.objects.create(
        estate=world.estates["MY101"],
        name="梅园1-1小区物业管理委员会",
        formed_on=date(2019, 3, 1),
        term_start=date(2019, 3, 1),
        term_end=date(2022, 2, 28),
    )
    return {"pk": committee.pk}


def my101_owners_org(world):
    org = OwnersOrganisation.objects.create(
        estate=world.estates["MY101"], kind="committee", established_on=date(2018, 5, 1)
    )
    return {"pk": org.pk}


def _write(ok, read_only, *, post_ok: int = 200):
    """GET and empty-POST tables of a write page: `ok` get the form (an empty POST shows it
    again with the errors), `read_only` 403, everyone else 404."""
    return {
        "get": statuses(ok, forbidden=read_only),
        "post": statuses(ok, ok_status=post_ok, forbidden=read_only),
    }


ROUTES = [
    # estates
    Route("communities:estate_list", get=everyone()),
    # The upload page: writers get the form (an empty POST: the form again, 400); others 403.
    Route(
        "communities:estate_import",
        get=statuses(REGISTRY_WRITER_PERSONAS, forbidden=SIGNED_IN - REGISTRY_WRITER_PERSONAS),
        post=statuses(REGISTRY_WRITER_PERSONAS, ok_status=400, forbidden=SIGNED_IN - REGISTRY_WRITER_PERSONAS),
    ),
    Route("communities:estate_import_template", get=everyone()),
    # Export: POST only (it starts a job); everyone exports what they see.
    Route("communities:estate_export", get=statuses(set(), others=405), post=everyone(302)),
    Route("communities:estate_create", **_write(REGISTRY_WRITER_PERSONAS, SIGNED_IN - REGISTRY_WRITER_PERSONAS)),
    Route("communities:estate_detail", get=statuses(SEES_MY101), kwargs=my101),
    Route("communities:estate_edit", kwargs=my101, **_write(WRITES_MY101, READS_ONLY_MY101)),
    Route("communities:committee_create", kwargs=my101_estate, **_write(WRITES_MY101, READS_ONLY_MY101)),
    Route("communities:owners_org_create", kwargs=my101_estate, **_write(WRITES_MY101, READS_ONLY_MY101)),
    # service firms: a public register, written by its district, its entrusting street, city_admin
    Route("communities:firm_list", get=everyone()),
    Route("communities:firm_detail", get=everyone(), kwargs=meiyuan_firm),
    Route("communities:firm_create", **_write(REGISTRY_WRITER_PERSONAS, SIGNED_IN - REGISTRY_WRITER_PERSONAS)),
    Route("communities:firm_edit", kwargs=meiyuan_firm, **_write(WRITES_MY101, SIGNED_IN - WRITES_MY101)),
    # committees and owners' organisations
    Route("communities:committee_list", get=everyone()),
    Route("communities:committee_detail", get=statuses(SEES_MY101), kwargs=my101_committee),
    Route("communities:committee_edit", kwargs=my101_committee, **_write(WRITES_MY101, READS_ONLY_MY101)),
    Route("communities:owners_org_list", get=everyone()),
    Route("communities:owners_org_detail", get=statuses(SEES_MY101), kwargs=my101_owners_org),
    Route("communities:owners_org_edit", kwargs=my101_owners_org, **_write(WRITES_MY101, READS_ONLY_MY101)),
    # units
    Route("communities:district_list", get=everyone()),
    Route("communities:district_detail", get=statuses(SEES_XUANWU), kwargs=xuanwu),
    Route("communities:street_detail", get=statuses(SEES_MEIYUAN), kwargs=meiyuan),
    # An empty count is allowed (not reported yet): the empty POST saves and goes back.
    Route("communities:street_edit", kwargs=meiyuan, **_write(WRITES_MY101, SEES_MEIYUAN - WRITES_MY101, post_ok=302)),
    Route(
        "communities:street_reassign",
        kwargs=meiyuan,
        **_write({"city_admin", "city_admin2"}, SEES_MEIYUAN - {"city_admin", "city_admin2"}),
    ),
    Route("communities:community_create", kwargs=meiyuan, **_write(WRITES_MY101, SEES_MEIYUAN - WRITES_MY101)),
    Route("communities:community_edit", kwargs=my1_community, **_write(WRITES_MY101, SEES_MEIYUAN - WRITES_MY101)),
    # option lists of the dependent selects: answer everyone, from their own scope
    Route("communities:street_options", get=everyone(), query="district=320102"),
    Route("communities:community_options", get=everyone(), query="street=320102002"),
]


def api_write_list():
    """An API list that also creates: writers get 400 for an empty body, other roles 403."""
    return statuses(
        REGISTRY_WRITER_PERSONAS, ok_status=400, forbidden=SIGNED_IN - REGISTRY_WRITER_PERSONAS, anonymous=401
    )


ROUTES += [
    # The API answers exactly like the pages: out of scope 404, the anonymous 403.
    Route("api:district-list", get=everyone(anonymous=401)),
    Route("api:district-detail", get=statuses(SEES_XUANWU, anonymous=401), kwargs=xuanwu),
    Route("api:street-list", get=everyone(anonymous=401)),
    Route("api:street-detail", get=statuses(SEES_MEIYUAN, anonymous=401), kwargs=meiyuan),
    Route("api:community-list", get=everyone(anonymous=401)),
    Route("api:community-detail", get=statuses(SEES_MEIYUAN, anonymous=401), kwargs=my1_community),
    Route("api:estate-list", get=everyone(anonymous=401), post=api_write_list()),
    Route("api:estate-detail", get=statuses(SEES_MY101, anonymous=401), kwargs=my101),
    Route("api:firm-list", get=everyone(anonymous=401), post=api_write_list()),
    Route("api:firm-detail", get=everyone(anonymous=401), kwargs=meiyuan_firm),
    Route("api:committee-list", get=everyone(anonymous=401), post=api_write_list()),
    Route("api:committee-detail", get=statuses(SEES_MY101, anonymous=401), kwargs=my101_committee),
]


# --- entrustment contracts, committee vettings and supervision (issue 6) ----------------------
def my101_contract(world):
    from communities.models import ServiceContract

    firm = ServiceFirm.objects.create(
        name="梅园公益物业服务有限公司",
        credit_code=credit_code(902),
        is_public_welfare=True,
        founding="new",
        district=world.estates["MY101"].district,
    )
    contract = ServiceContract.objects.create(
        estate=world.estates["MY101"],
        firm=firm,
        entrusted_by="street",
        start_date=date(2024, 1, 1),
        end_date=date(2025, 12, 31),
        fee_per_m2_month="0.35",
        cleaning=True,
    )
    return {"pk": contract.pk}


def my101_committee_member(world):
    pk = my101_committee(world)["pk"]
    member = PropertyCommittee.objects.get(pk=pk).members.create(name="王主任", role="director")
    return {"pk": pk, "member_pk": member.pk}


# the advisor of MY1 confirms the community's vetting of its committees' members
VETS_MY101 = WRITES_MY101 | {"meiyuan_advisor"}

ROUTES += [
    Route("communities:contract_list", get=everyone()),
    Route("communities:contract_create", kwargs=my101_estate, **_write(WRITES_MY101, READS_ONLY_MY101)),
    Route("communities:contract_detail", get=statuses(SEES_MY101), kwargs=my101_contract),
    Route("communities:contract_edit", kwargs=my101_contract, **_write(WRITES_MY101, READS_ONLY_MY101)),
    Route("communities:committee_terms", get=everyone()),
    # POST only; an empty POST (no unit) goes back to the committee with a message
    Route(
        "communities:member_vetting",
        kwargs=my101_committee_member,
        get=statuses(set(), others=405),
        post=statuses(VETS_MY101, ok_status=302, forbidden=SEES_MY101 - VETS_MY101),
    ),
    Route("communities:supervision_create", kwargs=my101_committee, **_write(WRITES_MY101, READS_ONLY_MY101)),
]
