"""The only write path of reviews (R26): submit a review of one service event (a case, a hotline
ticket, a window visit), append once, invite by SMS link or window kiosk (one-time tokens,
stored hashed), register a window visit (首问登记), and record a hotline callback's rating as
the ticket's review (`record_callback`, from the ticket's save — the hotline never imports
reviews). A bad review (levels 1–2) opens its rectification in the same transaction (R27).

One review per event and reviewer (per ticket for the hotline: the caller is its one reviewer,
by callback or by link, never asked twice): checked first (409), and held by a unique
constraint, so a double-click that slips past the check ends as an IntegrityError → 409, one
review."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from tongban.cases.constants import Status as CaseStatus
from tongban.cases.models import Case, CaseStep
from tongban.catalog.models import ServiceItem
from tongban.core import audit
from tongban.core.errors import Conflict, FieldError, NotFound
from tongban.core.masking import mask_phone
from tongban.hotline.constants import Status as TicketStatus
from tongban.hotline.models import Ticket, TicketStep
from tongban.identity.models import User

from . import permissions, rectification
from .checks import check_level, digest, invitation_for, resolve_tags, token_lifetime
from .constants import BAD_LEVELS, MAX_TEXT, Channel, InvitationKind
from .models import ReasonTag, Review, ReviewInvitation, WindowVisit
from .models.reviews import phone_digest

# decided (or otherwise finished by the authority): the service event is over and can be judged
REVIEWABLE = frozenset({CaseStatus.APPROVED, CaseStatus.DENIED, CaseStatus.REJECTED, CaseStatus.TERMINATED,
                        CaseStatus.COMPLETED})
DECISION_ACTIONS = ("approve", "deny", "reject")


def _text(value: str | None, field: str, what: str, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise FieldError(field, f"请填写{what}")
    if len(value) > MAX_TEXT:
        raise FieldError(field, f"{what}不能超过{MAX_TEXT}个字")
    return value


def _served_by(case: Case) -> User | None:
    step = (CaseStep.objects.filter(case=case, action__in=DECISION_ACTIONS, actor__isnull=False)
            .order_by("-at", "-pk").select_related("actor").first())
    return step.actor if step else case.assignee


def _event_of_case(actor: User, number: Any) -> Case:
    """The reviewer's own case (as its applicant or for the enterprise they act for), else 404."""
    from tongban.cases import selectors as case_selectors

    if permissions.is_staff(actor):
        raise PermissionDenied("工作人员不能代替申请人评价")
    case = case_selectors.visible_cases(actor).filter(number=str(number)).select_related(
        "department", "region").first()
    if case is None or not _is_applicant_side(actor, case):
        raise NotFound(f"未找到办件 {number}")
    return case


def _is_applicant_side(user: User, case: Case) -> bool:
    from tongban.cases.permissions import speaks_for_applicant

    return case.applicant_id == user.pk or (speaks_for_applicant(user, case) and case.filed_by_id != user.pk)


def _event_of_visit(actor: User, visit_id: Any) -> WindowVisit:
    if permissions.is_staff(actor):
        raise PermissionDenied("工作人员不能代替来访人评价")
    visit = WindowVisit.objects.filter(pk=visit_id, visitor=actor).first() if str(visit_id).isdigit() else None
    if visit is None:
        raise NotFound(f"未找到窗口来访记录 {visit_id}")
    return visit


def _event_of_ticket(actor: User, number: Any) -> Ticket:
    """The actor's own ticket (filed as its signed-in caller), else 404."""
    if permissions.is_staff(actor):
        raise PermissionDenied("工作人员不能代替来电人评价")
    ticket = (Ticket.objects.filter(number=str(number), caller_user=actor)
              .select_related("department", "last_department", "master").first())
    if ticket is None:
        raise NotFound(f"未找到工单 {number}")
    return ticket


def _ticket_department_id(ticket: Ticket) -> str | None:
    """The department that served a ticket: its holder, else the last one, else its master's."""
    if ticket.department_id or ticket.last_department_id:
        return ticket.department_id or ticket.last_department_id
    master = ticket.master
    return (master.department_id or master.last_department_id) if master is not None else None


