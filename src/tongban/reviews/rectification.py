"""差评整改 (R27), the write path: open on a bad review, then verify (属实/部分属实/不属实 with
evidence), contact (when, how, what; failed attempts recorded), rectify or explain with an
outcome, then the reviewer asked again and the new rating kept beside the first. A supervisor
may send a closed one back, and decides a department's request to exclude a review (with a
reason; excluded reviews are counted as excluded, never deleted).

Asked again (R27): when a rectification closes, an identified reviewer finds the request on
their page (我的评价) and answers it there or through the API; a review given anonymously or
away from the portal (SMS link, window kiosk, 12345 callback) also brings an SMS with a one-time
link (stored hashed, expiring, bound to the rectification) to a page with the re-rating form
alone. The answer is the reviewer's own — the department that was rated never records it — and
there is one per rectification (the row lock and the state: a double click → one). A send-back
withdraws the request; closing again asks again.

Every action locks the row (`select_for_update`) and checks the state: two heads closing at
once → one outcome, the other 409."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tongban.core import audit
from tongban.core.calendar import add_working_days
from tongban.core.errors import Conflict, FieldError, NotFound
from tongban.core.masking import mask_phone

from . import permissions
from .checks import check_level, digest, rerating_token_for, token_lifetime
from .constants import (
    ACTION_LABELS,
    CLOSING_ACTIONS,
    DEPARTMENT_ACTIONS,
    MAX_TEXT,
    RE_RATING_CHANNELS,
    RECT_ACTIONS,
    RECTIFY_DAYS,
    REVIEWER_ACTIONS,
    SMS_ASKED_CHANNELS,
    SUPERVISOR_ACTIONS,
    VERIFY_DAYS,
    Channel,
    ExclusionState,
    Finding,
    InvitationKind,
    Level,
    OutcomeKind,
    RectState,
)
from .models import Rectification, RectificationStep, ReRatingToken, Review


def _text(value: Any, field: str, what: str, *, required: bool = False) -> str:
    value = (value if isinstance(value, str) else "").strip()
    if required and not value:
        raise FieldError(field, f"请填写{what}")
    if len(value) > MAX_TEXT:
        raise FieldError(field, f"{what}不能超过{MAX_TEXT}个字")
    return value


def _step(rect: Rectification, actor: Any, action: str, note: str = "", label: str = "", **data: Any) -> None:
    if not label:
        label = (getattr(actor, "name", "") or actor.get_username()) if actor is not None else "系统"
    RectificationStep.objects.create(rectification=rect, at=timezone.now(), actor=actor, actor_label=label[:100],
                                     action=action, note=note[:MAX_TEXT], data=data)


def open_for(review: Review, on: dt.date | None = None) -> Rectification:
    """A bad review (levels 1–2) → a rectification of the department that served (R27)."""
    on = on or timezone.localdate(review.created_at)
    rect = Rectification.objects.create(
        review=review, department_id=review.department_id, region_id=review.region_id, opened_on=on,
        verify_due=add_working_days(on, VERIFY_DAYS), rectify_due=add_working_days(on, RECTIFY_DAYS))
    _step(rect, None, "open", f"差评（{Level(review.level).label}）自动生成整改单")
    audit.record("reviews.rectification.open", obj=rect, subject_id=review.reviewer_id,
                 data={"review": review.pk, "level": review.level})
    return rect


def _authorise(actor: Any, rect: Rectification, action: str) -> None:
    if action in DEPARTMENT_ACTIONS and not permissions.serves(actor, rect):
        raise PermissionDenied("只有被评价部门的负责人或工作人员可以办理整改")
    if action in SUPERVISOR_ACTIONS and not permissions.supervises(actor, rect):
        raise PermissionDenied("只有监督人员可以退回或审核剔除申请")
    if action in REVIEWER_ACTIONS and rect.review.reviewer_id != actor.pk:
        raise PermissionDenied("只有评价人本人可以回访再评价")


def _need(rect: Rectification, *states: str) -> None:
    if rect.state not in states:
        raise Conflict(f"整改单当前状态为“{RectState(rect.state).label}”，不能执行此操作")


def perform(actor: Any, review_id: int, action: str, body: dict[str, Any], visible: Any) -> Rectification:
    """Run one action on the rectification of review `review_id` among `visible` (the actor's
    scope: else 404)."""
    if action not in RECT_ACTIONS:
        raise NotFound(f"未知的整改操作 {action}")
    with transaction.atomic():
        rect = visible.select_for_update(of=("self",)).filter(review_id=review_id).first()
        if rect is None:
            raise NotFound("未找到该整改单")
        rect = Rectification.objects.select_related("review", "region").get(pk=rect.pk)
        _authorise(actor, rect, action)
        _apply(rect, actor, action, body)
    return rect


def _apply(rect: Rectification, actor: Any, action: str, body: dict[str, Any], label: str = "") -> None:
    """One action on a locked rectification: the handler, the step, the audit record, and the
    reviewer asked again when it closes."""
    note, data = HANDLERS[action](actor, rect, body)
    rect.save()
    _step(rect, actor, action, note, label, **data)
    audit.record(f"reviews.rectification.{action}", obj=rect, subject_id=rect.review.reviewer_id,
                 data={"review": rect.review_id, **data})
    if action in CLOSING_ACTIONS:
        _ask_again(rect)


def _verify(actor: Any, rect: Rectification, body: dict[str, Any]) -> tuple[str, dict]:
    _need(rect, RectState.OPEN)
    finding = body.get("finding")
    if finding not in Finding.values:
        labels = "、".join(f"{v}（{label}）" for v, label in Finding.choices)
        raise FieldError("finding", f"核实结论应为：{labels}")
    evidence = _text(body.get("evidence"), "evidence", "核实依据", required=True)
    if rect.verified_on is not None:
        raise Conflict("已经核实过")
    rect.finding, rect.evidence, rect.verified_on = finding, evidence, timezone.localdate()
    return f"核实：{Finding(finding).label}。{evidence}", {"finding": finding}


def _contact_fields(body: dict[str, Any]) -> dict[str, str]:
    how = _text(body.get("how"), "how", "联系方式（电话、短信、上门……）", required=True)
    when = _text(body.get("when"), "when", "联系时间") or timezone.localtime().isoformat(timespec="minutes")
    return {"how": how[:40], "when": when[:40]}


def _contact(actor: Any, rect: Rectification, body: dict[str, Any]) -> tuple[str, dict]:
    _need(rect, RectState.OPEN)
    fields = _contact_fields(body)
    what = _text(body.get("what"), "what", "沟通内容", required=True)
    rect.contacted_on = rect.contacted_on or timezone.localdate()
    return f"{fields['when']} 以{fields['how']}联系评价人：{what}", {**fields, "succeeded": True}


def _contact_failed(actor: Any, rect: Rectification, body: dict[str, Any]) -> tuple[str, dict]:
    _need(rect, RectState.OPEN)
    fields = _contact_fields(body)
    why = _text(body.get("what"), "what", "未联系上的情况") or "未接通"
    return f"{fields['when']} 以{fields['how']}联系评价人未成功：{why}", {**fields, "succeeded": False}


def _close(rect: Rectification, body: dict[str, Any], kind: str) -> tuple[str, dict]:
    _need(rect, RectState.OPEN)
    outcome = _text(body.get("outcome"), "outcome", "整改或解释的结果", required=True)
    errors = []
    if rect.verified_on is None:
        errors.append(("finding", "请先核实差评（verify）"))
    if not rect.steps.filter(action__in=("contact", "contact-failed")).exists():
        errors.append(("how", "请先联系评价人并记录（contact 或 contact-failed，R27 差评100%回访）"))
    if errors:
        raise FieldError(errors=errors)
    rect.outcome_kind, rect.outcome, rect.closed_on = kind, outcome, timezone.localdate()
    rect.state = RectState.CLOSED
    return f"{OutcomeKind(kind).label}：{outcome}", {"outcome_kind": kind}


def _rectify(actor: Any, rect: Rectification, body: dict[str, Any]) -> tuple[str, dict]:
    return _close(rect, body, OutcomeKind.RECTIFIED)


def _explain(actor: Any, rect: Rectification, body: dict[str, Any]) -> tuple[str, dict]:
    return _close(rect, body, OutcomeKind.EXPLAINED)


def _send_back(actor: Any, rect: Rectification, body: dict[str, Any]) -> tuple[str, dict]:
    _need(rect, RectState.CLOSED)
    reason = _text(body.get("reason"), "reason", "退回理由", required=True)
    rect.state, rect.closed_on, rect.sent_back = RectState.OPEN, None, rect.sent_back + 1
    rect.re_asked_at = None  # the request is withdrawn; closing again asks again
    rect.rerating_tokens.filter(used_at__isnull=True).update(expires_at=timezone.now())
    return f"退回重办：{reason}", {"previous_outcome": rect.outcome}


def _request_exclusion(actor: Any, rect: Rectification, body: dict[str, Any]) -> tuple[str, dict]:
    _need(rect, RectState.OPEN, RectState.CLOSED)
    if rect.exclusion in (ExclusionState.REQUESTED, ExclusionState.EXCLUDED, ExclusionState.KEPT):
        raise Conflict("已经申请过剔除")
    rect.exclusion_reason = _text(body.get("reason"), "reason", "申请剔除的理由（恶意或与服务无关）", required=True)
    rect.exclusion = ExclusionState.REQUESTED
    return f"申请剔除：{rect.exclusion_reason}", {}


def _decide_exclusion(actor: Any, rect: Rectification, body: dict[str, Any]) -> tuple[str, dict]:
    if rect.exclusion != ExclusionState.REQUESTED:
        raise Conflict("没有待审核的剔除申请")
    decision = body.get("decision")
    if decision not in ("exclude", "keep"):
        raise FieldError("decision", "审核结论应为 exclude（剔除）或 keep（不予剔除）")
    reason = _text(body.get("reason"), "reason", "审核理由", required=True)
    rect.exclusion_decision_reason = reason
    if decision == "exclude":
        rect.exclusion, rect.state = ExclusionState.EXCLUDED, RectState.EXCLUDED
        Review.objects.filter(pk=rect.review_id).update(excluded=True, updated_at=timezone.now())
    else:
        rect.exclusion = ExclusionState.KEPT
    return f"剔除审核：{'剔除' if decision == 'exclude' else '不予剔除'}。{reason}", {"decision": decision}


def _re_rate(actor: Any, rect: Rectification, body: dict[str, Any]) -> tuple[str, dict]:
    level = check_level(body.get("level"))
    _need(rect, RectState.CLOSED)
    channel = body.get("channel") if body.get("channel") in RE_RATING_CHANNELS else Channel.PORTAL
    rect.re_level, rect.re_rated_at, rect.re_channel, rect.state = level, timezone.now(), channel, RectState.RERATED
    return (f"回访再评价（{Channel(channel).label}）：{Level(level).label}（首次：{Level(rect.review.level).label}）",
            {"level": level, "channel": channel})


# --- asked again (R27) ---------------------------------------------------------------------------------

def _reviewer_phone(review: Review) -> str:
    if review.reviewer_id and review.reviewer.phone:
        return review.reviewer.phone
    return review.ticket.caller_phone if review.ticket_id else ""


def _event_words(review: Review) -> str:
    if review.case_id:
        return f"办件 {review.case.number}"
    return f"12345 工单 {review.ticket.number}" if review.ticket_id else "窗口咨询"


def issue_rerating_token(rect: Rectification, phone: str) -> str:
    """A one-time re-rating link's token for `phone`: only its SHA-256 is kept, expiring after the
    review link's days (TONGBAN_REVIEW_LINK_DAYS)."""
    raw, now = secrets.token_urlsafe(24), timezone.now()
    ReRatingToken.objects.create(rectification=rect, token_hash=digest(raw), phone_masked=mask_phone(phone),
                                 created_at=now, expires_at=now + token_lifetime(InvitationKind.SMS))
    return raw


