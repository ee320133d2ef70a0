"""Scheduled jobs of cases: broken tolerant-acceptance promises (R10) and the nightly
recomputation of the queue's cached deadlines from the clock events."""

from __future__ import annotations

import logging

from django.utils import timezone

from tongban.core.clock import ClockError
from tongban.core.jobs import job

from . import actions, clocks, reminders
from .models import Case

logger = logging.getLogger(__name__)


@job(every=3600)
def enforce_promises() -> list[str]:
    """R10: a case whose promise is past due moves to its defined outcome, never silently on."""
    return actions.enforce_promises()


@job(every=3600)
def send_reminders() -> int:
    """R8: warned cases to their officers, overdue ones to supervisors, corrections and promises
    coming due to the applicants — each once (tongban.cases.reminders)."""
    return reminders.send()


CHUNK = 2000


@job(every=24 * 3600)
def recompute_clocks() -> int:
    """Recompute every open case's cached deadlines from its clock events; write only the
    rows whose cache differs, a chunk at a time. Returns how many cases were recomputed."""
    count = 0
    changed: list[Case] = []
    rows = (Case.objects.open().filter(accepted_on__isnull=False).prefetch_related("clock_events")
            .only("pk", "legal_days", "legal_days_unit", "promised_days", "deadline", "promised_deadline",
                  "status", "accepted_on").order_by("pk"))
    today = timezone.localdate()
    for case in rows.iterator(chunk_size=CHUNK):
        try:
            r = clocks.reading(case, today)
        except ClockError as exc:  # e.g. a start dated after today: reported, the run goes on
            logger.error("办件 %s 的时钟无法计算：%s", case.pk, exc)
            continue
        count += 1
        if (case.deadline, case.promised_deadline) != (r["deadline"], r["promised_deadline"]):
            case.deadline, case.promised_deadline = r["deadline"], r["promised_deadline"]
            changed.append(case)
        if len(changed) >= CHUNK:
            Case.objects.bulk_update(changed, ["deadline", "promised_deadline"])
            changed.clear()
    if changed:
        Case.objects.bulk_update(changed, ["deadline", "promised_deadline"])
    return count
