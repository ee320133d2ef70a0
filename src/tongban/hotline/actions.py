"""The only write path of hotline. Every public function runs in one transaction with its
audit record; state changes lock the ticket row (select_for_update) and check its state, so
two officers at once end with one outcome and the other gets 409."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tongban.core import audit
from tongban.core.calendar import working_days_between
from tongban.core.errors import Conflict, FieldError, NotFound
from tongban.identity.models import Department
from tongban.identity.scoping import grants_of
from tongban.identity.sms import get_backend

from . import deadlines, duplicates, intake, knowledge, permissions, quality, routing, urging_actions
from .constants import OPEN_STATUSES, Category, Channel, ResultType, Status
from .deadlines import TZ
from .models import CallbackLink, CoDepartment, Open311Client, Subject, Ticket, TicketStep
from .places import describe
from .taxonomy import ensure_loaded

MIN_REPLY = 10


def _now() -> dt.datetime:
    return timezone.now()


def _step(ticket: Ticket, action: str, actor: Any, note: str = "", **data: Any) -> None:
    dept = ticket.department if action not in {"filed"} else None
    TicketStep.objects.create(ticket=ticket, action=action, actor=actor if getattr(actor, "pk", None) else None,
                              department=dept, note=note[:2000], data=data, at=_now())


def _sms(ticket: Ticket, text: str) -> None:
    if ticket.caller_phone:
        get_backend().send(ticket.caller_phone, f"【大连12345】工单{ticket.number}：{text}")


def _may_file(actor: Any, channel: str) -> str:
    """The channel the actor may use: operators any, citizens web/mobile."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied
    if permissions.is_operator(actor):
        return channel
    if grants_of(actor):
        raise PermissionDenied  # other staff file through the centre
    return channel if channel in (Channel.WEB, Channel.MOBILE) else Channel.WEB


@transaction.atomic
def file_ticket(actor: Any, data: dict[str, Any], *, source: str = "") -> tuple[Ticket, dict]:
    """File a ticket; returns it and the intake answer (suggestion, duplicates, secret).
    `source` names a machine channel that authenticated itself (an Open311 app, the webhook)."""
    if not source:
        data = {**data, "channel": _may_file(actor, data.get("channel") or Channel.PHONE)}
    clean = intake.validate(data)
    article_version = None
    if data.get("article") not in (None, ""):
        article_version = knowledge.answerable(data.get("article"))
        errors = []
        if article_version is None:
            errors.append(("article", "该知识库文章不存在、未发布或已过有效期，不能用于答复"))
        if clean["category"] and clean["category"] != Category.CONSULT:
            errors.append(("category", "只有咨询类诉求可以直接用知识库答复办结（R24）"))
        if errors:
            raise FieldError(errors=errors)
    ensure_loaded()
    region = intake.refine_region(clean["region"], clean["text"], clean["address"])
    suggestion = routing.suggest(clean["text"], region)
    category = Category.CONSULT if article_version else (clean["category"] or suggestion.category)
    threshold = routing.threshold()
    department = routing.department_for(suggestion.kind, region) if suggestion.kind_confidence >= threshold else None
    subject = Subject.objects.filter(pk=suggestion.subject).first() if suggestion.subject else None
    now = _now()
    policy = deadlines.current_policy()
    plan = [deadlines.filing_term(category, clean["urgent"], now, policy)]
    deadline = deadlines.evaluate(plan)  # None: pending until the year's calendar is entered (R5)
    phone = clean["phone"]
    caller_user = None
    if actor is not None and not grants_of(actor) and getattr(actor, "is_authenticated", False):
        caller_user = actor
        if not phone:
            try:
                phone = intake.normalise_phone(getattr(actor, "phone", "") or "")
            except FieldError:
                phone = ""  # an account's old, unparseable number: the ticket is tracked in the account
    secret = ""
    if category == Category.REPORT and (clean["anonymous"] or not phone):
        secret = intake.new_secret()
    ticket = Ticket.objects.create(
        number=intake.next_number(now), channel=clean["channel"], category=category, urgent=clean["urgent"],
        subject=subject, text=clean["text"], address=clean["address"], region=region,
        places=describe(clean["text"], clean["address"]), latitude=clean["latitude"], longitude=clean["longitude"],
        caller_name="" if secret else clean["name"], caller_phone="" if secret else phone, caller_user=caller_user,
        tracking_secret_hash=Ticket.hash_secret(secret) if secret else "",
        filed_by=actor if getattr(actor, "pk", None) else None, filed_at=now,
        deadline=deadline, deadline_plan=plan, policy=policy, first_deadline=deadline,
        suggestion={**suggestion.as_dict(), "department": department.pk if department else None},
    )
    found = [] if article_version else duplicates.find(ticket, suggestion.kind)
    if found:
        best = found[0][0]
        ticket.master_id = best.master_id or best.pk
        ticket.save(update_fields=["master"])
    _step(ticket, "filed", actor, data={"channel": ticket.channel, "source": source})
    audit.record("hotline.ticket.filed", obj=ticket, actor=actor if getattr(actor, "pk", None) else None,
                 data={"number": ticket.number, "category": category, "channel": ticket.channel})
    if article_version is not None:
        _answer_from_article(ticket, article_version, actor)
    answer = {
        "number": ticket.number,
        "category": category,
        "suggested_department": ({"id": department.pk, "name": department.name,
                                  "confidence": round(suggestion.kind_confidence, 3), "source": suggestion.source}
                                 if department else None),
        "duplicates": [row.number for row, _ in found],
        "deadline": ticket.deadline.astimezone(TZ).isoformat() if ticket.deadline else None,  # None: pending (R5)
    }
    if secret:
        answer["tracking_secret"] = secret
    if article_version is not None:
        answer.update(status=ticket.status, article={"id": article_version.article_id,
                                                     "version": article_version.number})
    return ticket, answer


