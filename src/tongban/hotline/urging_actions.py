"""Urging (督办): the one urging mechanism of the platform (DESIGN.md seam "urging, keyed on any
object": defined here, used by hotline for tickets and by oversight for cases).

An urging names its object by kind and number (`"ticket"`, `"case"` …), never by a foreign
key, so hotline imports no app above it. Levels 催办 → 督办 (to the department head) → 通报
(listed in the supervision report, `urging_selectors.notices`); each has a reason and a reply
deadline in working days (pending, None, while the year's calendar is not entered — R5). The
department replies (text, who, when); an urging left unanswered past its deadline becomes
overdue and escalates once to the next level (`escalate_overdue`, the hourly job). Tickets are
urged automatically at warning (催办) and when overdue (督办), once per ticket and trigger
(`urge_due_tickets`; a partial unique constraint makes it so under concurrent runs too).

Public functions for other apps: `urge(...)` and `reply(...)`. Every write is audited; the
urging row is locked (select_for_update) before it changes, so two replies end with one
outcome and the other gets 409."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from tongban.core import audit
from tongban.core.calendar import UnknownCalendarYear
from tongban.core.errors import Conflict, FieldError, NotFound
from tongban.identity.constants import DEPARTMENT_ROLES, Role
from tongban.identity.models import Department, Region, StaffRole

from . import deadlines, permissions
from .constants import (
    HEAD_LEVELS,
    MAX_URGING_TEXT,
    URGING_NEXT,
    URGING_REPLY_DAYS,
    Status,
    UrgingLevel,
    UrgingState,
    UrgingTrigger,
)
from .models import Ticket, TicketStep, Urging

TICKET = "ticket"
HELD = (Status.DISPATCHED, Status.SIGNED)  # tickets a department holds: the only ones to urge


def _now() -> dt.datetime:
    return timezone.now()


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _reply_days(level: str) -> int:
    table = {**URGING_REPLY_DAYS, **(getattr(settings, "TONGBAN_HOTLINE_URGING_REPLY_DAYS", None) or {})}
    return int(table[level])


def _reply_due(start: dt.datetime, days: int) -> dt.datetime | None:
    try:
        return deadlines.end_of_working_day(start, days)
    except UnknownCalendarYear:
        return None


def _clean(level: Any, reason: Any) -> tuple[str, str]:
    level, reason, errors = _checked(level, reason)
    if errors:
        raise FieldError(errors=errors)
    return level, reason


def _checked(level: Any, reason: Any) -> tuple[str, str, list[tuple[str, str]]]:
    errors = []
    if level not in UrgingLevel.values:
        errors.append(("level", "督办级别应为 催办、督办 或 通报"))
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        errors.append(("reason", "请填写督办事由"))
    elif len(reason) > MAX_URGING_TEXT:
        errors.append(("reason", f"督办事由不能超过{MAX_URGING_TEXT}字"))
    return level, reason, errors


def _ticket_step(urging: Urging, action: str, actor: Any, note: str = "") -> None:
    if urging.target_kind != TICKET:
        return
    ticket = Ticket.objects.filter(number=urging.target_number).only("pk").first()
    if ticket is not None:
        TicketStep.objects.create(ticket=ticket, action=action, actor=_user(actor), department=urging.department,
                                  note=note[:2000], data={"urging": urging.pk, "level": urging.level,
                                                          "trigger": urging.trigger}, at=_now())


def _notify(urging: Urging) -> None:
    """The department's staff (督办 and 通报: its heads) find it in their message centre."""
    from tongban.identity.actions import deliver

    roles = {Role.HEAD} if urging.level in HEAD_LEVELS else set(DEPARTMENT_ROLES)
    users = {r.user for r in StaffRole.objects.filter(department=urging.department, role__in=roles)
             .select_related("user")}
    due = urging.reply_due.astimezone(deadlines.TZ).strftime("%Y-%m-%d") if urging.reply_due else "待定"
    for user in users:
        deliver(user, kind="hotline.urging", title=f"【{urging.level}】{urging.target_number}",
                body=f"{urging.reason}\n请于{due}前回复。", link="/hotline/urgings/")


def _create(target_kind: str, target_number: str, department: Department, level: str, reason: str, actor: Any,
            *, region: Region | None = None, trigger: str = UrgingTrigger.MANUAL,
            previous: Urging | None = None) -> Urging:
    now, days = _now(), _reply_days(level)
    urging = Urging.objects.create(
        target_kind=target_kind, target_number=target_number, department=department,
        region=region or department.region, level=level, trigger=trigger, reason=reason, previous=previous,
        reply_days=days, reply_due=_reply_due(now, days), created_by=_user(actor), created_at=now)
    audit.record("hotline.urging.created", obj=urging, actor=actor,
                 data={"target": f"{target_kind}:{target_number}", "level": level, "trigger": trigger,
                       "department": department.pk, "previous": previous.pk if previous else None})
    if trigger != UrgingTrigger.MANUAL:  # a manual one on a ticket is the ticket's own `urge` step
        _ticket_step(urging, "urge", actor, reason)
    _notify(urging)
    return urging


