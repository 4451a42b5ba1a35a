"""扶持资金: policies as data, allocation sheets per district and year with their rows,
adjustments after approval, and the finance bureaus' disbursements."""

from .policies import Policy, PolicyRate, PolicyTier, StartupGrant
from .sheets import Allocation, AllocationSheet, Disbursement, PayeeOverride, SheetEvent

__all__ = [
    "Allocation",
    "AllocationSheet",
    "Disbursement",
    "PayeeOverride",
    "Policy",
    "PolicyRate",
    "PolicyTier",
    "SheetEvent",
    "StartupGrant",
]