def _answer_from_article(ticket: Ticket, version: Any, actor: Any) -> None:
    """R24: a 咨询 answered at once from the knowledge base closes now, keeps the version, and
    the answer is texted to the caller."""
    now = _now()
    ticket.article_version = version
    ticket.reply_text, ticket.result_type, ticket.replied_at = version.answer, ResultType.RESOLVED, now
    ticket.status, ticket.closed_at = Status.CLOSED, now
    ticket.save()
    _step(ticket, "answered-from-knowledge", actor, data={"article": version.article_id, "version": version.number})
    _sms(ticket, f"您的咨询已答复：{version.answer[:300]}")
    _offer_callback(ticket)


# --- workflow ------------------------------------------------------------------------------------

def _locked(actor: Any, number: str, action: str) -> Ticket:
    if action not in permissions.ACTIONS:
        raise NotFound("没有这个操作")
    if not permissions.is_staff_reader(actor):
        raise PermissionDenied
    ticket = Ticket.objects.visible_to(actor).select_for_update().filter(number=number).first()
    if ticket is None:
        raise NotFound("未找到该工单")
    if not permissions.may_act(actor, action, ticket):
        if action in permissions.DEPARTMENT_ACTIONS:
            raise NotFound("未找到该工单")
        raise PermissionDenied
    return ticket


def _need(ticket: Ticket, *states: str, why: str) -> None:
    if ticket.status not in states:
        raise Conflict(f"工单当前状态为“{ticket.get_status_display()}”，{why}")


def _department(body: dict, field: str = "department", default: str | None = None) -> Department:
    dept_id = body.get(field) or default
    dept = Department.objects.filter(pk=dept_id).first() if dept_id else None
    if dept is None:
        raise FieldError(field, "请指定有效的承办部门")
    return dept


def _dispatch(ticket: Ticket, actor: Any, body: dict) -> None:
    _need(ticket, Status.NEW, why="只能派发待派单的工单")
    ticket.department = _department(body, default=(ticket.suggestion or {}).get("department"))
    ticket.status, ticket.dispatched_at = Status.DISPATCHED, _now()
    _sms(ticket, f"已转{ticket.department.name}办理")


def _reroute(ticket: Ticket, actor: Any, body: dict) -> None:
    _need(ticket, Status.RETURNED, Status.DISPATCHED, Status.SIGNED, why="不能改派")
    dept = _department(body)
    if dept.pk == ticket.department_id:
        raise FieldError("department", "改派部门与当前承办部门相同")
    ticket.last_department = ticket.department or ticket.last_department
    ticket.department, ticket.status, ticket.dispatched_at = dept, Status.DISPATCHED, _now()


