"""The registry (小区登记): districts, streets, communities, estates, service firms,
property committees and owners' organisations (clause 八 of the notice: 全面调查摸底)."""

from .committees import (
    CommitteeMember,
    MemberVetting,
    OrganisationNorm,
    OwnersOrganisation,
    PropertyCommittee,
    SupervisionRecord,
)
from .contracts import ContractFactsDay, ServiceContract
from .estates import ESTATE_SCOPE_PATHS, Estate, EstateScopedModel
from .firms import ServiceFirm
from .units import Community, District, Street

__all__ = [
    "CommitteeMember",
    "ContractFactsDay",
    "Community",
    "District",
    "ESTATE_SCOPE_PATHS",
    "Estate",
    "EstateScopedModel",
    "MemberVetting",
    "OrganisationNorm",
    "OwnersOrganisation",
    "PropertyCommittee",
    "ServiceContract",
    "ServiceFirm",
    "Street",
    "SupervisionRecord",
]
