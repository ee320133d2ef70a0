"""Scheduled jobs of disclosure: requests whose correction or fee came too late (R15, R19)."""

from __future__ import annotations

from tongban.core.jobs import job

from . import actions


@job(every=3600)
def expire_overdue_requests() -> int:
    """No correction by the date set → withdrawn (R15); fee unpaid after 20 wd → not processed (R19)."""
    return actions.expire_overdue()


@job(every=24 * 3600)
def expire_documents() -> int:
    """Policy documents past their expiry date become 失效."""
    from . import page_actions

    return page_actions.expire_documents()


@job(every=24 * 3600)
def refresh_open_data() -> int:
    """Each registered dataset gets a new version when its data changed."""
    from . import opendata

    return len(opendata.refresh())
