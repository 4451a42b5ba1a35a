"""Signals the cycle sends. `cycle_run_finished(sender=CycleRun, run=run)` is sent inside the
job, after the run's results became the current ones of its year and before the job is marked
done, so a receiver (the subsidies side) recomputes that year's draft allocations within the
same job; if a receiver fails, the run fails and nothing of it becomes current."""

from django.dispatch import Signal

cycle_run_finished = Signal()
