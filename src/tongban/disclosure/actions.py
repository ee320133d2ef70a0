"""The only write path of disclosure requests (R14–R19). Each action locks the request row
(`select_for_update`), checks who acts and the state (else 409), validates everything at once
(422), writes its event and clock effect, and records the audit entry in one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tongban.core import audit
from tongban.core.calendar import UnknownCalendarYear, add_working_days, working_days_between
from tongban.core.errors import Conflict, FieldError
from tongban.core.identifiers import IdentifierError, validate_id_number, validate_uscc
from tongban.identity.models import Department, Enterprise, User

from . import clocks, letters, numbering, permissions
from .constants import (
    CORRECTION_WINDOW_DAYS,
    DEFAULT_DEPARTMENT,
    FEE_MONTHLY_REQUESTS,
    FEE_PAGES,
    FEE_PAYMENT_DAYS,
    MAX_EXTENSION_DAYS,
    OPEN_STATES,
    REASONS,
    REQUESTER_ACTIONS,
    THIRD_PARTY_DAYS,
    Action,
    Delivery,
    ReplyType,
    RequesterType,
    State,
)
from .models import DisclosureRequest, RequestEvent

MAX_TEXT = 4000


def _due(on, days: int):
    """`days` working days after `on`; None while that reaches a year whose holidays nobody has
    entered yet (R5: pending, never guessed — the request is still received and its clock runs)."""
    try:
        return add_working_days(on, days)
    except UnknownCalendarYear:
        return None


def _today() -> dt.date:
    return timezone.localdate()


def _fee_thresholds() -> tuple[int, int]:
    """R19 (国办函〔2020〕109号): requests a month by one requester, pages of one request."""
    return (
        int(getattr(settings, "TONGBAN_DISCLOSURE_FEE_MONTHLY_REQUESTS", FEE_MONTHLY_REQUESTS)),
        int(getattr(settings, "TONGBAN_DISCLOSURE_FEE_PAGES", FEE_PAGES)),
    )


def _department(value: str | None) -> Department:
    key = value or getattr(settings, "TONGBAN_DISCLOSURE_DEFAULT_DEPARTMENT", DEFAULT_DEPARTMENT)
    dept = Department.objects.filter(pk=key).select_related("region").first()
    if dept is None and not value:
        dept = (
            Department.objects.filter(region__parent__isnull=True).select_related("region").order_by("pk").first()
            or Department.objects.select_related("region").order_by("pk").first()
        )
    if dept is None:
        raise FieldError("department", f"未找到部门“{value}”")
    return dept


def _requester(
    actor: User,
    requester_type: str,
    id_number: str | None,
    uscc: str | None,
    name: str | None,
    errors: list[tuple[str, str]],
) -> tuple[str, str, str]:
    """(name, id_number, uscc) of the requester: a natural person by ID number (R1), a legal
    person or other organisation by USCC (R2)."""
    if requester_type == RequesterType.NATURAL_PERSON:
        value = (id_number or actor.id_number or "").strip()
        if not value:
            errors.append(("id_number", "自然人申请须提供公民身份号码"))
            return "", "", ""
        try:
            value = validate_id_number(value)
        except IdentifierError as e:
            errors.append(("id_number", e.message))
        return (name or actor.name or actor.get_username())[:120], value, ""
    code = (uscc or "").strip().upper()
    if not code:
        membership = actor.memberships.filter(status="active").select_related("enterprise").first()
        code = membership.enterprise.uscc if membership else ""
    if not code:
        errors.append(("uscc", "法人或其他组织申请须提供统一社会信用代码"))
        return "", "", ""
    try:
        code = validate_uscc(code)
    except IdentifierError as e:
        errors.append(("uscc", e.message))
        return "", "", ""
    enterprise = Enterprise.objects.filter(pk=code).first()
    return (name or (enterprise.name if enterprise else "") or code)[:120], "", code


def submit(
    actor: User,
    *,
    content: str,
    requester_type: str,
    delivery: str,
    purpose: str = "",
    department: str | None = None,
    id_number: str | None = None,
    uscc: str | None = None,
    name: str | None = None,
    pages: int = 0,
) -> DisclosureRequest:
    """File a request online: receipt is the submission date (R14, art. 31), answer within
    20 working days (R5)."""
    errors: list[tuple[str, str]] = []
    content = (content or "").strip()
    if not content:
        errors.append(("content", "请填写所需政府信息的名称、文号或便于查询的特征描述"))
    elif len(content) > MAX_TEXT:
        errors.append(("content", f"所需信息描述不能超过{MAX_TEXT}字"))
    if requester_type not in RequesterType.values:
        errors.append(("requester_type", "申请人类型应为：" + "、".join(RequesterType.values)))
    if delivery not in Delivery.values:
        errors.append(("delivery", "获取方式应为：" + "、".join(Delivery.values)))
    if pages < 0:
        errors.append(("pages", "页数不能为负数"))
    requester = (
        _requester(actor, requester_type, id_number, uscc, name, errors)
        if requester_type in RequesterType.values
        else ("", "", "")
    )
    dept = _department(department)
    if errors:
        raise FieldError(errors=errors)
    on = _today()
    with transaction.atomic():
        req = DisclosureRequest.objects.create(
            number=numbering.next_number(on.year),
            requester=actor,
            requester_type=requester_type,
            requester_name=requester[0],
            id_number=requester[1],
            uscc=requester[2],
            content=content,
            purpose=(purpose or "")[:500],
            delivery=delivery,
            pages=pages,
            department=dept,
            region=dept.region,
            submitted_at=timezone.now(),
            received_on=on,
            deadline=_due(on, 20),
        )
        _event(req, actor, "submit", clocks.START, on, "收到申请")
        audit.record(
            "disclosure.request.submit",
            obj=req,
            subject_id=actor.pk,
            data={"number": req.number, "department": dept.pk, "requester_type": requester_type},
        )
    return req


def _event(
    req: DisclosureRequest, actor: User | None, action: str, clock: str, on: dt.date, note: str = "", **data: Any
) -> RequestEvent:
    return RequestEvent.objects.create(
        request=req, action=action, clock=clock, on=on, at=timezone.now(), actor=actor, note=note[:MAX_TEXT], data=data
    )


def _refresh_deadline(req: DisclosureRequest, on: dt.date) -> None:
    getattr(req, "_prefetched_objects_cache", {}).pop("events", None)
    reading = clocks.read(req, on)
    if reading is not None and reading.deadline is not None:
        req.deadline = reading.deadline


def _require(body: dict[str, Any], *names: str) -> None:
    missing = [(n, "必填") for n in names if not str(body.get(n) or "").strip()]
    if missing:
        raise FieldError(errors=missing)


def _int(body: dict[str, Any], name: str, default: int, low: int, high: int, label: str) -> int:
    value = body.get(name)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise FieldError(name, f"{label}应为整数") from None
    if not low <= number <= high:
        raise FieldError(name, f"{label}应在{low}到{high}之间")
    return number


def perform(actor: User, number: str, action: str, body: dict[str, Any]) -> DisclosureRequest:
    """Run `action` on the request: the single entry of the actions route."""
    if action not in Action.values:
        raise FieldError("action", "未知操作：" + action)
    with transaction.atomic():
        req = DisclosureRequest.objects.select_for_update().get(number=number)
        if action in REQUESTER_ACTIONS:
            if req.requester_id != actor.pk:
                raise PermissionDenied("只有申请人本人可以办理此操作")
        elif not permissions.may_handle(actor, req):
            raise PermissionDenied("只有承办部门的工作人员可以办理此操作")
        handler = _HANDLERS[action]
        on = _today()
        handler(actor, req, body, on)
        req.lock_version += 1
        req.save()
        audit.record(
            f"disclosure.request.{action}",
            obj=req,
            subject_id=req.requester_id,
            data={"number": req.number, "state": req.state, "deadline": str(req.deadline or "")},
        )
    return req


def _state(req: DisclosureRequest, *allowed: str) -> None:
    if req.state not in allowed:
        raise Conflict(f"申请当前状态为“{State(req.state).label}”，不能办理此操作")


def _request_correction(actor, req, body, on) -> None:
    """R15: once, within 7 working days of receipt; the clock stops until the correction."""
    _state(req, State.PROCESSING)
    if req.correction_used:
        raise Conflict("补正只能告知一次（R15）")
    if working_days_between(req.received_on, on) > CORRECTION_WINDOW_DAYS:
        raise Conflict(f"应在收到申请之日起{CORRECTION_WINDOW_DAYS}个工作日内一次性告知补正（R15）")
    _require(body, "reason")
    days = _int(body, "days", 10, 1, 30, "补正期限（工作日）")
    req.state, req.correction_used = State.CORRECTION, True
    req.correction_text = str(body["reason"])[:MAX_TEXT]
    req.correction_due = _due(on, days)
    req.deadline = None
    _event(req, actor, Action.REQUEST_CORRECTION, clocks.PAUSE, on, req.correction_text,
           due=str(req.correction_due or ""))


def _submit_correction(actor, req, body, on) -> None:
    """R15: the 20 working days restart from the day the correction is received."""
    _state(req, State.CORRECTION)
    _require(body, "content")
    req.content = (req.content + "\n【补正】" + str(body["content"]).strip())[: MAX_TEXT * 2]
    req.state = State.PROCESSING
    _event(req, actor, Action.SUBMIT_CORRECTION, clocks.RESTART, on, str(body["content"])[:MAX_TEXT])
    _refresh_deadline(req, on)


def _consult_third_party(actor, req, body, on) -> None:
    """R16: the third party's time (≤ 15 working days) is not counted."""
    _state(req, State.PROCESSING)
    _require(body, "third_party")
    days = _int(body, "days", THIRD_PARTY_DAYS, 1, THIRD_PARTY_DAYS, "第三方答复期限（工作日）")
    req.state, req.third_party = State.THIRD_PARTY, str(body["third_party"])[:200]
    req.deadline = None
    _event(
        req,
        actor,
        Action.CONSULT_THIRD_PARTY,
        clocks.PAUSE,
        on,
        req.third_party,
        due=str(_due(on, days) or ""),
        days=days,
    )


