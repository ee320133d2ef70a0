"""Scheduled jobs of hotline: the daily summary tables behind the dashboard."""

from __future__ import annotations

from tongban.core.jobs import job

from . import stats


@job(every=15 * 60)
def refresh_statistics() -> int:
    """The filing days whose tickets changed since the last run (and the days that ended)."""
    return len(stats.refresh_touched())


@job(every=3600)
def fill_pending_deadlines() -> int:
    """R5: deadlines pending on a year's working-day calendar, computed once it is entered."""
    from . import actions

    return len(actions.fill_pending_deadlines())


@job(every=15 * 60)
def run_urging() -> int:
    """督办: automatic urging of tickets at warning and overdue (once per ticket and trigger),
    overdue urgings escalated one level, pending reply deadlines filled (R5)."""
    from . import urging_actions

    urging_actions.fill_pending_reply_dues()
    escalated = urging_actions.escalate_overdue()
    return len(escalated) + len(urging_actions.urge_due_tickets())
