"""Working-day calendar endpoints (RULES R5): public, no login."""


import datetime as dt

from ninja import Router, Schema
from ninja.params import Query

from .calendar import UnknownCalendarYear, add_working_days, working_days_between
from .errors import FieldError

router = Router(tags=["工作日历"], auth=None)
MAX_DAYS = 3650


class DateOut(Schema):
    date: dt.date


class WorkingDaysOut(Schema):
    working_days: int


@router.get("/add", response=DateOut, summary="第 N 个工作日")
def calendar_add(request, start: Query[dt.date], days: Query[int]):
    """The `days`-th working day after `start` (day 1 is the first working day after it)."""
    if not 0 <= days <= MAX_DAYS:
        raise FieldError("days", f"工作日数应在0到{MAX_DAYS}之间")
    return {"date": add_working_days(start, days)}


@router.get("/between", response=WorkingDaysOut, summary="两日期之间的工作日数")
def calendar_between(request, start: Query[dt.date], end: Query[dt.date]):
    """Working days after `start` up to and including `end`."""
    if end < start:
        raise FieldError("end", "结束日期不能早于开始日期")
    try:
        return {"working_days": working_days_between(start, end)}
    except UnknownCalendarYear as exc:  # name the date that reaches the unknown year
        raise FieldError("end" if exc.year > start.year else "start", str(exc)) from None
