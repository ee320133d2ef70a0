"""Reminders of the legal clock (issue 5 item 8, R8): who is told what, once.

* a case turning **warned** (its remaining time at the configured share of its limit) → the
  officer it is assigned to, else the officers and head of its department in its region;
* a case turning **overdue** → the supervisors whose region covers it, and the department head;
* a **correction** outstanding for `TONGBAN_CORRECTION_REMINDER_DAYS` working days (default 5)
  → the applicant, reminded what is missing;
* a tolerant-acceptance **promise** due within one working day → the applicant (R10: a broken
  promise moves the case, so they are told before it happens).

Each reminder is sent once per case, recipient and kind (`CaseReminder`, unique), so the
hourly job can run as often as it likes; a case warned, then overdue, reminds twice. Messages
go to the message centre with an SMS (identity.actions.deliver), one transaction per reminder."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from tongban.core.calendar import add_working_days, working_days_between
from tongban.identity.actions import deliver
from tongban.identity.constants import Role
from tongban.identity.models import StaffRole, User

from . import clocks
from .constants import Status
from .models import Case, CasePromise, CaseReminder, CorrectionRequest

WARNED, OVERDUE, CORRECTION, PROMISE = CaseReminder.Kind.values


@dataclass(frozen=True)
class Reminder:
    case: Case
    user: User
    kind: str
    title: str
    body: str


def _officers(case: Case) -> list[User]:
    if case.assignee_id:
        return [case.assignee]
    roles = StaffRole.objects.filter(department_id=case.department_id, region_id=case.region_id,
                                     role__in=[Role.OFFICER, Role.HEAD]).select_related("user")
    return [r.user for r in roles if r.user.is_active]


def _overseers(case: Case) -> list[User]:
    """Supervisors of the case's region or a region above it, and the department's head."""
    above = [code for code in case.region.path.strip("/").split("/") if code]
    roles = StaffRole.objects.filter(
        Q(role=Role.SUPERVISOR, region_id__in=above)
        | Q(role=Role.HEAD, department_id=case.department_id, region_id=case.region_id)).select_related("user")
    seen: dict[int, User] = {}
    for r in roles:
        if r.user.is_active:
            seen.setdefault(r.user_id, r.user)
    return list(seen.values())


def _clock_reminders(today: dt.date) -> Iterator[Reminder]:
    share = float(getattr(settings, "CLOCK_WARN_SHARE", 0.2))
    longest = Case.objects.filter(status=Status.ACCEPTED).aggregate(m=Max("legal_days"))["m"] or 0
    horizon = add_working_days(today, math.ceil(share * longest) + 1)
    candidates = (Case.objects.filter(status=Status.ACCEPTED, deadline__isnull=False, deadline__lte=horizon)
                  .select_related("region", "department", "assignee", "item").prefetch_related("clock_events")
                  .order_by("deadline", "pk"))
    for case in candidates.iterator(chunk_size=500):
        r = clocks.reading(case, today)
        what = case.item.name if case.item_id else case.number
        if r["state"] == "warned":
            body = (f"办件 {case.number}（{what}）法定时限剩余 {r['days_left']} 个工作日，"
                    f"将于 {r['deadline']:%Y-%m-%d} 到期，请抓紧办理。")
            for user in _officers(case):
                yield Reminder(case, user, WARNED, f"办件即将到期：{case.number}", body)
        elif r["state"] == "overdue":
            body = (f"办件 {case.number}（{what}，{case.department.name}）已超过法定期限 "
                    f"{r['deadline']:%Y-%m-%d}，请督办。" if r["deadline"] else
                    f"办件 {case.number}（{what}，{case.department.name}）已超过法定期限，请督办。")
            for user in _overseers(case):
                yield Reminder(case, user, OVERDUE, f"办件已超期：{case.number}", body)


def _applicant_reminders(today: dt.date) -> Iterator[Reminder]:
    after = int(getattr(settings, "TONGBAN_CORRECTION_REMINDER_DAYS", 5))
    open_corrections = (CorrectionRequest.objects.filter(completed_at__isnull=True, case__status=Status.CORRECTION)
                        .select_related("case__applicant", "case__item").order_by("pk"))
    for c in open_corrections.iterator(chunk_size=500):
        sent = timezone.localtime(c.sent_at).date()
        if working_days_between(sent, today) >= after:
            names = "、".join(str(m.get("name", m) if isinstance(m, dict) else m) for m in c.materials)
            yield Reminder(c.case, c.case.applicant, CORRECTION, f"请补正材料：{c.case.number}",
                           f"您的办件 {c.case.number} 自 {sent:%Y-%m-%d} 起待补正：{names}。补正后办理时限继续计算。")
    soon = add_working_days(today, 1)
    promises = (CasePromise.objects.filter(fulfilled_at__isnull=True, broken_at__isnull=True, due__isnull=False,
                                           due__gte=today, due__lte=soon, case__status=Status.ACCEPTED)
                .select_related("case__applicant"))
    for p in promises:
        names = "、".join(str(m) for m in p.materials)
        yield Reminder(p.case, p.case.applicant, PROMISE, f"容缺材料即将到期：{p.case.number}",
                       f"您承诺于 {p.due:%Y-%m-%d} 前补交{names}；逾期办件将{p.get_outcome_display()}。")


def due(today: dt.date | None = None) -> list[Reminder]:
    """Every reminder due today, sent or not (the job skips those already sent)."""
    today = today or timezone.localdate()
    return [*_clock_reminders(today), *_applicant_reminders(today)]


def send(today: dt.date | None = None) -> int:
    """Send each due reminder not yet sent; returns how many were sent."""
    sent = 0
    for r in due(today):
        if CaseReminder.objects.filter(case=r.case, user=r.user, kind=r.kind).exists():
            continue
        try:
            with transaction.atomic():
                CaseReminder.objects.create(case=r.case, user=r.user, kind=r.kind)
                deliver(r.user, kind=f"case-{r.kind}", title=r.title, body=r.body,
                        link=(f"/staff/cases/{r.case.number}/" if r.kind in (WARNED, OVERDUE)
                              else f"/cases/{r.case.number}/"), sms=r.body)
        except IntegrityError:
            continue  # another run sent it meanwhile: once is enough
        sent += 1
    return sent