def _third_party_replied(actor, req, body, on) -> None:
    _state(req, State.THIRD_PARTY)
    pause = req.events.filter(action=Action.CONSULT_THIRD_PARTY).last()
    days = (pause.data or {}).get("days", THIRD_PARTY_DAYS) if pause else THIRD_PARTY_DAYS
    cap = (_due(pause.on, days) or on) if pause else on
    resume_on = min(on, cap)  # beyond the third party's period the days count again (R16)
    req.state = State.PROCESSING
    _event(req, actor, Action.THIRD_PARTY_REPLIED, clocks.RESUME, resume_on, str(body.get("reason") or "")[:MAX_TEXT])
    _refresh_deadline(req, on)


def _extend(actor, req, body, on) -> None:
    """R14: once, at most 20 working days, the requester told."""
    _state(req, State.PROCESSING, State.THIRD_PARTY, State.FEE_PENDING)
    if req.extension_days:
        raise Conflict("答复期限只能延长一次（R14）")
    _require(body, "reason")
    days = _int(body, "days", MAX_EXTENSION_DAYS, 1, MAX_EXTENSION_DAYS, "延长期限（工作日）")
    req.extension_days = days
    _event(req, actor, Action.EXTEND, "", on, str(body["reason"])[:MAX_TEXT], days=days)
    if req.state == State.PROCESSING:
        _refresh_deadline(req, on)
    letters.tell_requester(
        req,
        "答复期限延长",
        f"您的政府信息公开申请（{req.number}）答复期限延长{days}个工作日。理由：{str(body['reason'])[:200]}",
    )


