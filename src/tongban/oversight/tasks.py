"""Scheduled jobs of oversight: the incremental statistics refresh and the supervision scan."""

from __future__ import annotations

from tongban.core.jobs import job

from . import actions


@job(every=15 * 60)
def refresh_statistics() -> int:
    """Only the days touched since the last run (and the days that ended); today stays live."""
    return len(actions.refresh_statistics())


@job(every=30 * 60)
def supervision_scan() -> dict:
    return actions.scan()
