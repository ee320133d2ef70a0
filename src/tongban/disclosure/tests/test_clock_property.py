"""R14–R16 combined (hypothesis): correction, third-party pause and extension in any order a
real file allows; the deadline falls on a working day and never earlier than without pauses."""

import datetime as dt
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.core.calendar import library_calendar
from tongban.disclosure import clocks

START = dt.date(2025, 3, 3)
CAL = library_calendar()  # the State Council years of chinese-calendar, no database
add_working_days = CAL.add


@settings(max_examples=60, deadline=None)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(["correction", "third_party", "extend"]), st.integers(0, 6), st.integers(1, 15)),
        max_size=3,
    ),
    extension=st.integers(1, 20),
)
def test_deadline_on_a_working_day_and_never_earlier(steps, extension):
    events, on, extended, corrected = [(clocks.START, START)], START, 0, False
    for kind, gap, length in steps:
        on = add_working_days(on, gap)
        if kind == "extend":
            extended = extended or extension  # once
            continue
        if kind == "correction":
            if corrected:
                continue  # a second correction is refused by the actions (R15)
            corrected = True
        events.append((clocks.PAUSE, on))
        on = add_working_days(on, length)
        events.append((clocks.RESTART if kind == "correction" else clocks.RESUME, on))
    req = SimpleNamespace(extension_days=extended)
    reading = clocks.clock_of(req, events).read(on, CAL)
    assert reading.deadline is not None and CAL.is_working_day(reading.deadline)
    assert reading.deadline >= add_working_days(START, 20 + extended)