def _ask_again(rect: Rectification) -> None:
    """The rectification closed: ask the reviewer again — on their portal page when identified,
    and by an SMS link when the review was anonymous or given away from the portal."""
    from tongban.identity.sms import get_backend

    review = rect.review
    ways = ["portal"] if review.reviewer_id else []
    phone = _reviewer_phone(review) if (not review.reviewer_id or review.channel in SMS_ASKED_CHANNELS) else ""
    now = timezone.now()
    if phone:
        link = f"{settings.BASE_URL.rstrip('/')}/reviews/re-rate/{issue_rerating_token(rect, phone)}/"
        text = (f"【通办】您对{_event_words(review)}的“{Level(review.level).label}”评价，{rect.department.name}"
                f"已{OutcomeKind(rect.outcome_kind).label}。请您再次评价（链接仅可使用一次）：{link}")
        transaction.on_commit(lambda: get_backend().send(phone, text))
        ways.append("sms")
    if not ways:
        _step(rect, None, "ask-again", "评价人匿名且未留联系电话，无法再次询问")
        return
    Rectification.objects.filter(pk=rect.pk).update(re_asked_at=now)
    rect.re_asked_at = now
    words = "、".join({"portal": "“我的评价”页面", "sms": f"短信链接（{mask_phone(phone)}）"}[w] for w in ways)
    _step(rect, None, "ask-again", f"请评价人再次评价：{words}", ways=ways)
    audit.record("reviews.rectification.ask-again", obj=rect, subject_id=review.reviewer_id, data={"ways": ways})


