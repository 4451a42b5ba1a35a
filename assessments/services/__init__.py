"""Domain operations of the assessment (考核). Each takes the acting user (`by=`), checks the rule,
runs in one transaction and raises `Refused` with a Chinese message when it cannot be done
(nothing written). Views, the API, importers, commands and tasks call these.

Validation lives here once: `InspectionChecker` and `check_fee_rate` are used by the forms, the
API and the importers alike.

The operations live in modules named for what they do (common; years: state, publication,
closing; checking: inspection validation; inspections: saving, review, fee rates; appeals;
schemes; readiness: the 15 January reminder); this package re-exports them, so
`from assessments.services import …` and `services.<name>` keep working.
"""

from ..third_party import deviation_reviews_count, evaluator_refusal  # noqa: F401 - the 工作台's 待复核偏差
from .appeals import (  # noqa: F401 - the package's public names
    decide_appeal,
    file_appeal,
    rescore_appeal,
)
from .checking import (  # noqa: F401 - the package's public names
    InspectionChecker,
    allowed_sources,
    item_name,
    item_names_for_year,
    parse_score,
    scheme_item_names,
)
from .common import (  # noqa: F401 - the package's public names
    CENT,
    TENTH,
    _fmt,
    _require,
    writable_estate,
)
from .inspections import (  # noqa: F401 - the package's public names
    EDITABLE_STATUSES,
    _check_version,
    check_fee_rate,
    review_inspection,
    save_inspection,
    set_fee_rate,
)
from .readiness import (  # noqa: F401 - the package's public names
    readiness_report,
    send_readiness_reminder,
)
from .schemes import (  # noqa: F401 - the package's public names
    _replace_rows,
    check_scheme,
    new_scheme_version,
    update_scheme,
)
from .years import (  # noqa: F401 - the package's public names
    InputGate,
    _locked_year,
    _no_active_run,
    close_year,
    close_year_refusal,
    closed_years_among,
    is_assessment_year,
    publish_year,
    reopen_year,
    year_status,
)
