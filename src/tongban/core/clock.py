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
from operator import attrgetter
from typing import NamedTuple

from django.conf import settings

from .calendar import UnknownCalendarYear, WorkingCalendar, get_calendar


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

    def __post_init__(self) -> None:
        # a kind read back from the database is a plain string; `is` comparisons need the member
        object.__setattr__(self, "kind", EventKind(self.kind))


class ClockReading(NamedTuple):
    """Immutable; a named tuple because lists read thousands of clocks per page (a frozen
    dataclass costs a third of a reading just to construct)."""

    days_used: int
    limit: int
    deadline: dt.date | None  # None while paused (it depends on when the clock resumes), or while it
    # falls in a year whose working-day calendar has not been entered yet
    state: ClockState

    @property
    def days_left(self) -> int:
        return self.limit - self.days_used


class ClockError(ValueError):
    pass


_BY_DAY = attrgetter("on")  # a stable sort: same-day events keep the order they happened in
_ONE_DAY = dt.timedelta(days=1)
# Enum members looked up once: `Kind.MEMBER` is a descriptor call on every access.
_START, _PAUSE, _RESUME, _STOP = EventKind.START, EventKind.PAUSE, EventKind.RESUME, EventKind.STOP
_RUNNING, _PAUSED, _DONE = ClockState.RUNNING, ClockState.PAUSED, ClockState.DONE
_WARNED, _OVERDUE = ClockState.WARNED, ClockState.OVERDUE
_CALENDAR_DAYS = Unit.CALENDAR


@dataclass
class Clock:
    limit: int
    unit: Unit = Unit.WORKING
    events: list[ClockEvent] = field(default_factory=list)
    warn_share: float | None = None

    def __post_init__(self) -> None:
        self.unit = Unit(self.unit)  # "calendar" from the database must not count working days

    def _count(self, cal: WorkingCalendar, start: dt.date, end: dt.date) -> int:
        if self.unit is _CALENDAR_DAYS:
            return max((end - start).days, 0)
        return cal.between(start, end)

    def _add(self, cal: WorkingCalendar, start: dt.date, days: int) -> dt.date:
        if self.unit is _CALENDAR_DAYS:
            return start + dt.timedelta(days=days)
        return cal.add(start, days)

    def read(self, today: dt.date, calendar: WorkingCalendar | None = None) -> ClockReading:
        cal = calendar or get_calendar()
        used, anchor, state = 0, None, None
        for event in sorted(self.events, key=_BY_DAY):
            if event.on > today:
                break
            kind = event.kind
            if kind is _START or kind is _RESUME:
                if anchor is None and state is not _DONE:
                    anchor, state = event.on, _RUNNING
            elif kind is _PAUSE and anchor is not None:
                # the day the request is sent is not counted
                used += self._count(cal, anchor, event.on - _ONE_DAY)
                anchor, state = None, _PAUSED
            elif kind is _STOP:
                if anchor is not None:
                    used += self._count(cal, anchor, event.on)
                anchor, state = None, _DONE
        if state is None:
            raise ClockError("clock has not started")
        if state is not _RUNNING:
            return ClockReading(used, self.limit, None, state)
        try:
            deadline = self._add(cal, anchor, max(self.limit - used, 0))
        except UnknownCalendarYear:
            # The deadline falls in a year whose holidays nobody has entered yet (late in the
            # year, before the State Council's notice): no date is guessed, but the days used
            # and left still count, and the clock is not overdue — that year is still ahead.
            deadline = None
        used += self._count(cal, anchor, today)
        return ClockReading(used, self.limit, deadline, self._running_state(used, today, deadline))

    def _running_state(self, used: int, today: dt.date, deadline: dt.date | None) -> ClockState:
        if deadline is not None and today > deadline:
            return _OVERDUE
        share = settings.CLOCK_WARN_SHARE if self.warn_share is None else self.warn_share
        if self.limit and (self.limit - used) <= share * self.limit:
            return _WARNED
        return _RUNNING
