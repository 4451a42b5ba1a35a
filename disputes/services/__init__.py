"""Domain operations of the two stations and the service centre. Each takes the acting user
(`by=`), checks the rule (accounts.rules) and the scope, validates (disputes.validation), runs
in one transaction and records the step in the case's timeline. Views, the API, the importers
and the commands call these; none reimplements them.

Refusals: PermissionDenied (403) when the role may not do this at all or the object is outside
the user's writing scope; ValidationError (Chinese, by field) when the input is wrong.
Nothing is written in either case.

The operations live in modules named for the kind or the concern they serve (common,
mediation, repairs, referrals, filings, stations, attachments, resident_channel); this package
re-exports them, so `from disputes import services` and `services.<name>` keep working.
"""

from __future__ import annotations

from .attachments import (  # noqa: F401 - the package's public names
    ALLOWED_SUFFIXES,
    ATTACHMENT_FIELD,
    ATTACHMENT_RULE,
    MAX_ATTACHMENT_BYTES,
    add_attachment,
)
from .common import (  # noqa: F401 - the package's public names
    NO_LIMIT,
    writable_estate,
)
from .filings import (  # noqa: F401 - the package's public names
    FILING_NEXT,
    create_filing,
    decide_filing,
)
from .mediation import (  # noqa: F401 - the package's public names
    DISPUTE_TRANSITIONS,
    Transition,
    add_dispute_note,
    create_dispute,
    dispute_actions_for,
    record_dispute_satisfaction,
    transition_dispute,
)
from .referrals import (  # noqa: F401 - the package's public names
    accept_referral,
    answer_referral,
    create_referral,
)
from .repairs import (  # noqa: F401 - the package's public names
    add_repair_note,
    complete_repair,
    create_repair,
    dispatch_repair,
    parse_cost,
    record_arrival,
    record_repair_satisfaction,
)
from .resident_channel import (  # noqa: F401 - the package's public names
    callback_cases,
    find_duplicate,
    mark_invalid,
    may_rate,
    new_resident_cases_count,
    rate_by_resident,
    rating_deadline,
    receive_resident_report,
    record_callback,
)
from .stations import (  # noqa: F401 - the package's public names
    STATION_FIELDS,
    TEAM_FIELDS,
    save_station,
    save_team,
)