def _fee_notice(actor, req, body, on) -> None:
    """R19: only past the thresholds; the clock pauses until paid."""
    _state(req, State.PROCESSING)
    monthly, page_limit = _fee_thresholds()
    month_start = on.replace(day=1)
    count = DisclosureRequest.objects.filter(requester_id=req.requester_id, received_on__gte=month_start).count()
    pages = _int(body, "pages", req.pages, 0, 1_000_000, "页数")
    if count <= monthly and pages <= page_limit:
        raise Conflict(f"未超过收费标准：本月申请{count}件（标准{monthly}件），{pages}页（标准{page_limit}页）")
    _require(body, "amount")
    try:
        amount = Decimal(str(body["amount"]))
    except InvalidOperation:
        raise FieldError("amount", "金额应为数字") from None
    if amount <= 0 or amount > Decimal("100000"):
        raise FieldError("amount", "金额应大于0且不超过100000元")
    req.state, req.fee_amount, req.pages = State.FEE_PENDING, amount, pages
    req.fee_due = _due(on, FEE_PAYMENT_DAYS)
    req.deadline = None
    _event(req, actor, Action.FEE_NOTICE, clocks.PAUSE, on, f"信息处理费{amount}元", due=str(req.fee_due or ""))
    letters.tell_requester(
        req,
        "信息处理费缴费通知",
        f"您的申请（{req.number}）需缴纳信息处理费{amount}元，请于{req.fee_due}前缴纳，逾期视为放弃申请。",
    )


