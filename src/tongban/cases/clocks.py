"""The clock of a case, recomputed from its events every time (R5–R8): the same figures for
applicant, officer and supervisor, whoever asks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tongban.core.calendar import get_calendar
from tongban.core.clock import Clock, ClockEvent, ClockState, Unit

from .constants import CLOSED
from .models import Case, CaseClockEvent

NOT_STARTED = "not_started"  # filed, not yet accepted: the legal clock starts at acceptance


def events_of(case: Case) -> list[ClockEvent]:
    rows = getattr(case, "_prefetched_objects_cache", {}).get("clock_events")
    if rows is None:
        rows = CaseClockEvent.objects.filter(case=case).order_by("on", "id")
    return [ClockEvent(r.kind, r.on) for r in sorted(rows, key=lambda r: (r.on, r.id))]


def legal_clock(case: Case, events: list[ClockEvent]) -> Clock:
    unit = Unit.CALENDAR if case.legal_days_unit == Unit.CALENDAR else Unit.WORKING
    return Clock(limit=case.legal_days, unit=unit, events=events)


def promised_clock(case: Case, events: list[ClockEvent]) -> Clock:
    return Clock(limit=case.promised_days, unit=Unit.WORKING, events=events)


def reading(case: Case, today: dt.date | None = None) -> dict[str, Any]:
    """`{days_used, limit, days_left, deadline, promised_*, state}`; deadlines are None while
    the clock is paused (they depend on when it resumes) and once it has stopped."""
    today = today or timezone.localdate()
    events = events_of(case)
    out: dict[str, Any] = {"limit": case.legal_days, "unit": case.legal_days_unit,
                           "promised_days": case.promised_days}
    if not events:
        state = ClockState.DONE.value if case.status in CLOSED else NOT_STARTED
        return {**out, "days_used": 0, "days_left": case.legal_days, "deadline": None, "promised_deadline": None,
                "promised_days_used": 0, "state": state, "promised_state": state}
    cal = get_calendar()
    legal = legal_clock(case, events).read(today, cal)
    promised = promised_clock(case, events).read(today, cal)
    running = legal.state in (ClockState.RUNNING, ClockState.WARNED)
    return {**out, "days_used": legal.days_used, "days_left": legal.days_left, "deadline": legal.deadline,
            "promised_deadline": promised.deadline, "promised_days_used": promised.days_used,
            "state": legal.state.value, "promised_state": promised.state.value,
            # running with no date: the deadline lies in a year whose calendar is not entered yet
            "deadline_pending": running and legal.deadline is None}


def projected_deadlines(case: Case, receipt: dt.date | None = None) -> tuple[dt.date | None, dt.date | None]:
    """The deadlines the case would have if it were received on `receipt` (today): what the
    applicant is told at filing, before the clock starts at acceptance."""
    if case.item_id is None:
        return None, None
    receipt = receipt or timezone.localdate()
    start = [ClockEvent("start", receipt)]
    legal = legal_clock(case, start).read(receipt)
    promised = promised_clock(case, start).read(receipt)
    return legal.deadline, promised.deadline


def refresh_cache(case: Case, today: dt.date | None = None) -> None:
    """Write the cached deadlines of the queue from the recomputed reading."""
    r = reading(case, today)
    Case.objects.filter(pk=case.pk).update(deadline=r["deadline"], promised_deadline=r["promised_deadline"])
    case.deadline, case.promised_deadline = r["deadline"], r["promised_deadline"]