def _ticket_reviewable(ticket: Ticket) -> str:
    """The serving department of a closed ticket that was not rated yet (409 otherwise)."""
    if ticket.status != TicketStatus.CLOSED:
        raise Conflict(f"工单 {ticket.number} 尚未办结，办结后才能评价")
    if isinstance(ticket.callback, dict) and isinstance(ticket.callback.get("level"), int):
        raise Conflict(f"工单 {ticket.number} 已在电话回访中评价（一事一评，不重复询问）")
    department = _ticket_department_id(ticket)
    if department is None:
        raise Conflict(f"工单 {ticket.number} 未经部门办理，无法评价")
    return department


def submit_review(actor: User, *, case: Any = None, visit: Any = None, ticket: Any = None, level: Any,
                  comment: str = "", tags: Iterable[Any] = (), channel: str = Channel.PORTAL,
                  token: str | None = None) -> Review:
    """A review of the actor's own case, hotline ticket or window visit (or of the event a
    token names)."""
    level = check_level(level)
    if token:
        return submit_with_token(token, level=level, comment=comment, tags=tags, actor=actor)
    if sum(x is not None for x in (case, visit, ticket)) != 1:
        raise FieldError("case", "请指定被评价的办件（case）、12345 工单（ticket）或窗口来访（visit），只能填写其一")
    if channel not in Channel.values:
        raise FieldError("channel", f"未知的评价渠道（可选：{'、'.join(Channel.values)}）")
    chosen = resolve_tags(level, tags)
    comment = _text(comment, "comment", "评价内容")
    if case is not None:
        event = _event_of_case(actor, case)
        if event.status not in REVIEWABLE:
            raise Conflict(f"办件 {event.number} 尚未办结，办结后才能评价")
        return _create(actor, case=event, level=level, comment=comment, tags=chosen, channel=channel)
    if ticket is not None:
        event_ticket = _event_of_ticket(actor, ticket)
        _ticket_reviewable(event_ticket)
        return _create(actor, ticket=event_ticket, level=level, comment=comment, tags=chosen, channel=channel)
    event_visit = _event_of_visit(actor, visit)
    return _create(actor, visit=event_visit, level=level, comment=comment, tags=chosen, channel=channel)


def _ticket_staff(ticket: Ticket) -> User | None:
    step = (TicketStep.objects.filter(ticket=ticket, action="reply", actor__isnull=False)
            .order_by("-at", "-pk").select_related("actor").first())
    return step.actor if step else None


def _already(case: Case | None, visit: WindowVisit | None, ticket: Ticket | None, reviewer: User | None) -> bool:
    if ticket is not None:
        return Review.objects.filter(ticket=ticket).exists()
    return Review.objects.filter(case=case, visit=visit, reviewer=reviewer).exists()


def _create(reviewer: User | None, *, level: int, comment: str, tags: list[ReasonTag], channel: str,
            case: Case | None = None, visit: WindowVisit | None = None, ticket: Ticket | None = None,
            invitation: ReviewInvitation | None = None) -> Review:
    if _already(case, visit, ticket, reviewer):
        raise Conflict("这次服务已经评价过（一事一评），可以追评一次")
    phone = {}
    if ticket is not None:
        department_id, region_id, staff = _ticket_department_id(ticket), ticket.region_id, _ticket_staff(ticket)
        phone = {"reviewer_phone_masked": mask_phone(ticket.caller_phone),
                 "reviewer_phone_hash": phone_digest(ticket.caller_phone)}
    else:
        source = case or visit
        department_id, region_id = source.department_id, source.region_id
        staff = _served_by(case) if case is not None else visit.staff
    try:
        with transaction.atomic():
            if ticket is not None:
                # the hotline's row lock first, in the hotline's own order (callback: ticket → review)
                locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
                if channel != Channel.PHONE:
                    _ticket_reviewable(locked)  # rated by the callback meanwhile: never asked twice
                if Review.objects.filter(ticket=ticket).exists():
                    raise Conflict("这次服务已经评价过（一事一评）")
            if invitation is not None:
                used = (ReviewInvitation.objects.filter(pk=invitation.pk, used_at__isnull=True)
                        .update(used_at=timezone.now()))
                if used != 1:
                    raise Conflict("该评价链接已使用")
            review = Review.objects.create(case=case, visit=visit, ticket=ticket, reviewer=reviewer, level=level,
                                           comment=comment, channel=channel, department_id=department_id,
                                           region_id=region_id, staff=staff, created_at=timezone.now(), **phone)
            if tags:
                review.tags.set(tags)
            audit.record("reviews.submit", obj=review, subject_id=reviewer.pk if reviewer else None,
                         data={"case": case.number if case else None, "visit": visit.pk if visit else None,
                               "ticket": ticket.number if ticket else None,
                               "level": level, "channel": channel, "tags": [t.code for t in tags]})
            if level in BAD_LEVELS:
                rectification.open_for(review)
    except IntegrityError:
        raise Conflict("这次服务已经评价过（一事一评）") from None
    return review


