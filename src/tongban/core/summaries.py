"""Daily summary tables kept by a watermark (oversight's case statistics, the hotline's ticket
statistics): each run re-summarises the days whose raw rows changed since the last run and the
days that ended since then — never today, which readers compute live."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.utils import timezone

LATE_COMMIT = dt.timedelta(seconds=5)  # a transaction that committed just after the last run began


def refresh(mark, *, touched: Callable[[dt.datetime], Iterable[dt.date]], first_at: Callable[[], dt.datetime | None],
            refresh_days: Callable[[set[dt.date]], object], now: dt.datetime | None = None) -> list[dt.date]:
    """Advance `mark` (a row with `changes_since` and `summarised_through`): `touched(since)` gives
    the days of rows changed since then, `first_at()` the first raw row's time (the first run
    starts there), `refresh_days(days)` rewrites those days. Returns the days refreshed."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    days: set[dt.date] = set()
    if mark.changes_since is not None:
        days |= set(touched(mark.changes_since - LATE_COMMIT))
    if mark.summarised_through is None:
        first = first_at()
        start = timezone.localdate(first) if first else today
    else:
        start = mark.summarised_through + dt.timedelta(days=1)
    days |= {start + dt.timedelta(days=i) for i in range(max((today - start).days, 0))}
    days = {d for d in days if d < today}
    refresh_days(days)
    mark.changes_since = now
    mark.summarised_through = today - dt.timedelta(days=1)
    mark.save()
    return sorted(days)
