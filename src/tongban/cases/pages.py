"""Reads for the cases' pages that the selectors do not offer: the clock in words, the "why is
my case waiting" line, the notices a case has, the applicant's list and the officer queue with
its warned filter.

Everything here reads the case as `selectors.case_detail` shows it (the API's own reading of
the clock), so the page, the PDF and the API never disagree on a figure."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from tongban.core.calendar import get_calendar
from tongban.identity.models import EnterpriseMembership
from tongban.identity.scoping import grants_of

from . import clocks, selectors
from .constants import CLOSED, Channel, NoticeKind, Status
from .models import Case

# The clock's states (clocks.reading) in words, with a CSS class: never colour alone.
CLOCK_WORDS: dict[str, tuple[str, str]] = {
    clocks.NOT_STARTED: ("未开始计时（受理后起算）", "idle"),
    "running": ("正常计时", "ok"),
    "paused": ("已暂停（补正期间不计时）", "paused"),
    "warned": ("即将超期", "warn"),
    "overdue": ("已超期", "over"),
    "done": ("已停止计时（已办结）", "done"),
}

# The notices this module renders, in the order they happen.
NOTICE_KINDS = (NoticeKind.RECEIPT, NoticeKind.ACCEPTANCE, NoticeKind.CORRECTION, NoticeKind.REJECTION,
                NoticeKind.APPROVAL, NoticeKind.DENIAL)
DECISION_KIND = {Status.REJECTED: NoticeKind.REJECTION, Status.APPROVED: NoticeKind.APPROVAL,
                 Status.DENIED: NoticeKind.DENIAL}


def clock_words(state: str) -> tuple[str, str]:
    return CLOCK_WORDS.get(state, (state, "idle"))


def unit_words(unit: str) -> str:
    return "日" if unit == "calendar" else "个工作日"


def parse_day(value: str | dt.date | dt.datetime | None) -> dt.date | None:
    """A date from the detail's ISO strings (datetimes are local already)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date()
    if isinstance(value, dt.date):
        return value
    return dt.datetime.fromisoformat(value).date() if "T" in value else dt.date.fromisoformat(value)


def month_day(day: dt.date, today: dt.date | None = None) -> str:
    """`3 月 5 日`, with the year when it is not this year's."""
    today = today or timezone.localdate()
    text = f"{day.month} 月 {day.day} 日"
    return text if day.year == today.year else f"{day.year} 年 {text}"


def _names(names: list[str]) -> str:
    return "".join(f"《{n}》" for n in names)


def _open_correction(detail: dict[str, Any]) -> dict[str, Any] | None:
    return next((c for c in reversed(detail.get("corrections") or []) if not c.get("completed_at")), None)


def _since(detail: dict[str, Any]) -> dt.date:
    steps = detail.get("steps") or []
    return parse_day(steps[-1]["at"] if steps else detail["submitted_at"])


def waiting_line(detail: dict[str, Any], *, for_applicant: bool = True, today: dt.date | None = None) -> str:
    """Why is the case waiting: who holds it, since when, how many days are left — computed from
    the status, the latest step and the clock of `selectors.case_detail`."""
    today = today or timezone.localdate()
    status, dept, clock = detail["status"], detail["department"]["name"], detail["clock"]
    unit = unit_words(clock.get("unit", "working"))
    who = "您" if for_applicant else "申请人"
    since = month_day(_since(detail), today)
    if status == Status.SUBMITTED:
        return f"待受理：{dept}，自 {since}起；受理后法定办结时限 {clock['limit']} {unit}"
    if status == Status.CORRECTION:
        request = _open_correction(detail) or {"materials": [], "sent_at": detail["submitted_at"]}
        sent = month_day(parse_day(request["sent_at"]), today)
        if detail.get("accepted_on"):
            tail = (f"补正期间法定时限暂停，已用 {clock['days_used']} {unit}，"
                    f"补正齐全后还有 {max(clock['days_left'], 0)} {unit}")
        else:
            tail = "补正齐全后由办理部门受理"
        return f"等待{who}补正：{_names(request['materials'])}，自 {sent}起；{tail}"
    if status == Status.ACCEPTED:
        left = clock["days_left"]
        time = (f"已超过法定时限 {-left} {unit}" if clock["state"] == "overdue" or left < 0
                else f"法定时限剩余 {left} {unit}")
        line = f"审查中：{dept}，自 {since}起，{time}"
        promise = detail.get("promise")
        if promise and not promise.get("fulfilled_at") and promise.get("due"):
            line += f"；请{who}在 {month_day(parse_day(promise['due']), today)} 前补交{_names(promise['materials'])}"
        return line
    if status == Status.SUSPENDED:
        promise = detail.get("promise") or {"materials": []}
        return (f"中止办理：等待{who}补交{_names(promise['materials'])}，自 {since}起；"
                f"补交齐全后恢复办理，法定时限暂停")
    if status == Status.IN_PROGRESS:
        children = detail.get("children") or []
        done = sum(1 for c in children if c["status"] in CLOSED)
        return f"一件事并联办理中：共 {len(children)} 个事项，已办结 {done} 个"
    decided = month_day(parse_day(detail.get("decided_at")) or _since(detail), today)
    if status == Status.WITHDRAWN:
        return f"已撤回：{decided}"
    return f"已办结：{detail['status_name']}（{decided}）"


