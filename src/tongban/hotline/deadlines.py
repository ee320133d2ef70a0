"""R24 limits: the policy in force at filing, stored on the ticket, and its deadline.

Working-day limits end at the end of the N-th working day after the day of filing (R5, the
State Council calendar); urgent tickets count hours. A later policy change never moves a
filed ticket's deadline; an extension only ever lengthens it."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings

from tongban.core.calendar import add_working_days

from .constants import DEFAULT_POLICY

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def current_policy() -> dict:
    return dict(getattr(settings, "TONGBAN_HOTLINE_POLICY", None) or DEFAULT_POLICY)


def end_of_working_day(start: dt.datetime, days: int) -> dt.datetime:
    local = start.astimezone(TZ).date()
    day = add_working_days(local, days)
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=TZ)


def deadline_for(category: str, urgent: bool, filed_at: dt.datetime, policy: dict) -> dt.datetime:
    if urgent:
        return filed_at + dt.timedelta(hours=int(policy["urgent_handle_hours"]))
    days = int(policy["working_days"].get(category, 5))
    return end_of_working_day(filed_at, days)


def extended(deadline: dt.datetime, days: int) -> dt.datetime:
    """`days` more working days; never earlier than the deadline it extends."""
    longer = end_of_working_day(deadline, max(1, days))
    return max(deadline, longer)