def record_callback(ticket: Ticket) -> Review | None:
    """The hotline's callback rating (R25) is the ticket's review (R26), read from the ticket and
    never asked twice: the first rating of a closed ticket becomes its review (channel 热线电话回访,
    the caller signed in or anonymous, the phone kept masked and hashed). An unreachable caller,
    a ticket already reviewed (by its SMS link) or one no department served → nothing. Runs in
    the hotline's transaction, inside a savepoint so a racing review cannot break it."""
    callback = ticket.callback if isinstance(ticket.callback, dict) else None
    level = callback.get("level") if callback else None
    if not isinstance(level, int) or isinstance(level, bool) or level not in range(1, 6):
        return None
    if Review.objects.filter(ticket=ticket).exists() or _ticket_department_id(ticket) is None:
        return None
    tags = []
    if callback.get("resolved") is False:
        tags = [t for t in ReasonTag.objects.filter(code="not-done", active=True) if t.fits(level)]
    comment = str(callback.get("comment") or "")[:MAX_TEXT]
    try:
        return _create(ticket.caller_user, ticket=ticket, level=level, comment=comment, tags=tags,
                       channel=Channel.PHONE)
    except Conflict:
        return None  # reviewed meanwhile (the unique constraint): one review per ticket


def append(actor: User, review: Review, text: str) -> Review:
    """追评: once, by the reviewer; the level is never edited."""
    if review.reviewer_id != actor.pk:
        raise NotFound("未找到该评价")
    text = _text(text, "comment", "追评内容", required=True)
    with transaction.atomic():
        updated = Review.objects.filter(pk=review.pk, appended_at__isnull=True).update(
            appended=text, appended_at=timezone.now())
        if updated != 1:
            raise Conflict("每条评价只能追评一次")
        audit.record("reviews.append", obj=review, subject_id=actor.pk, data={"length": len(text)})
    review.refresh_from_db()
    return review


# --- one-time tokens (SMS link, window kiosk) ---------------------------------------------------------

def invite(actor: User, *, case: Case | None = None, visit: WindowVisit | None = None,
           kind: str = InvitationKind.SMS) -> tuple[ReviewInvitation, str]:
    """A token bound to one event and its applicant; an SMS link goes to the applicant's phone."""
    if kind not in InvitationKind.values:
        raise FieldError("kind", "邀请方式应为 sms（短信链接）或 kiosk（窗口评价器）")
    if (case is None) == (visit is None):
        raise FieldError("case", "请指定办件或窗口来访")
    reviewer = case.applicant if case is not None else visit.visitor
    if reviewer is None:
        raise FieldError("visit", "来访人未登记身份，无法发送评价邀请；请使用窗口评价器匿名评价")
    if case is not None and case.status not in REVIEWABLE:
        raise Conflict(f"办件 {case.number} 尚未办结，办结后才能邀请评价")
    if Review.objects.filter(case=case, visit=visit, reviewer=reviewer).exists():
        raise Conflict("这次服务已经评价过（一事一评）")
    raw = secrets.token_urlsafe(24)
    now = timezone.now()
    with transaction.atomic():
        inv = ReviewInvitation.objects.create(kind=kind, case=case, visit=visit, reviewer=reviewer,
                                              token_hash=digest(raw), created_by=actor, created_at=now,
                                              expires_at=now + token_lifetime(kind))
        audit.record("reviews.invite", obj=inv, subject_id=reviewer.pk, data={"kind": kind})
        if kind == InvitationKind.SMS and reviewer.phone:
            link = f"{settings.BASE_URL.rstrip('/')}/reviews/t/{raw}/"
            text = f"【通办】您办理的事项已办结，欢迎对本次服务进行评价（一事一评）：{link}"
            transaction.on_commit(lambda: _send_sms(reviewer.phone, text))
    return inv, raw