def _fee_paid(actor, req, body, on) -> None:
    _state(req, State.FEE_PENDING)
    req.state = State.PROCESSING
    _event(req, actor, Action.FEE_PAID, clocks.RESUME, on, "已缴纳信息处理费")
    _refresh_deadline(req, on)


def _reply(actor, req, body, on) -> None:
    """R17: the reply type (with the reason category where the type needs one) and the letter."""
    _state(req, State.PROCESSING)
    _require(body, "reply_type", "text")
    reply_type = str(body["reply_type"])
    if reply_type not in ReplyType.values:
        raise FieldError("reply_type", "答复类型应为：" + "、".join(ReplyType.values))
    reasons = REASONS.get(reply_type)
    reason = str(body.get("reason_category") or "")
    if reasons and reason not in reasons:
        raise FieldError("reason_category", "请选择理由类别：" + "、".join(f"{k}（{v}）" for k, v in reasons.items()))
    req.state, req.reply_type, req.reply_reason = State.REPLIED, reply_type, reason if reasons else ""
    req.reply_text, req.replied_on = str(body["text"])[: MAX_TEXT * 2], on
    _event(req, actor, Action.REPLY, clocks.STOP, on, ReplyType(reply_type).label)
    req.reply_pdf = letters.reply_letter(req)
    letters.tell_requester(
        req, "政府信息公开申请答复书", f"您的申请（{req.number}）已答复：{ReplyType(reply_type).label}。", attach=True
    )


def _archive(actor, req, body, on) -> None:
    _state(req, State.REPLIED, State.WITHDRAWN)
    files = {
        "request.json": json.dumps(
            {"number": req.number, "content": req.content, "received_on": str(req.received_on)}, ensure_ascii=False
        ).encode(),
        "events.json": json.dumps(
            [[e.action, str(e.on), e.note] for e in req.events.all()], ensure_ascii=False
        ).encode(),
    }
    if req.reply_pdf:
        files["reply.pdf"] = bytes(req.reply_pdf)
    req.manifest = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    req.state = State.ARCHIVED
    _event(req, actor, Action.ARCHIVE, "", on, "归档", manifest=req.manifest)


def _withdraw(actor, req, body, on) -> None:
    _state(req, *OPEN_STATES)
    req.state = State.WITHDRAWN
    _event(req, actor, Action.WITHDRAW, clocks.STOP, on, str(body.get("reason") or "申请人撤回")[:MAX_TEXT])


_HANDLERS = {
    Action.REQUEST_CORRECTION: _request_correction,
    Action.SUBMIT_CORRECTION: _submit_correction,
    Action.CONSULT_THIRD_PARTY: _consult_third_party,
    Action.THIRD_PARTY_REPLIED: _third_party_replied,
    Action.EXTEND: _extend,
    Action.FEE_NOTICE: _fee_notice,
    Action.FEE_PAID: _fee_paid,
    Action.REPLY: _reply,
    Action.ARCHIVE: _archive,
    Action.WITHDRAW: _withdraw,
}


def expire_overdue(on: dt.date | None = None) -> int:
    """R15/R19 by the clock: no correction by the date set → withdrawn; fee unpaid after 20
    working days → not processed. Run daily by the worker."""
    on = on or _today()
    done = 0
    with transaction.atomic():
        for req in DisclosureRequest.objects.select_for_update().filter(state=State.CORRECTION, correction_due__lt=on):
            req.state = State.WITHDRAWN
            _event(req, None, "correction-expired", clocks.STOP, on, "逾期未补正，视为放弃申请（R15）")
            req.save(update_fields=["state"])
            done += 1
        for req in DisclosureRequest.objects.select_for_update().filter(state=State.FEE_PENDING, fee_due__lt=on):
            req.state, req.reply_type, req.reply_reason = State.REPLIED, ReplyType.NOT_PROCESSED, "fee_unpaid"
            req.replied_on = on
            _event(req, None, "fee-expired", clocks.STOP, on, "逾期未缴纳信息处理费，不再处理（R19）")
            req.save(update_fields=["state", "reply_type", "reply_reason", "replied_on"])
            done += 1
        audit.record("disclosure.request.expire", data={"count": done, "on": str(on)})
    return done
