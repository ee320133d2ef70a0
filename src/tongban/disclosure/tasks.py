"""Scheduled jobs of disclosure: requests whose correction or fee came too late (R15, R19),
documents past expiry, open data, the message hand-over retry, the site health check (R23) and
the page views counted in the cache."""

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


@job(every=3600)
def hand_off_messages() -> int:
    """Messages of hand-over sites the hotline could not take at once get their ticket now."""
    from . import message_actions

    return message_actions.hand_off_pending()


@job(every=24 * 3600)
def check_site_health() -> int:
    """R23: each live site's health check (stale and empty columns, unanswered messages, links)."""
    from . import health_actions

    return health_actions.run_all()


@job(every=300)
def flush_page_views() -> int:
    """Page views counted in the cache (with Redis) move into the daily rows per column."""
    from . import page_views

    return page_views.flush()


@job(every=60)
def publish_scheduled() -> int:
    """Wagtail's scheduled publishing: pages whose approved go-live time has come are published and
    those past their expiry time unpublished (`manage.py publish_scheduled`). The privacy gate
    (R21) ran when the reviewer approved the scheduled revision."""
    from django.core.management import call_command

    call_command("publish_scheduled", verbosity=0)
    return 0
