from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "考核"

    def ready(self):
        from core.tasks import SWEEP_HOOKS
        from core.years import register_closed_years

        from . import (  # noqa: F401 - registers the importers and the export jobs
            exports,
            imports,
            third_party_exports,
            unit_exports,
        )
        from .cycle import sweep_lapsed_runs
        from .services import closed_years_among

        register_closed_years(closed_years_among)
        if sweep_lapsed_runs not in SWEEP_HOOKS:
            SWEEP_HOOKS.append(sweep_lapsed_runs)