def _sign(ticket: Ticket, actor: Any, body: dict) -> None:
    _need(ticket, Status.DISPATCHED, why="不能签收")
    ticket.status = Status.SIGNED


def _return(ticket: Ticket, actor: Any, body: dict) -> None:
    _need(ticket, Status.DISPATCHED, Status.SIGNED, why="不能退回")
    reason = (body.get("reason") or "").strip()
    if not reason:
        raise FieldError("reason", "退回须说明理由")
    if ticket.returned_count >= 1:
        raise Conflict("该工单已退回过一次，不能再次退回（R24）；如有争议请申请中心仲裁")
    limit = int(ticket.policy.get("return_working_days", 1))
    received = (ticket.dispatched_at or ticket.filed_at).astimezone(TZ).date()
    if working_days_between(received, _now().astimezone(TZ).date()) > limit:
        raise Conflict(f"退回须在派单后{limit}个工作日内提出，已超过期限（R24）")
    ticket.returned_count += 1
    ticket.last_department = ticket.department
    ticket.status = Status.RETURNED


def _request_extension(ticket: Ticket, actor: Any, body: dict) -> None:
    _need(ticket, Status.DISPATCHED, Status.SIGNED, why="不能申请延期")
    reason, days = (body.get("reason") or "").strip(), body.get("days")
    errors = []
    if not reason:
        errors.append(("reason", "延期须说明理由"))
    if not isinstance(days, int) or not 1 <= days <= 30:
        errors.append(("days", "延期天数应为1至30个工作日"))
    if errors:
        raise FieldError(errors=errors)
    if ticket.deadline is not None and _now() > ticket.deadline:
        raise Conflict("已超过办理时限，不能再申请延期")
    if ticket.extension_requested:
        raise Conflict("已有待审核的延期申请")
    ticket.extension_requested = {"days": days, "reason": reason}


def _decide_extension(ticket: Ticket, actor: Any, body: dict) -> None:
    if not ticket.extension_requested:
        raise Conflict("没有待审核的延期申请")
    approve = body.get("approve")
    if not isinstance(approve, bool):
        raise FieldError("approve", "请选择同意（true）或不同意（false）")
    if approve:
        deadlines.push(ticket, {"extend": int(ticket.extension_requested["days"])})
    ticket.extension_requested = None


def _urge(ticket: Ticket, actor: Any, body: dict) -> None:
    """催办 / 督办 / 通报 with a reason and a reply deadline for the holding department (urging_actions)."""
    urging_actions.urge_ticket(ticket, body.get("level"), body.get("reason"), actor)


def _co_waiting(ticket: Ticket) -> None:
    """联办: the lead consolidates only when every co-department has answered (409 naming the rest)."""
    waiting = list(ticket.co_departments.filter(replied_at__isnull=True).order_by("added_at", "id")
                   .values_list("department__name", flat=True))
    if waiting:
        raise Conflict(f"联办部门尚未答复：{'、'.join(waiting)}。全部联办部门答复后，牵头部门方可汇总答复办结")


def _reply(ticket: Ticket, actor: Any, body: dict) -> None:
    _need(ticket, Status.DISPATCHED, Status.SIGNED, why="不能答复")
    _co_waiting(ticket)
    text, result = (body.get("reply") or body.get("text") or "").strip(), body.get("result_type") or ""
    errors = []
    if not text:
        errors.append(("reply", "答复内容不能为空"))
    elif len(text) > 4000:
        errors.append(("reply", "答复内容不能超过4000字"))
    if result not in ResultType.values:
        errors.append(("result_type", "请选择办理结果：resolved、partial、unresolved 或 unfounded"))
    if errors:
        raise FieldError(errors=errors)
    ticket.reply_text, ticket.result_type, ticket.replied_at = text, result, _now()
    ticket.reply_flags = quality.check(ticket.text, text)
    ticket.status = Status.REPLIED