def _send_sms(phone: str, text: str) -> None:
    from tongban.identity.sms import get_backend

    get_backend().send(phone, text)


def submit_with_token(raw: str, *, level: Any, comment: str = "", tags: Iterable[Any] = (),
                      actor: User | None = None) -> Review:
    """The SMS or kiosk reviewer: the token names the event and the reviewer; staff signed in
    (at the counter) cannot submit for the applicant."""
    if actor is not None and permissions.is_staff(actor):
        raise PermissionDenied("工作人员不能代替申请人评价")
    level = check_level(level)
    chosen = resolve_tags(level, tags)
    comment = _text(comment, "comment", "评价内容")
    inv = invitation_for(raw)
    if actor is not None and getattr(actor, "is_authenticated", False) and actor.pk != inv.reviewer_id:
        raise NotFound("评价链接无效")
    channel = Channel.KIOSK if inv.kind == InvitationKind.KIOSK else Channel.SMS
    return _create(inv.reviewer, case=inv.case, visit=inv.visit, level=level, comment=comment, tags=chosen,
                   channel=channel, invitation=inv)


# --- 首问登记 ----------------------------------------------------------------------------------------

def register_visit(actor: User, *, item: str | None = None, question: str = "", answer: str = "",
                   visitor_id_number: str | None = None, visitor_name: str = "", case: str | None = None,
                   referred_to: str = "") -> WindowVisit:
    """Window staff register a visit: optional identity, the item asked about, what was said, the
    case that followed or where the visitor was referred."""
    from tongban.identity.scoping import grants_of

    grant = next((g for g in grants_of(actor) if g.role in ("window", "officer", "head")), None)
    if grant is None:
        raise PermissionDenied("只有窗口工作人员可以登记首问")
    errors: list[tuple[str, str]] = []
    service_item = ServiceItem.objects.filter(code=item).first() if item else None
    if item and service_item is None:
        errors.append(("item", f"未找到事项 {item}"))
    visitor = User.objects.filter(id_number=visitor_id_number).first() if visitor_id_number else None
    if visitor_id_number and visitor is None:
        errors.append(("visitor_id_number", "未找到该身份证号码的用户（可不登记身份）"))
    followed = Case.objects.filter(number=case, department_id=grant.department_id).first() if case else None
    if case and followed is None:
        errors.append(("case", f"本部门没有办件 {case}"))
    if errors:
        raise FieldError(errors=errors)
    from tongban.identity.models import Region

    region = Region.objects.filter(path=grant.region_path).first()
    with transaction.atomic():
        visit = WindowVisit.objects.create(
            staff=actor, department_id=grant.department_id, region=region, visitor=visitor,
            visitor_name=_text(visitor_name, "visitor_name", "来访人称呼")[:60], item=service_item,
            question=_text(question, "question", "咨询内容"), answer=_text(answer, "answer", "答复内容"),
            case=followed, referred_to=_text(referred_to, "referred_to", "引导去向")[:200], at=timezone.now())
        audit.record("reviews.register_visit", obj=visit, subject_id=visitor.pk if visitor else None,
                     data={"item": item, "case": case})
    return visit
