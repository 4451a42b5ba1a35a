"""分配计算: a year's allocations from the current assessment results (policy-defaults.md §4–6).

`compute_lines(year)` turns every current result of the year into the subsidies it earns under
the policies covering that year, per district; `recompute_year(run)` — called after every
successful cycle run — writes them into each district's draft sheet, or, for a district whose
sheet is already approved, into an adjustment version listing the differences (补拨/追回).
Approved sheets are never touched. All money is integer fen through core.money.

The computation lives in modules named for what they do (lines, policies, payees, computing,
sheets); this package re-exports them, so `from subsidies.allocation import …` keeps working.
"""

from .computing import (  # noqa: F401 - the package's public names
    BASE_KEYS,
    _fix_grants,
    _grants_for,
    _release_grants,
    compute_lines,
    current_bases,
    on_cycle_run_finished,
    recompute_year,
)
from .lines import (  # noqa: F401 - the package's public names
    ZERO_AREA,
    Line,
)
from .payees import (  # noqa: F401 - the package's public names
    MODE_LABELS,
    Payee,
    _contract_text,
    _rule_payee,
    contract_in_force,
    payees_for,
    street_office,
)
from .policies import (  # noqa: F401 - the package's public names
    PolicyBook,
    _ids,
    management_line,
    startup_line,
)
from .sheets import (  # noqa: F401 - the package's public names
    ROW_COLUMNS,
    _differences,
    _recompute_district,
    _reopen_reason,
    _reset,
    _row_values,
    _run_note,
    _write_rows,
    approved_state,
    set_totals,
)