def _offer_callback(ticket: Ticket) -> str:
    """R25: a closed ticket's callback task; a caller with a phone also gets a one-time SMS link
    (the token is kept hashed, one per closure). Returns the token ("" without a phone)."""
    if not ticket.caller_phone:
        return ""
    import secrets

    from django.conf import settings

    token = secrets.token_urlsafe(24)
    days = int(getattr(settings, "TONGBAN_HOTLINE_CALLBACK_LINK_DAYS", 7))
    CallbackLink.objects.create(ticket=ticket, token_hash=CallbackLink.hash(token), closure=ticket.reopened_count,
                                expires_at=_now() + dt.timedelta(days=days))
    base = getattr(settings, "TONGBAN_BASE_URL", "").rstrip("/")
    _sms(ticket, f"请对办理结果评价（{days}天内有效）：{base}/hotline/callback/{token}")
    return token


def _close(ticket: Ticket) -> None:
    ticket.status, ticket.closed_at = Status.CLOSED, _now()
    message = f"已办结。答复：{ticket.reply_text[:200]}"
    _sms(ticket, message)
    _offer_callback(ticket)
    for dup in ticket.duplicates.select_for_update().filter(status__in=OPEN_STATUSES):
        dup.reply_text, dup.result_type, dup.replied_at = ticket.reply_text, ticket.result_type, ticket.replied_at
        dup.status, dup.closed_at = Status.CLOSED, ticket.closed_at
        dup.save(update_fields=["reply_text", "result_type", "replied_at", "status", "closed_at", "updated_at"])
        _step(dup, "closed-with-master", None, data={"master": ticket.number})
        _sms(dup, message)
        _offer_callback(dup)


def _accept_reply(ticket: Ticket, actor: Any, body: dict) -> None:
    _need(ticket, Status.REPLIED, why="没有待审核的答复")
    _co_waiting(ticket)
    _close(ticket)


def _send_back(ticket: Ticket, actor: Any, body: dict) -> None:
    _need(ticket, Status.REPLIED, why="没有待审核的答复")
    if not (body.get("reason") or "").strip():
        raise FieldError("reason", "退回重办须说明理由")
    ticket.status = Status.SIGNED


def _callback(ticket: Ticket, actor: Any, body: dict) -> None:
    _need(ticket, Status.CLOSED, why="办结后才能回访")
    if ticket.callback and ticket.callback.get("done_at_reopen") == ticket.reopened_count:
        raise Conflict("本次办结已回访")
    if body.get("unreachable"):
        ticket.callback = {"unreachable": True, "done_at_reopen": ticket.reopened_count}
        return
    level, resolved = body.get("level"), body.get("resolved")
    errors = []
    if not isinstance(level, int) or not 1 <= level <= 5:
        errors.append(("level", "满意度应为1至5（R26）"))
    if not isinstance(resolved, bool):
        errors.append(("resolved", "请说明问题是否解决（true/false）"))
    if errors:
        raise FieldError(errors=errors)
    ticket.callback = {"level": level, "resolved": resolved, "comment": (body.get("comment") or "")[:500],
                       "done_at_reopen": ticket.reopened_count}
    unsatisfied = level <= 2 or not resolved
    if not unsatisfied:
        return
    target = ticket.master if ticket.master_id and ticket.master.status == Status.CLOSED else ticket
    if target.reopened_count >= 1:
        ticket.escalated = True  # R25: a second dissatisfaction goes to supervision
        return
    if target is not ticket:
        target = Ticket.objects.select_for_update().get(pk=target.pk)
        _reopen(target)
        target.save()
        _step(target, "reopened-by-duplicate", actor, data={"duplicate": ticket.number})
        return
    _reopen(ticket)


def _reopen(ticket: Ticket) -> None:
    """R25: once, to the last department, with a new deadline (the filing clock is kept)."""
    ticket.reopened_count += 1
    ticket.department = ticket.department or ticket.last_department
    ticket.status, ticket.dispatched_at = Status.DISPATCHED, _now()
    days = int(ticket.policy.get("working_days", {}).get(ticket.category, 5))
    deadlines.push(ticket, {"from": _now().isoformat(), "days": days})
    ticket.closed_at = None


def _link(ticket: Ticket, actor: Any, body: dict) -> None:
    master = Ticket.objects.filter(number=body.get("master") or "").first()
    if master is None or master.pk == ticket.pk:
        raise FieldError("master", "请指定另一张有效的主工单编号")
    ticket.master = master.master or master