# --- notices -------------------------------------------------------------------------------------

def notice_kinds(case: Case) -> list[str]:
    """The formal notices the case has at this point (each a PDF)."""
    kinds = [NoticeKind.RECEIPT.value]
    if case.accepted_on is not None:
        kinds.append(NoticeKind.ACCEPTANCE.value)
    if case.item_id is not None and case.corrections.exists():
        kinds.append(NoticeKind.CORRECTION.value)
    decision = DECISION_KIND.get(case.status)
    if decision is not None:
        kinds.append(decision.value)
    return kinds


# --- the applicant's list ----------------------------------------------------------------------------

def my_cases(user: Any) -> QuerySet[Case]:
    """The cases the user applied for, acts for (enterprise agent) or filed at a window; a
    bundle's children are shown on the parent's page."""
    mine = Q(applicant=user) | Q(filed_by=user) | Q(on_behalf_of__in=EnterpriseMembership.objects.filter(
        user=user, status=EnterpriseMembership.Status.ACTIVE).values("enterprise_id"))
    return (selectors.visible_cases(user).filter(mine, parent__isnull=True)
            .select_related("item", "bundle", "region", "department").prefetch_related("clock_events")
            .order_by("-submitted_at", "-id"))


# --- the officer queue -------------------------------------------------------------------------------

def is_case_staff(user: Any) -> bool:
    return bool(grants_of(user)) or bool(getattr(user, "is_superuser", False))


def warned_condition(rows: QuerySet[Case], today: dt.date | None = None) -> Q:
    """R8 in SQL: a running case is warned when its days left (the working days from today to
    its deadline) fall to the warning share of its limit — i.e. its deadline is on or before
    the `floor(share × limit)`-th working day after today — and it is not yet overdue. One
    cut-off per (limit, unit) in the rows, so the filter pages in the database."""
    today = today or timezone.localdate()
    share = float(settings.CLOCK_WARN_SHARE)
    combos = (rows.filter(status=Status.ACCEPTED, deadline__gte=today, legal_days__gt=0).order_by()
              .values_list("legal_days", "legal_days_unit").distinct())
    cal = get_calendar()
    condition = Q(pk__in=[])
    for limit, unit in combos:
        k = math.floor(share * limit + 1e-9)
        cutoff = today + dt.timedelta(days=k) if unit == "calendar" else cal.add(today, k)
        condition |= Q(legal_days=limit, legal_days_unit=unit, deadline__lte=cutoff)
    return Q(status=Status.ACCEPTED, deadline__gte=today) & condition


def officer_queue(user: Any, *, status: str = "", warned: bool = False, overdue: bool = False, item: str = "",
                  channel: str = "") -> QuerySet[Case]:
    """The officer's department and region, soonest deadline first (selectors.queue), with the
    warned filter the API does not have."""
    rows = selectors.queue(user, status=status, overdue="true" if overdue else None, item=item,
                           channel=channel if channel in Channel.values else "")
    rows = rows.select_related("applicant", "on_behalf_of")
    if warned:
        rows = rows.filter(warned_condition(rows))
    return rows


def queue_items(user: Any) -> list[tuple[str, str]]:
    """(code, name) of the items of the officer's departments, for the filter."""
    from tongban.catalog.models import ServiceItem

    departments = {g.department_id for g in grants_of(user) if g.department_id}
    rows = ServiceItem.objects.filter(active=True)
    if departments:
        rows = rows.filter(implementations__department_id__in=departments)
    return list(rows.order_by("code").values_list("code", "name").distinct()[:300])
