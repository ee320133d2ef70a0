"""The write path of a site's message box (留言): a signed-in citizen leaves a message (markup
removed by nh3, length limits, throttled per account, one message per form token so a double
submit makes one), the site's editors publish or hide it (with a reason), the department
answers, and a site that says so hands each message to the 12345 hotline (the
`signals.message_received` hook; the ticket number is recorded on the message)."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from tongban.core import audit
from tongban.core.errors import Conflict, FieldError, NotFound
from tongban.core.masking import mask_name
from tongban.identity.models import User
from tongban.identity.scoping import grants_of

from . import permissions
from .constants import (
    ANSWER_TEXT_MAX,
    MESSAGE_TEXT_MAX,
    MESSAGE_TEXT_MIN,
    MESSAGE_TITLE_MAX,
    MESSAGES_PER_DAY,
    MESSAGES_PER_HOUR,
    MessageAction,
    MessageStatus,
)
from .models import DisclosureSiteRoot, SiteMessage
from .signals import message_received
from .text import masked, plain_text

log = logging.getLogger(__name__)


class Throttled(Conflict):
    """Too many messages from one account: refused, with when to try again."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _check(title: str, text: str) -> None:
    errors = []
    if not title:
        errors.append(("title", "请填写留言标题"))
    elif len(title) > MESSAGE_TITLE_MAX:
        errors.append(("title", f"标题不能超过{MESSAGE_TITLE_MAX}字（现为{len(title)}字）"))
    if len(text) < MESSAGE_TEXT_MIN:
        errors.append(("text", f"留言内容不少于{MESSAGE_TEXT_MIN}字，请写明事项、地点和诉求"))
    elif len(text) > MESSAGE_TEXT_MAX:
        errors.append(("text", f"留言内容不能超过{MESSAGE_TEXT_MAX}字（现为{len(text)}字）"))
    if errors:
        raise FieldError(errors=errors)


def _throttle(actor: User) -> None:
    now = timezone.now()
    recent = list(
        SiteMessage.objects.filter(author=actor, created_at__gte=now - dt.timedelta(days=1))
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:MESSAGES_PER_DAY]
    )
    last_hour = [at for at in recent if at >= now - dt.timedelta(hours=1)]
    if len(last_hour) >= MESSAGES_PER_HOUR:
        wait = last_hour[MESSAGES_PER_HOUR - 1] + dt.timedelta(hours=1)
    elif len(recent) >= MESSAGES_PER_DAY:
        wait = recent[MESSAGES_PER_DAY - 1] + dt.timedelta(days=1)
    else:
        return
    raise Throttled(
        f"留言过于频繁：每小时最多{MESSAGES_PER_HOUR}条、每天最多{MESSAGES_PER_DAY}条，"
        f"请于{timezone.localtime(wait):%m-%d %H:%M}后再试",
        retry_after=max(1, int((wait - now).total_seconds())),
    )


def submit(actor: User, site: DisclosureSiteRoot, *, title: str, text: str, form_token: str) -> SiteMessage:
    """Leave a message on `site`. The same form token from the same account returns the message
    it made (a double click, a resent form): one message."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("请登录后留言")
    token = (form_token or "").strip()[:64]
    if not token:
        raise FieldError("form_token", "表单已失效，请刷新页面后重新提交")
    earlier = SiteMessage.objects.filter(author=actor, form_token=token).first()
    if earlier is not None:
        return earlier
    if not site.messages_enabled:
        raise Conflict("本站未开通网站留言")
    title, text = plain_text(title), plain_text(text)
    _check(title, text)
    _throttle(actor)
    try:
        with transaction.atomic():
            row = SiteMessage.objects.create(
                site=site,
                author=actor,
                author_display=mask_name(actor.name or "网友")[:20],
                form_token=token,
                title=title,
                text=text,
            )
            audit.record("disclosure.message.submit", obj=row, subject_id=actor.pk, data={"site": site.pk})
            if site.messages_to_hotline:
                transaction.on_commit(lambda: hand_off(row.pk))
    except IntegrityError:  # the other click of the same form committed first
        earlier = SiteMessage.objects.filter(author=actor, form_token=token).first()
        if earlier is None:
            raise
        return earlier
    return row


def _locked(actor: User, message_id: int, may) -> SiteMessage:
    row = SiteMessage.objects.select_for_update().select_related("site").filter(pk=message_id).first()
    if row is None:
        raise NotFound("未找到该留言")
    if not may(actor, row.site):
        raise PermissionDenied("只有本站编辑或承办部门可以办理留言")
    return row


def perform(actor: User, message_id: int, action: str, *, reason: str = "", text: str = "") -> SiteMessage:
    """publish / hide (with a reason) by the site's editors; answer (once) by the department."""
    if action not in MessageAction.values:
        raise FieldError("action", "操作应为：" + "、".join(MessageAction.values))
    with transaction.atomic():
        if action == MessageAction.ANSWER:
            row = _locked(actor, message_id, permissions.may_answer_site)
            _answer(actor, row, text)
        else:
            row = _locked(actor, message_id, permissions.may_moderate_site)
            _moderate(actor, row, action, reason)
        audit.record(
            f"disclosure.message.{action}",
            obj=row,
            subject_id=row.author_id,
            data={"site": row.site_id, "status": row.status, "reason": row.moderation_reason[:100]},
        )
    return row