def re_rate_with_token(raw: str, *, level: Any, actor: Any = None) -> Rectification:
    """The answer through the SMS link: the token names the rectification; staff signed in cannot
    answer for the reviewer, nor can another signed-in person for an identified reviewer."""
    if actor is not None and permissions.is_staff(actor):
        raise PermissionDenied("工作人员不能代替评价人再次评价")
    level = check_level(level)
    token = rerating_token_for(raw)
    reviewer_id = token.rectification.review.reviewer_id
    if reviewer_id and actor is not None and getattr(actor, "is_authenticated", False) and actor.pk != reviewer_id:
        raise NotFound("回访评价链接无效")
    with transaction.atomic():
        Rectification.objects.select_for_update().filter(pk=token.rectification_id).first()
        rect = Rectification.objects.select_related("review", "region").get(pk=token.rectification_id)
        used = ReRatingToken.objects.filter(pk=token.pk, used_at__isnull=True,
                                            expires_at__gt=timezone.now()).update(used_at=timezone.now())
        if used != 1:
            raise Conflict("该回访评价链接已使用或已过期")
        _apply(rect, None, "re-rate", {"level": level, "channel": Channel.SMS}, label="评价人（短信链接）")
    return rect


HANDLERS = {
    "verify": _verify, "contact": _contact, "contact-failed": _contact_failed, "rectify": _rectify,
    "explain": _explain, "send-back": _send_back, "request-exclusion": _request_exclusion,
    "decide-exclusion": _decide_exclusion, "re-rate": _re_rate,
}
assert set(HANDLERS) == RECT_ACTIONS and set(ACTION_LABELS) >= RECT_ACTIONS
