"""Scheduled jobs of hotline: the daily summary tables behind the dashboard."""

from __future__ import annotations

from tongban.core.jobs import job

from . import stats


@job(every=15 * 60)
def refresh_statistics() -> int:
    """The filing days whose tickets changed since the last run (and the days that ended)."""
    return len(stats.refresh_touched())
