"""Scheduled jobs of disclosure: requests whose correction or fee came too late (R15, R19)."""

from __future__ import annotations

from tongban.core.jobs import job

from . import actions


@job(every=3600)
def expire_overdue_requests() -> int:
    """No correction by the date set → withdrawn (R15); fee unpaid after 20 wd → not processed (R19)."""
    return actions.expire_overdue()
