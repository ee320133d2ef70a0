"""The hotline API (mounted at /api/ by tongban.api), INTERFACES.md "Hotline". No
`from __future__ import annotations`: django-ninja reads the annotations at import time."""

import hashlib
import hmac
import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import AuthenticationError
from ninja.security import APIKeyHeader

from tongban.core.errors import FieldError
from tongban.core.idempotency import idempotent
from tongban.core.pagination import paginate
from tongban.identity.authentication import api_auth

from . import actions, selectors

router = Router(tags=["12345热线"])


class TicketIn(Schema):
    text: str = Field("", description="诉求内容（1—4000字）", max_length=20000)
    channel: str = Field("phone", description="phone|web|mobile|message", max_length=10)
    phone: str | None = Field(None, description="来电人电话（中国大陆）", max_length=30)
    name: str | None = Field(None, description="来电人姓名", max_length=100)
    region: str | None = Field(None, description="区划代码，默认 210200", max_length=20)
    address: str | None = Field(None, description="地址", max_length=400)
    category: str | None = Field(None, description="诉求类别（留空由模型建议）", max_length=4)
    urgent: bool = Field(False, description="紧急（按小时计时）")
    anonymous: bool = Field(False, description="匿名举报：返回一次性查询密码")
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)


class ActionIn(Schema):
    department: str | None = Field(None, description="dispatch/reroute：承办部门标识", max_length=40)
    reason: str | None = Field(None, description="return/request-extension/send-back：理由", max_length=2000)
    days: int | None = Field(None, description="request-extension：延期工作日数", ge=0, le=1000)
    approve: bool | None = Field(None, description="decide-extension：是否同意")
    level: Any = Field(None, description="callback：满意度 1—5；urge：催办|督办|通报")
    resolved: bool | None = Field(None, description="callback：问题是否解决")
    unreachable: bool | None = Field(None, description="callback：联系不上")
    comment: str | None = Field(None, description="callback：意见", max_length=2000)
    reply: str | None = Field(None, description="reply：答复内容", max_length=8000)
    result_type: str | None = Field(None, description="reply：resolved|partial|unresolved|unfounded", max_length=20)
    master: str | None = Field(None, description="link-duplicate：主工单编号", max_length=20)


@router.post("/hotline/tickets", response={201: dict[str, Any]}, summary="受理工单（话务员各渠道；市民网上）")
@idempotent
def file_ticket(request: HttpRequest, payload: TicketIn):
    _, answer = actions.file_ticket(request.auth, payload.dict())
    return 201, answer


@router.get("/hotline/tickets", summary="工单队列（话务员：全部；部门：本部门）")
def list_tickets(request: HttpRequest, status: str = "", page: int = 1, page_size: int = 20) -> dict:
    return paginate(selectors.queue(request.auth, status=status[:20]), page, page_size, selectors.list_row)


def _optional_user(request: HttpRequest) -> Any:
    for auth in api_auth():
        try:
            user = auth(request)
        except (AuthenticationError, Exception):
            user = None
        if user:
            return user
    return None


@router.get("/hotline/tickets/{number}", auth=None,
            summary="工单查询（市民：编号+手机后四位或查询密码；工作人员：全文）")
def get_ticket(request: HttpRequest, number: str, phone_last4: str = "", secret: str = "") -> dict:
    user = _optional_user(request)
    if user is not None:
        ticket = selectors.staff_ticket(user, number[:20])
        if ticket is not None:
            return selectors.full(user, ticket)
    ticket = selectors.track(number[:20], phone_last4[:4], secret[:100], who=request.META.get("REMOTE_ADDR", ""))
    return selectors.public(ticket)


@router.post("/hotline/tickets/{number}/actions/{action}",
             summary="办理操作（派单、签收、退回、改派、延期、督办、答复、回访……）")
def act(request: HttpRequest, number: str, action: str, payload: ActionIn | None = None) -> dict:
    body = {k: v for k, v in (payload.dict() if payload is not None else {}).items() if v is not None}
    ticket = actions.perform(request.auth, number[:20], action[:30], body)
    fresh = selectors.staff_ticket(request.auth, ticket.number)
    return selectors.full(request.auth, fresh, record=False) if fresh else {"number": ticket.number,
                                                                            "status": ticket.status}


class WebhookSignature(APIKeyHeader):
    """The gateway signs the raw body: `X-Tongban-Signature: sha256=<hex HMAC-SHA256>` with
    TONGBAN_HOTLINE_WEBHOOK_SECRET. A missing or wrong signature is 401."""

    param_name = "X-Tongban-Signature"
    openapi_description = "HMAC-SHA256 签名（sha256=十六进制），密钥 TONGBAN_HOTLINE_WEBHOOK_SECRET"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        secret = getattr(settings, "TONGBAN_HOTLINE_WEBHOOK_SECRET", "") or ""
        expected = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
        given = (key or "").removeprefix("sha256=")
        return "gateway" if secret and given and hmac.compare_digest(given, expected) else None


@router.post("/hotline/inbound/{channel}", auth=WebhookSignature(), response={201: dict[str, Any]},
             summary="短信/微信等渠道来信（HMAC-SHA256 签名：X-Tongban-Signature）")
def inbound(request: HttpRequest, channel: str):
    if channel not in ("sms", "wechat", "message"):
        raise FieldError("channel", "渠道应为 sms、wechat 或 message")
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        raise FieldError("body", "请求体不是有效的 JSON") from None
    if not isinstance(data, dict):
        raise FieldError("body", "请求体应为 JSON 对象")
    data = {k: data.get(k) for k in ("text", "phone", "region", "address", "name") if isinstance(data.get(k), str)}
    _, answer = actions.file_ticket(None, {**data, "channel": "message"}, source=f"inbound:{channel}")
    return 201, answer
