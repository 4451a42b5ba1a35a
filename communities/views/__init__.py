"""The registry's pages (小区登记): estates, service firms, committees and owners'
organisations, units. The estate import page is core.import_views' (communities/urls.py)."""

from .committees import (
    committee_create,
    committee_detail,
    committee_edit,
    committee_list,
    owners_org_create,
    owners_org_detail,
    owners_org_edit,
    owners_org_list,
)
from .estates import estate_create, estate_detail, estate_edit, estate_export, estate_list
from .firms import firm_create, firm_detail, firm_edit, firm_list
from .organisation import (
    committee_terms,
    contract_create,
    contract_detail,
    contract_edit,
    contract_list,
    member_vetting,
    supervision_create,
)
from .units import (
    community_create,
    community_edit,
    community_options,
    district_detail,
    district_list,
    street_detail,
    street_edit,
    street_options,
    street_reassign,
)

__all__ = [
    "committee_create",
    "committee_detail",
    "committee_edit",
    "committee_list",
    "community_create",
    "community_edit",
    "community_options",
    "district_detail",
    "district_list",
    "estate_create",
    "estate_detail",
    "estate_edit",
    "estate_export",
    "estate_list",
    "firm_create",
    "firm_detail",
    "firm_edit",
    "firm_list",
    "owners_org_create",
    "owners_org_detail",
    "owners_org_edit",
    "owners_org_list",
    "street_detail",
    "street_edit",
    "street_options",
    "street_reassign",
    "committee_terms",
    "contract_create",
    "contract_detail",
    "contract_edit",
    "contract_list",
    "member_vetting",
    "supervision_create",
]
