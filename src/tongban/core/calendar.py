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
        self.require(start.year)
        index = bisect_right(self._ordinals, start.toordinal()) + days - 1
        if index >= len(self._ordinals):
            raise UnknownCalendarYear(max(self.years) + 1)
        result = dt.date.fromordinal(self._ordinals[index])
        self.require_span(start, result)  # a gap year between them would have been skipped
        return result

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        if end <= start:
            return 0
        self.require_span(start + dt.timedelta(days=1), end)
        return bisect_right(self._ordinals, end.toordinal()) - bisect_right(self._ordinals, start.toordinal())


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


def build_calendar() -> WorkingCalendar:
    if not _library_cache:
        _library_cache.update({y: _library_year(y) for y in _LIBRARY_YEARS})
    years = dict(_library_cache)
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
    _holder.invalidate()


def add_working_days(start: dt.date, days: int) -> dt.date:
    return get_calendar().add(start, days)


def working_days_between(start: dt.date, end: dt.date) -> int:
    return get_calendar().between(start, end)


def is_working_day(day: dt.date) -> bool:
    return get_calendar().is_working_day(day)
