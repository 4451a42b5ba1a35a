"""考核: schemes (as data), inspections, fee collection rates, the yearly cycle and its results.

Policy numbers live in rows (policy-defaults.md §1–3): a Scheme with its checklist items per
estate category, its indicator points, its fee and size bands and its grade bands. The cycle
reads them, never constants.

The models live in modules by family (fields, schemes, years, inspections, results, appeals);
this package imports every one of them, so Django registers them and
`from assessments.models import …` keeps working.
"""

# 三级考核 (policy-defaults.md §3c), 第三方评估 and 细化分解 (clause 十): their own modules,
# imported here so Django registers them.
from ..refinement_models import Refinement, SubItem  # noqa: F401
from ..third_party_models import DeviationReview, Engagement, EngagementEstate  # noqa: F401
from ..unit_models import UnitScheme, UnitScore, UnitSheet  # noqa: F401
from .appeals import (  # noqa: F401 - the package's public names
    Appeal,
)
from .fields import (  # noqa: F401 - the package's public names
    SCORE,
    ZERO,
)
from .inspections import (  # noqa: F401 - the package's public names
    FeeRate,
    Inspection,
    InspectionPhoto,
    photo_upload_path,
)
from .results import (  # noqa: F401 - the package's public names
    CycleRun,
    EstateResult,
    UnitResult,
)
from .schemes import (  # noqa: F401 - the package's public names
    ChecklistItem,
    GradeBand,
    Scheme,
    SchemeBand,
    SchemeQuerySet,
)
from .years import (  # noqa: F401 - the package's public names
    AssessmentYear,
    Notice,
    YearEvent,
)
