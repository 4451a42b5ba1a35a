"""The two stations and the service centre (两站一中心, clause 七) and joint enforcement
(联合执法, clause 一(三)): stations and repair teams, dispute cases, repair requests,
enforcement referrals, filings, and the reference data they stand on (time limits,
departments)."""

from .cases import Attachment, DisputeCase, DisputeEvent, RepairEvent, RepairRequest
from .filings import Filing
from .reference import Department, TimeLimit
from .referrals import EnforcementReferral
from .stations import RepairTeam, Station

__all__ = [
    "Attachment",
    "Department",
    "DisputeCase",
    "DisputeEvent",
    "EnforcementReferral",
    "Filing",
    "RepairEvent",
    "RepairRequest",
    "RepairTeam",
    "Station",
    "TimeLimit",
]
