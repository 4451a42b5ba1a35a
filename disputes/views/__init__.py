"""Pages of the two stations and the service centre (两站一中心), other than a case's own pages
(the one set for every kind: disputes.case_views).

Every queryset goes through visible_to (out of scope → 404); every write goes through a service
(which checks the rule → 403, and validates → the form again with Chinese messages). Personal
data is shown through disputes.privacy. listing: what the lists share; lists: the lists, the
home page, an estate's cases and the exports; stations: stations and teams; callbacks: 回访;
attachments: downloads.
"""

from .attachments import attachment_download
from .callbacks import callback_list, callback_record
from .lists import (
    dispute_list,
    estate_cases,
    export,
    filing_list,
    home,
    overdue_list,
    referral_departments,
    referral_list,
    repair_list,
)
from .stations import station_edit, station_list, station_street, team_edit

__all__ = [
    "attachment_download",
    "callback_list",
    "callback_record",
    "dispute_list",
    "estate_cases",
    "export",
    "filing_list",
    "home",
    "overdue_list",
    "referral_departments",
    "referral_list",
    "repair_list",
    "station_edit",
    "station_list",
    "station_street",
    "team_edit",
]
