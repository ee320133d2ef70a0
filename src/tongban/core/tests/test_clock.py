"""The legal clock (RULES R5–R8): days used, pauses for corrections, warned and overdue.

Every reading is given the library's calendar explicitly, so these tests need no database."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.core.calendar import UnknownCalendarYear, library_calendar
from tongban.core.clock import Clock, ClockError, ClockEvent, ClockState, EventKind, Unit

pytestmark = pytest.mark.real_calendar  # years the library does not know are tested here

D = dt.date
LIB = library_calendar()
START, PAUSE, RESUME = EventKind.START, EventKind.PAUSE, EventKind.RESUME
STOP = EventKind.STOP


def clock(limit: int, *events: tuple[EventKind, dt.date], unit: Unit = Unit.WORKING,
          warn_share: float | None = None) -> Clock:
    return Clock(limit=limit, unit=unit, events=[ClockEvent(k, d) for k, d in events], warn_share=warn_share)


def read(c: Clock, today: dt.date):
    return c.read(today, calendar=LIB)


# --- R5: a running clock --------------------------------------------------------------------------

def test_R5_running_clock_counts_from_the_day_after_receipt():
    c = clock(20, (START, D(2026, 3, 2)))  # Monday
    first = read(c, D(2026, 3, 2))
    assert (first.days_used, first.deadline, first.state) == (0, D(2026, 3, 30), ClockState.RUNNING)
    assert read(c, D(2026, 3, 6)).days_used == 4  # Tue–Fri
    assert read(c, D(2026, 3, 8)).days_used == 4  # the weekend is not counted
    assert read(c, D(2026, 3, 6)).days_left == 16


def test_R5_clock_skips_holidays_in_its_deadline():
    c = clock(5, (START, D(2026, 2, 10)))
    assert read(c, D(2026, 2, 10)).deadline == D(2026, 2, 24)  # Spring Festival, Feb 14 worked


def test_R5_deadline_in_a_year_not_yet_entered_is_pending_not_guessed():
    """Late in the year the next year's holidays are not yet known: no deadline date is guessed,
    but the clock keeps counting the days used and left and is never called overdue."""
    c = clock(60, (START, D(2026, 11, 2)))
    r = read(c, D(2026, 11, 25))
    assert r.deadline is None and r.state is ClockState.RUNNING
    assert r.days_used == 17 and r.days_left == 43
    warned = read(clock(20, (START, D(2026, 11, 30))), D(2026, 12, 24))
    assert warned.deadline is not None  # inside 2026: a real date
    late = clock(18, (START, D(2026, 12, 10)))  # 15 used on Dec 31, 3 left, all in 2027
    assert read(late, D(2026, 12, 31)).state is ClockState.WARNED and read(late, D(2026, 12, 31)).deadline is None


def test_R5_counting_days_inside_a_year_not_yet_entered_is_an_error():
    c = clock(5, (START, D(2026, 12, 30)))
    with pytest.raises(UnknownCalendarYear, match="2027"):
        read(c, D(2027, 1, 4))


def test_clock_read_before_it_started_is_an_error():
    with pytest.raises(ClockError):
        read(clock(5, (START, D(2026, 3, 2))), D(2026, 3, 1))


# --- R7: corrections pause the clock --------------------------------------------------------------

CORRECTION = ((START, D(2026, 3, 2)), (PAUSE, D(2026, 3, 5)), (RESUME, D(2026, 3, 16)))


def test_R7_correction_pauses_the_clock():
    c = clock(20, *CORRECTION)
    paused = read(c, D(2026, 3, 10))
    assert paused.state is ClockState.PAUSED
    assert paused.deadline is None  # it depends on when the correction comes back
    assert paused.days_used == 2  # Mar 3 and 4; Mar 5, the day the request is sent, is not counted
    assert read(c, D(2026, 3, 13)).days_used == 2  # nothing runs while paused


def test_R7_the_day_the_correction_request_is_sent_is_not_counted():
    running = read(clock(20, (START, D(2026, 3, 2))), D(2026, 3, 5))
    paused = read(clock(20, (START, D(2026, 3, 2)), (PAUSE, D(2026, 3, 5))), D(2026, 3, 5))
    assert running.days_used == 3
    assert paused.days_used == 2


def test_R7_resume_keeps_the_days_already_used():
    c = clock(20, *CORRECTION)
    on_resume = read(c, D(2026, 3, 16))
    assert on_resume.state is ClockState.RUNNING
    assert on_resume.days_used == 2  # the day the correction arrives is day 0 again
    # 18 days left from Mar 16: Mar 17–20, 23–27, Mar 30–Apr 3, Apr 7–10 (Qingming Apr 4–6)
    assert on_resume.deadline == D(2026, 4, 10)
    assert read(c, D(2026, 3, 20)).days_used == 6


def test_R7_two_corrections_and_a_stop():
    c = clock(10, (START, D(2026, 3, 2)), (PAUSE, D(2026, 3, 4)), (RESUME, D(2026, 3, 9)),
              (PAUSE, D(2026, 3, 11)), (RESUME, D(2026, 3, 16)), (STOP, D(2026, 3, 18)))
    assert read(c, D(2026, 3, 12)).days_used == 2  # Mar 3 + Mar 10
    done = read(c, D(2026, 6, 1))
    assert done.state is ClockState.DONE
    assert done.deadline is None
    assert done.days_used == 4  # + Mar 17, 18


def test_R7_events_are_read_in_date_order():
    c = Clock(limit=20, events=[ClockEvent(RESUME, D(2026, 3, 16)), ClockEvent(START, D(2026, 3, 2)),
                                ClockEvent(PAUSE, D(2026, 3, 5))])
    assert read(c, D(2026, 3, 16)).deadline == D(2026, 4, 10)


# --- R8: warned and overdue -----------------------------------------------------------------------

def test_R8_warned_when_a_fifth_of_the_limit_is_left():
    c = clock(10, (START, D(2026, 3, 2)))  # deadline Mar 16
    assert read(c, D(2026, 3, 11)).state is ClockState.RUNNING  # 7 used, 3 left
    warned = read(c, D(2026, 3, 12))  # 8 used, 2 left = 20 %
    assert (warned.days_left, warned.state) == (2, ClockState.WARNED)
    assert read(c, D(2026, 3, 16)).state is ClockState.WARNED  # the deadline day itself


def test_R8_overdue_after_the_deadline():
    c = clock(10, (START, D(2026, 3, 2)))
    overdue = read(c, D(2026, 3, 17))
    assert overdue.state is ClockState.OVERDUE
    assert overdue.days_left == -1
    # the day after the deadline is overdue even on a weekend, when no further working day is used
    weekend = read(clock(4, (START, D(2026, 3, 2))), D(2026, 3, 7))  # deadline Fri Mar 6
    assert (weekend.days_used, weekend.state) == (4, ClockState.OVERDUE)


def test_R8_warn_share_is_configurable_per_clock():
    c = clock(10, (START, D(2026, 3, 2)), warn_share=0.5)
    assert read(c, D(2026, 3, 6)).state is ClockState.RUNNING  # 4 used, 6 left
    assert read(c, D(2026, 3, 9)).state is ClockState.WARNED  # 5 used, 5 left


def test_R8_warn_share_default_comes_from_settings(settings):
    c = clock(10, (START, D(2026, 3, 2)))
    assert read(c, D(2026, 3, 9)).state is ClockState.RUNNING
    settings.CLOCK_WARN_SHARE = 0.5
    assert read(c, D(2026, 3, 9)).state is ClockState.WARNED


def test_R8_done_after_stop_is_neither_warned_nor_overdue():
    c = clock(5, (START, D(2026, 3, 2)), (STOP, D(2026, 3, 20)))
    done = read(c, D(2026, 4, 30))
    assert done.state is ClockState.DONE
    assert done.days_used == 14  # stopped late: the days used say so


def test_R8_events_after_today_are_not_yet_applied():
    c = clock(5, (START, D(2026, 3, 2)), (STOP, D(2026, 3, 4)))
    assert read(c, D(2026, 3, 3)).state is ClockState.RUNNING


# --- R6: calendar days ----------------------------------------------------------------------------

def test_R6_limits_in_days_count_calendar_days():
    c = clock(15, (START, D(2026, 2, 10)), unit=Unit.CALENDAR)
    reading = read(c, D(2026, 2, 20))
    assert reading.deadline == D(2026, 2, 25)  # the Spring Festival is counted
    assert reading.days_used == 10


def test_R6_calendar_day_clock_pauses_too():
    c = clock(15, (START, D(2026, 3, 1)), (PAUSE, D(2026, 3, 5)), (RESUME, D(2026, 3, 10)), unit=Unit.CALENDAR)
    assert read(c, D(2026, 3, 7)).days_used == 3  # Mar 2–4
    assert read(c, D(2026, 3, 10)).deadline == D(2026, 3, 22)  # 12 left from Mar 10


def test_R6_calendar_day_clock_needs_no_calendar_year():
    c = clock(30, (START, D(2026, 12, 20)), unit=Unit.CALENDAR)
    assert read(c, D(2026, 12, 20)).deadline == D(2027, 1, 19)


# --- properties -----------------------------------------------------------------------------------

starts = st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 3, 1))
units = st.sampled_from([Unit.WORKING, Unit.CALENDAR])


@settings(max_examples=200, deadline=None)
@given(start=starts, limit=st.integers(1, 60), pause_after=st.integers(0, 90), paused_for=st.integers(0, 60),
       unit=units)
def test_R7_pausing_never_makes_the_deadline_earlier(start, limit, pause_after, paused_for, unit):
    pause = start + dt.timedelta(days=pause_after)
    resume = pause + dt.timedelta(days=paused_for)
    plain = read(clock(limit, (START, start), unit=unit), resume)
    paused = read(clock(limit, (START, start), (PAUSE, pause), (RESUME, resume), unit=unit), resume)
    assert paused.deadline >= plain.deadline
    assert paused.days_used <= plain.days_used


@settings(max_examples=200, deadline=None)
@given(start=starts, limit=st.integers(1, 60), pause_after=st.integers(0, 60), paused_for=st.integers(0, 60),
       later=st.integers(0, 30), unit=units)
def test_R7_days_used_are_kept_across_the_pause(start, limit, pause_after, paused_for, later, unit):
    pause = start + dt.timedelta(days=pause_after)
    resume = pause + dt.timedelta(days=paused_for)
    c = clock(limit, (START, start), (PAUSE, pause), (RESUME, resume), unit=unit)
    before = read(clock(limit, (START, start), unit=unit), pause - dt.timedelta(days=1)) if pause > start else None
    kept = before.days_used if before else 0
    assert read(c, pause).days_used == kept
    assert read(c, resume).days_used == kept
    today = resume + dt.timedelta(days=later)
    counted = LIB.between(resume, today) if unit is Unit.WORKING else later
    assert read(c, today).days_used == kept + counted


@settings(max_examples=200, deadline=None)
@given(start=starts, limit=st.integers(1, 60), pause_after=st.integers(0, 40), paused_for=st.integers(0, 40),
       days=st.lists(st.integers(0, 120), min_size=2, max_size=2))
def test_R8_days_used_never_decrease_and_states_follow_the_deadline(start, limit, pause_after, paused_for, days):
    pause = start + dt.timedelta(days=pause_after)
    c = clock(limit, (START, start), (PAUSE, pause), (RESUME, pause + dt.timedelta(days=paused_for)))
    early, late = (read(c, start + dt.timedelta(days=n)) for n in sorted(days))
    assert early.days_used <= late.days_used
    for reading, n in zip((early, late), sorted(days), strict=True):
        today = start + dt.timedelta(days=n)
        if reading.state is ClockState.OVERDUE:
            assert today > reading.deadline
        elif reading.deadline is not None:
            assert today <= reading.deadline


# --- values read back from the database -----------------------------------------------------------

def test_R6_R7_plain_strings_from_the_database_behave_like_the_members():
    """A unit or event kind stored in a CharField comes back as `str`; a calendar-day clock
    must not silently count working days, nor a pause be skipped."""
    c = Clock(limit=15, unit="calendar", events=[ClockEvent("start", D(2026, 3, 1)),
                                                 ClockEvent("pause", D(2026, 3, 5)),
                                                 ClockEvent("resume", D(2026, 3, 10))])
    assert read(c, D(2026, 3, 7)).state is ClockState.PAUSED
    assert read(c, D(2026, 3, 10)).deadline == D(2026, 3, 22)


def test_unknown_unit_or_event_kind_is_refused():
    with pytest.raises(ValueError):
        Clock(limit=5, unit="hours")
    with pytest.raises(ValueError):
        ClockEvent("suspend", D(2026, 3, 2))
