"""Scheduled jobs of cases: broken tolerant-acceptance promises (R10) and the nightly
recomputation of the queue's cached deadlines from the clock events."""

from __future__ import annotations

from tongban.core.jobs import job

from . import actions, clocks
from .models import Case


@job(every=3600)
def enforce_promises() -> list[str]:
    """R10: a case whose promise is past due moves to its defined outcome, never silently on."""
    return actions.enforce_promises()


@job(every=24 * 3600)
def recompute_clocks() -> int:
    """Recompute every open case's cached deadlines from its clock events."""
    count = 0
    for case in Case.objects.open().filter(accepted_on__isnull=False).prefetch_related("clock_events").iterator(
            chunk_size=2000):
        clocks.refresh_cache(case)
        count += 1
    return count
