"""The State Council working-day calendar (RULES R5, R6).

Years 2004–2026 come from chinese-calendar; later years (or corrections) are entered by an
administrator as `CalendarYear` + `CalendarDay` rows. A computation that needs a year known
to neither raises `UnknownCalendarYear` — a deadline is never guessed.

Each known year is turned once into a sorted array of the ordinals of its working days, so
adding N working days or counting them between two dates is two binary searches.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from bisect import bisect_right
from collections.abc import Iterable

import chinese_calendar

_LIBRARY_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)
CACHE_VERSION_KEY = "tongban:calendar:version"
_RECHECK_SECONDS = 5.0


class UnknownCalendarYear(Exception):
    """A date computation needed a year whose holidays nobody has entered yet."""

    def __init__(self, year: int) -> None:
        super().__init__(f"{year}年的法定节假日和调休安排尚未录入工作日历，无法计算工作日期限")
        self.year = year


class WorkingCalendar:
    """Working days of a set of known years. Immutable once built."""

    def __init__(self, working_days_by_year: dict[int, Iterable[dt.date]]) -> None:
        self.years = frozenset(working_days_by_year)
        ordinals: list[int] = []
        for year in sorted(working_days_by_year):
            ordinals.extend(sorted(d.toordinal() for d in working_days_by_year[year]))
        self._ordinals = ordinals
        self._set = frozenset(ordinals)
        # (first, last) ordinals of each run of consecutive known years: checking that a span
        # lies in known years is then a comparison or two instead of a loop over its years
        runs: list[tuple[int, int]] = []
        for year in sorted(self.years):
            first, last = dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal()
            if runs and runs[-1][1] + 1 == first:
                first = runs.pop()[0]
            runs.append((first, last))
        self._runs = tuple(runs)

    # -- queries --------------------------------------------------------------------------
    def require(self, *years: int) -> None:
        for year in years:
            if year not in self.years:
                raise UnknownCalendarYear(year)

    def require_span(self, first: dt.date, last: dt.date) -> None:
        self.require(*range(first.year, last.year + 1))

    def is_working_day(self, day: dt.date) -> bool:
        self.require(day.year)
        return day.toordinal() in self._set

    def add(self, start: dt.date, days: int) -> dt.date:
        """The `days`-th working day after `start` (day 1 is the first working day after the
        day of receipt, R5). `days == 0` is `start` itself (on-the-spot items)."""
        if days < 0:
            raise ValueError("days must not be negative")
        if days == 0:
            return start
        origin = start.toordinal()
        index = bisect_right(self._ordinals, origin) + days - 1
        if index >= len(self._ordinals):
            # name the first year after `start` nobody entered, not the one after the last known
            raise UnknownCalendarYear(self._first_unknown(_year_after(start)))
        result = self._ordinals[index]
        # the counted days are (start, result]; a gap year among them would have been skipped
        self._require_days(origin + 1, result)
        return dt.date.fromordinal(result)

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        if end <= start:
            return 0
        origin, last = start.toordinal(), end.toordinal()
        self._require_days(origin + 1, last)
        return bisect_right(self._ordinals, last) - bisect_right(self._ordinals, origin)

    def _require_days(self, first: int, last: int) -> None:
        """Every day from ordinal `first` to `last` lies in a known year, or raise naming the
        first that does not."""
        for lo, hi in self._runs:
            if lo <= first <= last <= hi:
                return
        self.require(*range(dt.date.fromordinal(first).year, dt.date.fromordinal(last).year + 1))

    def _first_unknown(self, year: int) -> int:
        while year in self.years:
            year += 1
        return year


def _year_after(day: dt.date) -> int:
    """The year of the day after `day`, without building it (`date.max` has no next day)."""
    return day.year + 1 if (day.month, day.day) == (12, 31) else day.year


def _library_year(year: int) -> list[dt.date]:
    day, last, out = dt.date(year, 1, 1), dt.date(year, 12, 31), []
    while day <= last:
        if chinese_calendar.is_workday(day):
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def entered_year(year: int, holidays: set[dt.date], workdays: set[dt.date]) -> list[dt.date]:
    """Working days of an administrator-entered year: weekdays, minus holidays, plus the
    adjusted working weekends (调休)."""
    day, last, out = dt.date(year, 1, 1), dt.date(year, 12, 31), []
    while day <= last:
        if day in workdays or (day.weekday() < 5 and day not in holidays):
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def _entered_years() -> dict[int, list[dt.date]]:
    from django.db import DatabaseError

    from .models import CalendarDay, CalendarYear

    try:
        years = list(CalendarYear.objects.values_list("year", flat=True))
        days = list(CalendarDay.objects.values_list("date", "kind"))
    except DatabaseError:  # tables not migrated yet (first start)
        return {}
    holidays = {d for d, kind in days if kind == CalendarDay.Kind.HOLIDAY}
    workdays = {d for d, kind in days if kind == CalendarDay.Kind.WORKDAY}
    return {y: entered_year(y, holidays, workdays) for y in years}


_library_cache: dict[int, list[dt.date]] = {}


def _library_years() -> dict[int, list[dt.date]]:
    if not _library_cache:
        _library_cache.update({y: _library_year(y) for y in _LIBRARY_YEARS})
    return dict(_library_cache)


def library_calendar() -> WorkingCalendar:
    """The calendar of chinese-calendar's years alone, without the database's entries (for
    computations that must not touch the database, and for tests)."""
    return WorkingCalendar(_library_years())


def build_calendar() -> WorkingCalendar:
    years = _library_years()
    years.update(_entered_years())  # an administrator's entry overrides the library's year
    return WorkingCalendar(years)


class _Holder:
    """The process's calendar, rebuilt when an administrator edits the table (the signal
    bumps a version in the shared cache; other processes notice within a few seconds)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calendar: WorkingCalendar | None = None
        self.version: object = None
        self.checked_at = 0.0

    def get(self) -> WorkingCalendar:
        now = time.monotonic()
        if self.calendar is not None and now - self.checked_at < _RECHECK_SECONDS:
            return self.calendar
        from django.core.cache import cache

        version = cache.get(CACHE_VERSION_KEY, 0)
        with self.lock:
            if self.calendar is None or version != self.version:
                self.calendar = build_calendar()
                self.version = version
            self.checked_at = now
        return self.calendar

    def invalidate(self) -> None:
        from django.core.cache import cache

        try:
            cache.incr(CACHE_VERSION_KEY)
        except ValueError:
            cache.set(CACHE_VERSION_KEY, 1, None)
        with self.lock:
            self.calendar = None


_holder = _Holder()


def get_calendar() -> WorkingCalendar:
    return _holder.get()


def invalidate_calendar() -> None:
    """Drop the calendar now (so the editing transaction itself sees its change) and again on
    commit: another process that rebuilt between the edit and the commit read the old rows and
    would otherwise keep them until the next edit."""
    from django.db import transaction

    _holder.invalidate()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_holder.invalidate)


def add_working_days(start: dt.date, days: int) -> dt.date:
    return get_calendar().add(start, days)


def working_days_between(start: dt.date, end: dt.date) -> int:
    return get_calendar().between(start, end)


def is_working_day(day: dt.date) -> bool:
    return get_calendar().is_working_day(day)