def _moderate(actor: User, row: SiteMessage, action: str, reason: str) -> None:
    target = MessageStatus.PUBLISHED if action == MessageAction.PUBLISH else MessageStatus.HIDDEN
    if row.status == target:
        raise Conflict(f"该留言已是“{MessageStatus(target).label}”")
    reason = plain_text(reason)[:200]
    if target == MessageStatus.HIDDEN and len(reason) < 2:
        raise FieldError("reason", "请写明不予公开的理由（如含有违法信息、与本站无关、重复留言）")
    row.status, row.moderated_by, row.moderated_at = target, actor, timezone.now()
    row.moderation_reason = reason if target == MessageStatus.HIDDEN else ""
    fields = ["status", "moderated_by", "moderated_at", "moderation_reason"]
    if target == MessageStatus.PUBLISHED:
        row.public_text = masked(row.text)
        fields.append("public_text")
    row.save(update_fields=fields)


def _answer(actor: User, row: SiteMessage, text: str) -> None:
    if row.answered_at:
        raise Conflict("该留言已答复")
    text = plain_text(text)
    if len(text) < 5:
        raise FieldError("text", "请填写答复内容（不少于5字）")
    if len(text) > ANSWER_TEXT_MAX:
        raise FieldError("text", f"答复不能超过{ANSWER_TEXT_MAX}字（现为{len(text)}字）")
    own = next((g.department_id for g in grants_of(actor) if g.department_id), None)
    row.answer, row.public_answer = text, masked(text)
    row.answered_by, row.answered_at = actor, timezone.now()
    row.answer_department_id = own or row.site.department_id
    row.save(update_fields=["answer", "public_answer", "answered_by", "answered_at", "answer_department"])


def hand_off(message_id: int) -> str:
    """Hand one message to the hotline (the receivers of `message_received`); returns the
    ticket number, or "" when the site does not hand over or no receiver took it. The row
    lock makes the commit hook and the retry job hand a message over once."""
    with transaction.atomic():
        row = SiteMessage.objects.select_for_update().select_related("site", "author").filter(pk=message_id).first()
        if row is None or row.ticket_number or not row.site.messages_to_hotline:
            return row.ticket_number if row else ""
        responses = message_received.send_robust(
            sender="disclosure",
            reference=row.number,
            author=row.author,
            title=row.title,
            text=row.text,
            region=row.site.region_path().rstrip("/").rsplit("/", 1)[-1],
            name=row.author.name,
            site=row.site.title,
        )
        for receiver, answer in responses:
            if isinstance(answer, Exception):
                log.warning("留言%s转12345失败（%s）：%s", row.number, receiver, answer)
            elif isinstance(answer, str) and answer:
                row.ticket_number, row.handed_off_at = answer[:20], timezone.now()
                row.save(update_fields=["ticket_number", "handed_off_at"])
                audit.record("disclosure.message.handoff", obj=row, subject_id=row.author_id,
                             data={"ticket": row.ticket_number})
                break
    return row.ticket_number


def hand_off_pending() -> int:
    """The retry: messages of hand-over sites still without a ticket (the hotline was down)."""
    pending = SiteMessage.objects.filter(ticket_number="", site__messages_to_hotline=True).exclude(
        status=MessageStatus.HIDDEN
    )
    return sum(1 for pk in pending.values_list("pk", flat=True)[:200] if hand_off(pk))