def _may_urge(actor: Any) -> bool:
    return actor is None or permissions.is_operator(actor) or permissions.is_supervisor(actor)


@transaction.atomic
def urge(target_kind: str, target_number: str, department: Department | str, level: str, reason: str,
         actor: Any, *, region: Region | str | None = None, automatic: bool = False) -> Urging:
    """Urge `department` about the object `target_kind` + `target_number` (e.g. `"case"`,
    `"2102022026120100001"`): the public entry for other apps (oversight urges cases). `actor`
    is the operator or supervisor (None: a scheduled job); `region` defaults to the
    department's. Bad level or reason → FieldError; anyone else → PermissionDenied. Tickets
    are urged through their `urge` action, which checks that the department holds them.

    `automatic=True` (a scan, not a person): created only when no urging of that level is open
    for the object — otherwise the open one is returned unchanged. Two scans at once write one
    (a partial unique constraint on open automatic urgings; the loser returns the winner's)."""
    if not _may_urge(actor):
        raise PermissionDenied("只有12345中心与监督人员可以督办")
    level, reason, errors = _checked(level, reason)
    dept = department if isinstance(department, Department) else Department.objects.filter(pk=department).first()
    if dept is None:
        errors.append(("department", "请指定有效的被督办部门"))
    if not (isinstance(target_kind, str) and 0 < len(target_kind) <= 20 and target_kind.isidentifier()):
        errors.append(("target_kind", "督办对象类别无效"))
    if not (isinstance(target_number, str) and 0 < len(target_number) <= 40):
        errors.append(("target_number", "督办对象编号无效"))
    if target_kind == TICKET and not errors and \
            not Ticket.objects.filter(number=target_number, department=dept, status__in=HELD).exists():
        errors.append(("target_number", "该工单不在被督办部门办理中"))
    place = region if isinstance(region, Region) or region is None else Region.objects.filter(pk=region).first()
    if region is not None and place is None:
        errors.append(("region", "未知的区划代码"))
    if errors:
        raise FieldError(errors=errors)
    if not automatic:
        return _create(target_kind, target_number, dept, level, reason, actor, region=place)
    waiting = Urging.objects.filter(target_kind=target_kind, target_number=target_number, level=level,
                                    state=UrgingState.OPEN).order_by("pk")
    existing = waiting.first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return _create(target_kind, target_number, dept, level, reason, actor, region=place,
                           trigger=UrgingTrigger.AUTOMATIC)
    except IntegrityError:  # a concurrent scan committed the same urging first
        return waiting.filter(trigger=UrgingTrigger.AUTOMATIC).get()



def urge_ticket(ticket: Ticket, level: Any, reason: Any, actor: Any) -> Urging:
    """The ticket's `urge` action (inside `actions.perform`, the ticket locked and its actor checked)."""
    if ticket.status not in HELD or ticket.department_id is None:
        raise Conflict(f"工单当前状态为“{ticket.get_status_display()}”，只有承办部门办理中的工单可以督办")
    level, reason = _clean(level or UrgingLevel.REMIND, reason)
    return _create(TICKET, ticket.number, ticket.department, level, reason, actor, region=ticket.region)


@transaction.atomic
def reply(actor: Any, urging_id: int, text: str) -> Urging:
    """The department's reply to an urging. Not visible to the actor → NotFound; visible but
    not theirs to answer → PermissionDenied; already answered, or overdue and escalated → 409."""
    urging = Urging.objects.visible_to(actor).select_for_update().filter(pk=urging_id).first()
    if urging is None or not getattr(actor, "is_authenticated", False):
        raise NotFound("未找到该督办")
    if not permissions.may_reply_urging(actor, urging):
        raise PermissionDenied("督办须由被督办部门回复（督办、通报由部门负责人回复）")
    text = (text or "").strip() if isinstance(text, str) else ""
    if not text:
        raise FieldError("text", "回复内容不能为空")
    if len(text) > MAX_URGING_TEXT:
        raise FieldError("text", f"回复内容不能超过{MAX_URGING_TEXT}字")
    if urging.state == UrgingState.REPLIED:
        raise Conflict("该督办已回复")
    if urging.state == UrgingState.OVERDUE:
        raise Conflict("该督办已逾期未回复并已升级，请回复升级后的督办")
    urging.state, urging.reply_text, urging.replied_by, urging.replied_at = UrgingState.REPLIED, text, actor, _now()
    urging.save(update_fields=["state", "reply_text", "replied_by", "replied_at"])
    audit.record("hotline.urging.replied", obj=urging, actor=actor,
                 data={"target": f"{urging.target_kind}:{urging.target_number}", "level": urging.level})
    _ticket_step(urging, "urging-replied", actor, text)
    return urging


