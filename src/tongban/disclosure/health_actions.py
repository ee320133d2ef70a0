"""The write path of site health (R23): run the check of one site (the scheduled job, or an
editor's "check now") and keep its result; older runs are pruned."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tongban.core import audit

from . import health
from .models import DisclosureSiteRoot, HealthFinding, HealthRun

KEEP_DAYS = 90


def run(site: DisclosureSiteRoot, *, actor=None, external: bool = True, today: dt.date | None = None) -> HealthRun:
    started = timezone.now()
    result = health.check(site, today, external=external)  # outside the transaction: it may wait on links
    with transaction.atomic():
        row = HealthRun.objects.create(
            site=site,
            started_at=started,
            finished_at=timezone.now(),
            pages_checked=result.pages_checked,
            external_checked=result.external_checked,
            external_skipped=result.external_skipped,
        )
        HealthFinding.objects.bulk_create(
            HealthFinding(run=row, kind=f.kind, title=f.title[:300], detail=f.detail[:500], fix_url=f.fix_url[:300])
            for f in result.failures
        )
        HealthRun.objects.filter(site=site, started_at__lt=started - dt.timedelta(days=KEEP_DAYS)).delete()
        audit.record(
            "disclosure.health.run",
            obj=site,
            actor=actor,
            data={"failures": len(result.failures), "pages": result.pages_checked},
        )
    return row


def run_all(*, external: bool = True) -> int:
    """Every live disclosure site, one after the other."""
    sites = list(DisclosureSiteRoot.objects.live().order_by("path"))
    return sum(1 for site in sites if run(site, external=external))
