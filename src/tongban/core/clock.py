"""The legal clock of a case, request or ticket (RULES R5–R8).

A clock is a limit plus a list of events; its reading on a given day is a pure function of
them, so it can be recomputed at any time and shown identically to officer, supervisor and
applicant.

* `start` on the day of receipt: day 1 is the first working day after it (R5);
* `pause` on the day a correction request is sent (or an uncounted step begins): that day
  and the paused days are not counted (R7);
* `resume` on the day the complete correction is received: it counts like a new receipt, so
  counting restarts the next working day with the days already used kept (R7);
* `stop` when the matter is decided.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from django.conf import settings

from .calendar import WorkingCalendar, get_calendar


class Unit(StrEnum):
    WORKING = "working"  # 工作日 (R5)
    CALENDAR = "calendar"  # 日 (R6)


class ClockState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    WARNED = "warned"
    OVERDUE = "overdue"
    DONE = "done"


class EventKind(StrEnum):
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"


@dataclass(frozen=True)
class ClockEvent:
    kind: EventKind
    on: dt.date


@dataclass(frozen=True)
class ClockReading:
    days_used: int
    limit: int
    deadline: dt.date | None  # None while paused: it depends on when the clock resumes
    state: ClockState

    @property
    def days_left(self) -> int:
        return self.limit - self.days_used


class ClockError(ValueError):
    pass


@dataclass
class Clock:
    limit: int
    unit: Unit = Unit.WORKING
    events: list[ClockEvent] = field(default_factory=list)
    warn_share: float | None = None

    def _count(self, cal: WorkingCalendar, start: dt.date, end: dt.date) -> int:
        if self.unit is Unit.CALENDAR:
            return max((end - start).days, 0)
        return cal.between(start, end)

    def _add(self, cal: WorkingCalendar, start: dt.date, days: int) -> dt.date:
        if self.unit is Unit.CALENDAR:
            return start + dt.timedelta(days=days)
        return cal.add(start, days)

    def read(self, today: dt.date, calendar: WorkingCalendar | None = None) -> ClockReading:
        cal = calendar or get_calendar()
        used, anchor, state = 0, None, None
        for event in sorted(self.events, key=lambda e: e.on):
            if event.on > today:
                break
            if event.kind in (EventKind.START, EventKind.RESUME):
                if anchor is None and state is not ClockState.DONE:
                    anchor, state = event.on, ClockState.RUNNING
            elif event.kind is EventKind.PAUSE and anchor is not None:
                # the day the request is sent is not counted
                used += self._count(cal, anchor, event.on - dt.timedelta(days=1))
                anchor, state = None, ClockState.PAUSED
            elif event.kind is EventKind.STOP:
                if anchor is not None:
                    used += self._count(cal, anchor, event.on)
                anchor, state = None, ClockState.DONE
        if state is None:
            raise ClockError("clock has not started")
        if state is not ClockState.RUNNING:
            return ClockReading(used, self.limit, None, state)
        deadline = self._add(cal, anchor, max(self.limit - used, 0))
        used += self._count(cal, anchor, today)
        return ClockReading(used, self.limit, deadline, self._running_state(used, today, deadline))

    def _running_state(self, used: int, today: dt.date, deadline: dt.date) -> ClockState:
        if today > deadline:
            return ClockState.OVERDUE
        share = settings.CLOCK_WARN_SHARE if self.warn_share is None else self.warn_share
        if self.limit and (self.limit - used) <= share * self.limit:
            return ClockState.WARNED
        return ClockState.RUNNING
