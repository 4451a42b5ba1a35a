"""Pages of the assessment (考核). Reading goes through visible_to; writing through services.

The pages live in modules named for what they show (common, overview, schemes, inspections,
inspection_entry, fee_rates, runs, years, results, appeals); this package re-exports them, so
the URL conf's `views.<name>` and `from assessments.views import …` keep working.
"""

from .appeals import (  # noqa: F401 - the package's public names
    _appeal_page,
    appeal_decide,
    appeal_detail,
    appeal_list,
    appeal_new,
    appeal_rescore,
)
from .common import (  # noqa: F401 - the package's public names
    APPEAL_ORDER,
    INSPECTION_ORDER,
    PAGE_SIZE,
    RESULT_ORDER,
    _is_city,
    _latest_year,
    _page,
    _require_city,
    _year_param,
)
from .fee_rates import (  # noqa: F401 - the package's public names
    fee_rate_list,
    fee_rate_new,
)
from .inspection_entry import (  # noqa: F401 - the package's public names
    _checklist_for,
    _crumb,
    _descriptions,
    _entry_year,
    _next_estate_code,
    _other_item_errors,
    _posted_scores,
    inspection_checklist,
    inspection_edit,
    inspection_new,
)
from .inspections import (  # noqa: F401 - the package's public names
    _inspection_detail_page,
    inspection_detail,
    inspection_list,
    inspection_review,
    inspection_review_bulk,
)
from .overview import (  # noqa: F401 - the package's public names
    index,
    notice_dismiss,
)
from .results import (  # noqa: F401 - the package's public names
    inspection_export,
    result_export,
    result_list,
    unit_results,
)
from .runs import (  # noqa: F401 - the package's public names
    cycle,
    run_detail,
    run_progress,
)
from .schemes import (  # noqa: F401 - the package's public names
    _dec,
    _parse_lines,
    _scheme_initial,
    scheme_detail,
    scheme_list,
    scheme_new_version,
)
from .years import (  # noqa: F401 - the package's public names
    _assessment_year,
    _year_action,
    _year_events,
    _year_page,
    publication,
    year_close,
    year_detail,
    year_publish,
    year_reopen,
)
