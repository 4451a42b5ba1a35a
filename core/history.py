"""Who acts: the change history records the user behind every human change, whether it comes
from a page (HistoryRequestMiddleware), a command (`--as`) or a job run by the worker."""

from __future__ import annotations

import contextlib
from types import SimpleNamespace

from simple_history.models import HistoricalRecords


@contextlib.contextmanager
def acting_as(user):
    previous = getattr(HistoricalRecords.context, "request", None)
    HistoricalRecords.context.request = SimpleNamespace(user=user)
    try:
        yield user
    finally:
        if previous is None:
            with contextlib.suppress(AttributeError):
                del HistoricalRecords.context.request
        else:
            HistoricalRecords.context.request = previous