def _unlink(ticket: Ticket, actor: Any, body: dict) -> None:
    if not ticket.master_id:
        raise Conflict("该工单未关联主工单")
    ticket.master = None


HANDLERS = {
    "dispatch": _dispatch, "reroute": _reroute, "sign": _sign, "return": _return,
    "request-extension": _request_extension, "decide-extension": _decide_extension, "urge": _urge,
    "reply": _reply, "accept-reply": _accept_reply, "send-back": _send_back, "callback": _callback,
    "link-duplicate": _link, "unlink": _unlink,
}


@transaction.atomic
def perform(actor: Any, number: str, action: str, body: dict[str, Any]) -> Ticket:
    """One workflow action on a ticket (see HANDLERS)."""
    ticket = _locked(actor, number, action)
    HANDLERS[action](ticket, actor, body)
    ticket.save()
    _step(ticket, action, actor, note=str(body.get("reason") or body.get("reply") or body.get("comment") or ""),
          **{k: v for k, v in body.items() if k in ("department", "level", "days", "approve", "result_type", "master")})
    audit.record(f"hotline.ticket.{action}", obj=ticket, data={"number": ticket.number})
    return ticket


def _citizen_callback(ticket: Ticket, body: dict[str, Any], via: str) -> Ticket:
    body = {k: body.get(k) for k in ("level", "resolved", "comment")}
    _callback(ticket, None, body)
    ticket.save()
    _step(ticket, "callback", None, note=str(body.get("comment") or ""), level=body.get("level"), via=via)
    audit.record("hotline.ticket.callback", obj=ticket, actor=None, data={"number": ticket.number, "via": via})
    return ticket


@transaction.atomic
def callback_by_link(token: str, body: dict[str, Any]) -> Ticket:
    """The caller rates through the one-time SMS link (R25, R26). A used, expired or superseded
    link (the ticket was reopened and closed again since) is refused with 409."""
    link = (CallbackLink.objects.select_for_update().select_related("ticket")
            .filter(token_hash=CallbackLink.hash(token or "")).first())
    if link is None:
        raise NotFound("回访链接无效")
    if link.used_at is not None:
        raise Conflict("该回访链接已使用过，感谢您的评价")
    if link.expires_at < _now():
        raise Conflict("该回访链接已过期，如需反映问题请拨打12345")
    ticket = Ticket.objects.select_for_update().get(pk=link.ticket_id)
    if ticket.status != Status.CLOSED or ticket.reopened_count != link.closure:
        raise Conflict("该工单已重新办理，本链接已失效；办结后将另发回访短信")
    _citizen_callback(ticket, body, "sms-link")
    link.used_at = _now()
    link.save(update_fields=["used_at"])
    return ticket


@transaction.atomic
def callback_by_caller(number: str, phone_last4: str, secret: str, body: dict[str, Any], who: str = "") -> Ticket:
    """The caller rates on the tracking page (anonymous reporters with their secret)."""
    from . import selectors

    found = selectors.track(number, phone_last4, secret, who=who)
    ticket = Ticket.objects.select_for_update().get(pk=found.pk)
    _need(ticket, Status.CLOSED, why="办结后才能评价")
    return _citizen_callback(ticket, body, "tracking-page")


@transaction.atomic
def fill_pending_deadlines() -> list[str]:
    """R5: a deadline left pending because its year's working-day calendar was not entered is
    computed from the ticket's kept terms once an administrator has entered the year (the
    hourly job). Touches `updated_at`, so the statistics recount those filing days. Returns the
    numbers filled."""
    filled = []
    rows = (Ticket.objects.select_for_update().filter(Q(deadline__isnull=True) | Q(first_deadline__isnull=True))
            .only("pk", "number", "deadline", "first_deadline", "deadline_plan", "department"))
    for ticket in rows:
        plan = ticket.deadline_plan or []
        deadline = ticket.deadline or deadlines.evaluate(plan)
        first = ticket.first_deadline or deadlines.evaluate(plan[:1])
        if (deadline, first) == (ticket.deadline, ticket.first_deadline):
            continue
        Ticket.objects.filter(pk=ticket.pk).update(deadline=deadline, first_deadline=first, updated_at=_now())
        _step(ticket, "deadline-filled", None, data={"deadline": deadline.isoformat() if deadline else None})
        filled.append(ticket.number)
    if filled:
        audit.record("hotline.ticket.deadlines_filled", actor=None, data={"numbers": filled[:1000],
                                                                         "count": len(filled)})
    return filled


