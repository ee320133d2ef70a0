"""Reads of hotline: the staff queue, the full ticket for staff in scope, the masked public
view for tracking (number + last four phone digits, or the anonymous reporter's secret)."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import F

from tongban.core import audit
from tongban.core.errors import NotFound
from tongban.core.masking import mask_name, mask_phone

from . import permissions
from .deadlines import TZ
from .models import Ticket

TRACK_LIMIT = 5  # wrong attempts per caller and number in TRACK_WINDOW seconds, then 429
TRACK_WINDOW = 600


def _iso(value: Any) -> str | None:
    return value.astimezone(TZ).isoformat() if value else None


@audit.scoped_lookup("可见工单的查询集：行由 list_row 展示，不含来电人信息")
def queue(user: Any, status: str = "") -> Any:
    if not permissions.is_staff_reader(user):
        raise PermissionDenied
    rows = Ticket.objects.visible_to(user).select_related("department", "subject", "region", "master")
    if status:
        rows = rows.filter(status=status)
    # a pending deadline (R5: its year's calendar not entered yet) lies beyond every known one
    return rows.order_by(F("deadline").asc(nulls_last=True), "id")


@audit.scoped_lookup("工单列表行：不含来电人信息")
def list_row(t: Ticket) -> dict:
    return {"number": t.number, "category": t.category, "urgent": t.urgent, "status": t.status,
            "subject": t.subject.name if t.subject_id else None, "region": t.region.name,
            "department": t.department.name if t.department_id else None, "deadline": _iso(t.deadline),
            "filed_at": _iso(t.filed_at), "master": t.master.number if t.master_id else None}


@audit.scoped_lookup("按编号取可见工单：由 full 展示并记录读取")
def staff_ticket(user: Any, number: str) -> Ticket | None:
    if not permissions.is_staff_reader(user):
        return None
    return (Ticket.objects.visible_to(user)
            .select_related("department", "subject", "region", "master", "article_version")
            .filter(number=number).first())


STEP_LABELS = {
    "filed": "受理", "dispatch": "派单", "sign": "签收", "return": "退回中心", "reroute": "改派",
    "request-extension": "申请延期", "decide-extension": "延期审核", "urge": "督办", "reply": "答复",
    "accept-reply": "审核通过并办结", "send-back": "退回重办", "callback": "回访", "link-duplicate": "关联重复工单",
    "unlink": "取消关联", "closed-with-master": "随主工单办结", "reopened-by-duplicate": "因重复工单回访不满意重新办理",
    "answered-from-knowledge": "知识库答复并办结", "attached": "补充附件",
    "deadline-filled": "工作日历录入后计算办结时限", "urging-replied": "部门回复督办",
    "urging-overdue": "督办逾期未回复", "add-co-department": "增加联办部门", "co-reply": "联办部门答复",
}


@audit.no_personal_data("工单的办理步骤：动作、部门与时间")
def steps(t: Ticket) -> list[dict]:
    return [{"action": s.action, "label": STEP_LABELS.get(s.action, s.action),
             "department": s.department.name if s.department_id else None, "at": _iso(s.at)}
            for s in t.steps.select_related("department")]


@audit.personal_read("hotline.ticket")
def full(user: Any, t: Ticket, *, record: bool = True) -> dict:
    if record and t.caller_user_id != getattr(user, "pk", None):  # a caller without an account too: no subject
        audit.record_read("hotline.ticket", subject_id=t.caller_user_id, reason=f"工单{t.number}", obj=t)
    return {
        "number": t.number, "channel": t.channel, "category": t.category, "urgent": t.urgent, "status": t.status,
        "status_label": t.get_status_display(), "subject": t.subject_id, "text": t.text, "address": t.address,
        "region": t.region_id, "latitude": t.latitude, "longitude": t.longitude,
        "caller": {"name": t.caller_name, "phone": t.caller_phone},
        "department": ({"id": t.department_id, "name": t.department.name} if t.department_id else None),
        "suggestion": t.suggestion, "deadline": _iso(t.deadline), "filed_at": _iso(t.filed_at),
        "policy_version": t.policy.get("version"), "returned_count": t.returned_count,
        "extension_requested": t.extension_requested, "reply": t.reply_text, "result_type": t.result_type,
        "reply_flags": t.reply_flags, "closed_at": _iso(t.closed_at), "reopened_count": t.reopened_count,
        "callback": t.callback,
        "article": ({"id": t.article_version.article_id, "version": t.article_version.number}
                    if t.article_version_id else None),
        "attachments": [{"id": a.pk, "name": a.original_name, "kind": a.kind, "size": a.size}
                        for a in t.attachments.all()],
        "master": t.master.number if t.master_id else None,
        "duplicates": list(t.duplicates.values_list("number", flat=True)), "steps": steps(t),
        "co_departments": [co_row(c) for c in t.co_departments.select_related("department")],
    }


@audit.no_personal_data("联办部门、事由与其答复")
def co_row(c: Any) -> dict:
    return {"department": {"id": c.department_id, "name": c.department.name}, "reason": c.reason,
            "added_at": _iso(c.added_at), "reply": c.reply_text or None, "replied_at": _iso(c.replied_at)}


@audit.own_data("来电人凭编号与手机号后四位或密钥查看本人工单，来电人已遮蔽")
def public(t: Ticket) -> dict:
    """R4: masked caller; a 举报's text only to its caller (who proved it with the secret or digits)."""
    return {
        "number": t.number, "category": t.category, "status": t.status, "status_label": t.get_status_display(),
        "subject": t.subject.name if t.subject_id else None,
        "department": t.department.name if t.department_id else None,
        "caller": {"name": mask_name(t.caller_name) if t.caller_name else "", "phone": mask_phone(t.caller_phone)},
        "text": t.text,  # the caller proved who they are; a 举报 is shown to its caller only
        "deadline": _iso(t.deadline), "filed_at": _iso(t.filed_at), "reply": t.reply_text,
        "result_type": t.result_type, "closed_at": _iso(t.closed_at), "steps": steps(t),
    }


@audit.own_data("来电人凭证明查询本人工单")
def track(number: str, phone_last4: str = "", secret: str = "", who: str = "") -> Ticket:
    """The ticket when the proof matches; wrong → 404, too many wrong tries → 429."""
    from ninja.errors import HttpError

    key = "hotline:track:" + hashlib.sha256(f"{who}|{number[:20]}".encode()).hexdigest()
    if (cache.get(key) or 0) >= TRACK_LIMIT:
        raise HttpError(429, "请求过于频繁")
    t = Ticket.objects.select_related("department", "subject").filter(number=number).first()
    ok = False
    if t is not None:
        if secret and t.tracking_secret_hash:
            ok = hmac.compare_digest(Ticket.hash_secret(secret), t.tracking_secret_hash)
        elif phone_last4 and len(t.caller_phone) >= 4:
            ok = hmac.compare_digest(phone_last4, t.caller_phone[-4:])
    if not ok:
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, TRACK_WINDOW)
        raise NotFound("未找到该工单，或手机号后四位不符")
    return t
