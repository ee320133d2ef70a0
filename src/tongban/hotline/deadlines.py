"""R24 limits: the policy in force at filing, stored on the ticket, and its deadline.

Working-day limits end at the end of the N-th working day after the day of filing (R5, the
State Council calendar); urgent tickets count hours. A later policy change never moves a
filed ticket's deadline; an extension only ever lengthens it.

A ticket keeps the terms its deadline is made of (`Ticket.deadline_plan`: the filing limit,
each approved extension, each reopening). When a term needs a year whose working-day calendar
nobody has entered yet (late in a year, before the State Council's notice) the deadline is
*pending* (None), never guessed (R5); `actions.fill_pending_deadlines` — the hourly job —
evaluates the same terms again once an administrator has entered the year."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings

from tongban.core.calendar import UnknownCalendarYear, add_working_days

from .constants import DEFAULT_POLICY

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
PENDING_LABEL = "待定（待工作日历录入后计算）"


def current_policy() -> dict:
    return dict(getattr(settings, "TONGBAN_HOTLINE_POLICY", None) or DEFAULT_POLICY)


def end_of_working_day(start: dt.datetime, days: int) -> dt.datetime:
    """Raises UnknownCalendarYear when the day lies in a year nobody entered."""
    local = start.astimezone(TZ).date()
    day = add_working_days(local, days)
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=TZ)


def filing_term(category: str, urgent: bool, filed_at: dt.datetime, policy: dict) -> dict:
    """The first term of a ticket's plan: its R24 limit from filing."""
    if urgent:
        return {"fixed": (filed_at + dt.timedelta(hours=int(policy["urgent_handle_hours"]))).isoformat()}
    return {"from": filed_at.isoformat(), "days": int(policy["working_days"].get(category, 5))}


def _term(current: dt.datetime | None, term: dict) -> dt.datetime:
    if "extend" in term:
        return max(current, end_of_working_day(current, max(1, int(term["extend"]))))
    value = (dt.datetime.fromisoformat(term["fixed"]) if "fixed" in term
             else end_of_working_day(dt.datetime.fromisoformat(term["from"]), int(term["days"])))
    return value if current is None else max(current, value)


def evaluate(plan: list[dict]) -> dt.datetime | None:
    """The deadline the terms make: the filing limit, lengthened by each extension, never
    earlier than a reopening's new limit. None while a term needs an unentered year (R5)."""
    current = None
    try:
        for term in plan:
            current = _term(current, term)
    except UnknownCalendarYear:
        return None
    return current


def deadline_for(category: str, urgent: bool, filed_at: dt.datetime, policy: dict) -> dt.datetime | None:
    return evaluate([filing_term(category, urgent, filed_at, policy)])


def extended(deadline: dt.datetime | None, days: int) -> dt.datetime | None:
    """`days` more working days; never earlier than the deadline it extends (None: pending)."""
    return None if deadline is None else evaluate([{"fixed": deadline.isoformat()}, {"extend": days}])


def plan_of(ticket) -> list[dict]:
    """The ticket's terms; a ticket filed before plans were kept starts from its deadline."""
    if ticket.deadline_plan:
        return list(ticket.deadline_plan)
    return [{"fixed": ticket.deadline.isoformat()}] if ticket.deadline else []


def push(ticket, term: dict) -> None:
    """Add a term (an extension, a reopening) and recompute the ticket's deadline."""
    plan = [*plan_of(ticket), term]
    ticket.deadline_plan, ticket.deadline = plan, evaluate(plan)