MAX_ATTACHMENTS = 9
ATTACHMENT_KINDS = ("jpg", "png", "pdf")


def attach_files(actor: Any, number: str, files: list[Any]) -> tuple[list[Any], list[tuple[str, str]]]:
    """Attach photos or PDFs to a ticket (staff in scope, or its own caller while it is open).
    Each file is typed by its content (`core.uploads.store`); a refused file is named in the
    errors and the rest are kept. Returns (attachments written, [(file name, reason)])."""
    from django.core.files.storage import default_storage

    from tongban.core import uploads

    from .models import TicketAttachment

    ticket = _attachable(actor, number)
    if not files:
        raise FieldError("files", "请选择要上传的文件")
    room = MAX_ATTACHMENTS - ticket.attachments.count()
    stored, errors = [], []
    for index, upload in enumerate(files):
        name = uploads.safe_display_name(getattr(upload, "name", "") or f"文件{index + 1}")
        if len(stored) >= room:
            errors.append((name, f"每张工单最多{MAX_ATTACHMENTS}个附件，此文件未保存"))
            continue
        try:
            stored.append(uploads.store(upload, field=name, prefix=f"hotline/{ticket.number}",
                                        allowed=ATTACHMENT_KINDS))
        except FieldError as exc:
            errors.extend((name, message) for _, message in exc.errors)
    rows = []
    try:
        with transaction.atomic():
            locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
            for f in stored:
                rows.append(TicketAttachment.objects.create(
                    ticket=locked, storage_name=f.name, kind=f.kind, content_type=f.content_type, size=f.size,
                    sha256=f.sha256, original_name=f.original_name[:255],
                    uploaded_by=actor if getattr(actor, "pk", None) else None, uploaded_at=_now()))
            if rows:
                _step(locked, "attached", actor, data={"files": [r.original_name for r in rows]})
                audit.record("hotline.ticket.attached", obj=locked, actor=actor,
                             data={"number": locked.number, "files": [[r.kind, r.size, r.sha256] for r in rows]})
    except BaseException:
        for f in stored:  # nothing half-written: no row, no file
            default_storage.delete(f.name)
        raise
    return rows, errors


def _attachable(actor: Any, number: str) -> Ticket:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied
    ticket = None
    if permissions.is_staff_reader(actor):
        ticket = Ticket.objects.visible_to(actor).filter(number=number).first()
    if ticket is None:
        ticket = Ticket.objects.filter(number=number, caller_user=actor).first()
        if ticket is not None and ticket.status not in OPEN_STATUSES:
            raise Conflict("工单已办结，不能再补充附件")
    if ticket is None:
        raise NotFound("未找到该工单")
    return ticket


@transaction.atomic
def register_open311_client(name: str, key: str) -> Open311Client:
    """Register an application for Open311 POST (the key is kept hashed)."""
    client, _ = Open311Client.objects.update_or_create(name=name, defaults={"key_hash": Open311Client.hash_key(key)})
    audit.record("hotline.open311.client", obj=client, actor=None, data={"name": name})
    return client


@transaction.atomic
def load_taxonomy() -> int:
    """Write the default taxonomy's missing leaves (demo, tests, on first intake)."""
    written = ensure_loaded()
    audit.record("hotline.taxonomy.loaded", actor=None, data={"written": written})
    return written



# --- 联办 (co-departments) -------------------------------------------------------------------------

CO_HOLDING = (Status.DISPATCHED, Status.SIGNED)


def _visible_locked(actor: Any, number: str) -> Ticket:
    if not permissions.is_staff_reader(actor):
        raise PermissionDenied
    ticket = (Ticket.objects.visible_to(actor).select_for_update(of=("self",)).select_related("department")
              .filter(number=number).first())
    if ticket is None:
        raise NotFound("未找到该工单")
    return ticket