@transaction.atomic
def escalate_overdue(now: dt.datetime | None = None) -> list[Urging]:
    """Urgings past their reply deadline unanswered become overdue; a 催办 escalates to 督办, a
    督办 to 通报 (once: `previous` is unique). Returns the escalations written."""
    now = now or _now()
    written = []
    for urging in (Urging.objects.select_for_update().filter(state=UrgingState.OPEN, reply_due__lt=now)
                   .select_related("department", "region").order_by("pk")):
        urging.state = UrgingState.OVERDUE
        urging.save(update_fields=["state"])
        audit.record("hotline.urging.overdue", obj=urging, actor=None,
                     data={"target": f"{urging.target_kind}:{urging.target_number}", "level": urging.level})
        _ticket_step(urging, "urging-overdue", None)
        following = URGING_NEXT.get(urging.level)
        if following:
            reason = f"{urging.level}（第{urging.pk}号）逾期未回复，升级为{following}。原事由：{urging.reason}"
            written.append(_create(urging.target_kind, urging.target_number, urging.department, following,
                                   reason[:MAX_URGING_TEXT], None, region=urging.region,
                                   trigger=UrgingTrigger.ESCALATION, previous=urging))
    return written


def _automatic(ticket: Ticket, trigger: str, level: str, reason: str) -> Urging | None:
    try:
        with transaction.atomic():  # a concurrent run wrote it first: the unique constraint keeps one
            return _create(TICKET, ticket.number, ticket.department, level, reason, None, region=ticket.region,
                           trigger=trigger)
    except IntegrityError:
        return None


def _warned(ticket: Ticket, now: dt.datetime) -> bool:
    """Within the last CLOCK_WARN_SHARE (20 %) of the time from filing to the deadline."""
    return now >= ticket.deadline - (ticket.deadline - ticket.filed_at) * float(settings.CLOCK_WARN_SHARE)


@transaction.atomic
def urge_due_tickets(now: dt.datetime | None = None) -> list[Urging]:
    """Automatic urging of tickets a department holds: 催办 at warning, 督办 once overdue; one
    per ticket and trigger (idempotent). A pending deadline (R5) triggers nothing."""
    now = now or _now()
    held = (Ticket.objects.filter(status__in=HELD, department__isnull=False, deadline__isnull=False)
            .select_related("department", "region").order_by("deadline", "pk"))

    def without(trigger: str) -> Any:
        return held.exclude(Exists(Urging.objects.filter(target_kind=TICKET, target_number=OuterRef("number"),
                                                         trigger=trigger)))

    written = []
    for t in without(UrgingTrigger.OVERDUE).filter(deadline__lt=now):
        due = t.deadline.astimezone(deadlines.TZ).strftime("%Y-%m-%d %H:%M")
        written.append(_automatic(t, UrgingTrigger.OVERDUE, UrgingLevel.SUPERVISE,
                                  f"工单{t.number}已超过办结时限（{due}）仍未办结，请部门负责人督促办理并回复"))
    horizon = now + dt.timedelta(days=60)  # a warning falls within the last fifth of at most 45 working days
    for t in without(UrgingTrigger.WARNING).filter(deadline__gte=now, deadline__lte=horizon):
        if _warned(t, now):
            due = t.deadline.astimezone(deadlines.TZ).strftime("%Y-%m-%d %H:%M")
            written.append(_automatic(t, UrgingTrigger.WARNING, UrgingLevel.REMIND,
                                      f"工单{t.number}临近办结时限（{due}），请抓紧办理并回复"))
    return [u for u in written if u is not None]


@transaction.atomic
def fill_pending_reply_dues() -> list[int]:
    """R5: reply deadlines left pending on an unentered year, computed once it is entered."""
    filled = []
    for urging in Urging.objects.select_for_update().filter(state=UrgingState.OPEN, reply_due__isnull=True):
        due = _reply_due(urging.created_at, urging.reply_days)
        if due is not None:
            Urging.objects.filter(pk=urging.pk).update(reply_due=due)
            filled.append(urging.pk)
    if filled:
        audit.record("hotline.urging.reply_dues_filled", actor=None, data={"urgings": filled[:1000]})
    return filled
