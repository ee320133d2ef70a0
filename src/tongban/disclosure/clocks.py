"""The legal clock of a disclosure request, computed from its events with core's `Clock`.

* receipt (`start`): 20 working days (R14), day 1 the first working day after receipt;
* a correction notice (`pause`), and its answer (`restart`): the 20 days start again from the
  day the correction is received (R15) — days used before it are dropped, not kept;
* third-party consultation and the fee notice (`pause` … `resume`): not counted (R16, R19);
  a third party's 15 working days at most are excluded;
* an extension adds its days to the limit once (R14);
* the reply or a withdrawal (`stop`)."""

from __future__ import annotations

import datetime as dt

from tongban.core.calendar import UnknownCalendarYear
from tongban.core.clock import Clock, ClockError, ClockEvent, ClockReading, EventKind

from .constants import ANSWER_DAYS
from .models import DisclosureRequest

START, PAUSE, RESUME, RESTART, STOP = "start", "pause", "resume", "restart", "stop"


def clock_of(req: DisclosureRequest, events: list[tuple[str, dt.date]] | None = None) -> Clock:
    if events is None:
        events = [(e.clock, e.on) for e in req.events.all() if e.clock]
    # a restart begins the count afresh: only the events from the last one on matter
    last = max((i for i, (kind, _) in enumerate(events) if kind in (START, RESTART)), default=0)
    clock_events = []
    for kind, on in events[last:]:
        kind = START if kind == RESTART else kind
        clock_events.append(ClockEvent(EventKind(kind), on))
    return Clock(limit=ANSWER_DAYS + req.extension_days, events=clock_events)


def read(req: DisclosureRequest, today: dt.date) -> ClockReading | None:
    try:
        return clock_of(req).read(today)
    except (UnknownCalendarYear, ClockError):  # a year not yet entered; a file imported without events
        return None


def deadline(req: DisclosureRequest, today: dt.date) -> dt.date | None:
    reading = read(req, today)
    return reading.deadline if reading else None