def _co_step(ticket: Ticket, action: str, actor: Any, department: Department, note: str) -> None:
    TicketStep.objects.create(ticket=ticket, action=action, actor=actor if getattr(actor, "pk", None) else None,
                              department=department, note=note[:2000], data={"department": department.pk}, at=_now())


@transaction.atomic
def add_co_department(actor: Any, number: str, body: dict[str, Any]) -> CoDepartment:
    """联办: the centre or the lead department adds a co-handling department with a reason while
    the lead holds the ticket. Its staff then see the ticket and answer their part once."""
    ticket = _visible_locked(actor, number)
    if not permissions.may_add_co_department(actor, ticket):
        raise PermissionDenied("只有12345中心或牵头部门可以增加联办部门")
    dept_id, reason = body.get("department") or "", body.get("reason")
    reason = reason.strip() if isinstance(reason, str) else ""
    dept = Department.objects.filter(pk=str(dept_id)[:40]).first() if dept_id else None
    errors = []
    if dept is None:
        errors.append(("department", "请指定有效的联办部门"))
    elif dept.pk == ticket.department_id:
        errors.append(("department", "联办部门不能是牵头（承办）部门本身"))
    if not reason:
        errors.append(("reason", "增加联办部门须说明理由"))
    elif len(reason) > 2000:
        errors.append(("reason", "联办事由不能超过2000字"))
    if errors:
        raise FieldError(errors=errors)
    _need(ticket, *CO_HOLDING, why="只有牵头部门办理中的工单可以增加联办部门")
    if ticket.co_departments.filter(department=dept).exists():
        raise Conflict(f"{dept.name}已是该工单的联办部门")
    co = CoDepartment.objects.create(ticket=ticket, department=dept, reason=reason,
                                     added_by=actor if getattr(actor, "pk", None) else None, added_at=_now())
    ticket.save(update_fields=["updated_at"])
    _co_step(ticket, "add-co-department", actor, dept, reason)
    audit.record("hotline.ticket.co-department-added", obj=ticket, actor=actor,
                 data={"number": ticket.number, "department": dept.pk, "lead": ticket.department_id})
    from tongban.identity.actions import deliver
    from tongban.identity.constants import DEPARTMENT_ROLES
    from tongban.identity.models import StaffRole

    for role in StaffRole.objects.filter(department=dept, role__in=DEPARTMENT_ROLES).select_related("user"):
        deliver(role.user, kind="hotline.co-department", title=f"【联办】工单{ticket.number}",
                body=f"牵头部门：{ticket.department.name if ticket.department_id else '—'}。事由：{reason[:200]}",
                link=f"/hotline/tickets/{ticket.number}/")
    return co


@transaction.atomic
def co_reply(actor: Any, number: str, department_id: str, body: dict[str, Any]) -> CoDepartment:
    """联办: a co-department answers its part, once, while the lead still holds the ticket."""
    ticket = _visible_locked(actor, number)
    co = (ticket.co_departments.select_for_update(of=("self",)).select_related("department")
          .filter(department_id=str(department_id)[:40]).first())
    if co is None:
        raise NotFound("该工单没有这个联办部门")
    if not permissions.may_reply_as_co_department(actor, co):
        raise PermissionDenied("联办答复须由该联办部门作出")
    text = body.get("reply") or body.get("text")
    text = text.strip() if isinstance(text, str) else ""
    if not text:
        raise FieldError("reply", "联办答复不能为空")
    if len(text) > 4000:
        raise FieldError("reply", "联办答复不能超过4000字")
    if co.replied_at is not None:
        raise Conflict(f"{co.department.name}已就本工单作出联办答复")
    _need(ticket, *CO_HOLDING, why="牵头部门已答复或工单已办结，不能再作联办答复")
    co.reply_text, co.replied_at = text, _now()
    co.replied_by = actor if getattr(actor, "pk", None) else None
    co.save(update_fields=["reply_text", "replied_at", "replied_by"])
    ticket.save(update_fields=["updated_at"])
    _co_step(ticket, "co-reply", actor, co.department, text)
    audit.record("hotline.ticket.co-reply", obj=ticket, actor=actor,
                 data={"number": ticket.number, "department": co.department_id})
    return co
