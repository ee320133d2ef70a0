"""The hotline API (mounted at /api/ by tongban.api), INTERFACES.md "Hotline". No
`from __future__ import annotations`: django-ninja reads the annotations at import time."""

import hashlib
import hmac
import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, File, Query, Router, Schema
from ninja.errors import AuthenticationError
from ninja.files import UploadedFile
from ninja.security import APIKeyHeader

from tongban.core.errors import FieldError
from tongban.core.idempotency import idempotent
from tongban.core.pagination import paginate
from tongban.identity.authentication import api_auth

from . import (
    actions,
    exposure,
    exposure_actions,
    knowledge,
    knowledge_actions,
    selectors,
    stats,
    urging_actions,
    urging_selectors,
)

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
    article: int | None = Field(None, description="咨询：用知识库文章（编号）直接答复并办结（R24）")


class ActionIn(Schema):
    department: str | None = Field(None, description="dispatch/reroute：承办部门标识", max_length=40)
    reason: str | None = Field(None, description="return/request-extension/send-back：理由；urge：督办事由",
                               max_length=2000)
    days: int | None = Field(None, description="request-extension：延期工作日数", ge=0, le=1000)
    approve: bool | None = Field(None, description="decide-extension：是否同意")
    level: Any = Field(None, description="callback：满意度 1—5；urge：催办|督办|通报（须附 reason 督办事由）")
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


# --- 联办 (co-departments) ---------------------------------------------------------------------------

class CoDepartmentIn(Schema):
    department: str = Field("", description="联办部门标识", max_length=40)
    reason: str = Field("", description="联办事由", max_length=4000)


class CoReplyIn(Schema):
    reply: str = Field("", description="联办部门就本部门承办部分的答复", max_length=8000)


@router.post("/hotline/tickets/{number}/co-departments", response={201: dict[str, Any]},
             summary="增加联办部门（12345中心或牵头部门，须说明理由）")
def add_co_department(request: HttpRequest, number: str, payload: CoDepartmentIn):
    co = actions.add_co_department(request.auth, number[:20], payload.dict())
    return 201, selectors.co_row(co)


@router.post("/hotline/tickets/{number}/co-departments/{department}/reply",
             summary="联办部门答复（每个联办部门一次；全部答复后牵头部门方可汇总答复）")
def co_reply(request: HttpRequest, number: str, department: str, payload: CoReplyIn) -> dict:
    return selectors.co_row(actions.co_reply(request.auth, number[:20], department[:40], payload.dict()))


# --- urging (督办) -----------------------------------------------------------------------------------

class UrgingReplyIn(Schema):
    text: str = Field("", description="部门对督办的回复", max_length=8000)


@router.get("/hotline/urgings", summary="督办（被督办部门：待回复的督办及回复期限；中心与监督人员：本辖区）")
def list_urgings(request: HttpRequest, state: str = "", target: str = "", page: int = 1, page_size: int = 20) -> dict:
    user = request.auth
    rows = urging_selectors.urgings_for(user, state=state[:10], target=target[:40])
    return paginate(rows, page, page_size, lambda u: urging_selectors.row(u, user))


@router.post("/hotline/urgings/{urging_id}/reply", summary="回复督办（被督办部门；督办、通报由部门负责人回复）")
def reply_urging(request: HttpRequest, urging_id: int, payload: UrgingReplyIn) -> dict:
    return urging_selectors.row(urging_actions.reply(request.auth, urging_id, payload.text), request.auth)


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


@router.post("/hotline/tickets/{number}/attachments", response={201: dict[str, Any], 422: dict[str, Any]},
             summary="上传工单附件（照片或PDF，按内容识别类型；不合格的文件逐个说明，其余保留）")
def attach(request: HttpRequest, number: str, files: File[list[UploadedFile]]):
    rows, errors = actions.attach_files(request.auth, number[:20], list(files or []))
    body = {"attached": [{"id": r.pk, "name": r.original_name, "kind": r.kind, "size": r.size} for r in rows]}
    if errors:
        return 422, {**body, "detail": [{"field": name, "message": message} for name, message in errors]}
    return 201, body


# --- knowledge base --------------------------------------------------------------------------------

class ArticleIn(Schema):
    title: str = Field("", description="标题（常见问题）", max_length=500)
    answer: str = Field("", description="答复口径", max_length=20000)
    keywords: str = Field("", description="关键词（空格分隔）", max_length=1000)
    source_kind: str = Field("", description="guide|policy|department", max_length=20)
    source_ref: str = Field("", description="出处：事项编码、文号或部门", max_length=1000)
    valid_from: str | None = Field(None, description="生效日期 YYYY-MM-DD（默认今天）", max_length=20)
    valid_to: str | None = Field(None, description="失效日期 YYYY-MM-DD", max_length=20)
    subject: str | None = Field(None, description="诉求分类编码（仅新建）", max_length=60)
    department: str | None = Field(None, description="答复部门标识（仅新建）", max_length=60)


class ReviewIn(Schema):
    approve: bool | None = Field(None, description="通过（发布）或不通过")
    note: str = Field("", description="审核意见（不通过须填写）", max_length=2000)


@router.get("/hotline/knowledge", auth=None, summary="检索知识库（有效期内已发布的文章；分词、拼音、同义词）")
def search_knowledge(request: HttpRequest, q: str = "", limit: int = 5) -> dict:
    items = knowledge.search(q[:200], limit=max(1, min(limit, 20)), log_misses=True)
    return {"count": len(items), "items": items}


@router.get("/hotline/knowledge/{article_id}", auth=None, summary="知识库文章（工作人员另见全部版本）")
def get_article(request: HttpRequest, article_id: int) -> dict:
    from tongban.core.errors import NotFound

    from . import permissions
    from .models import Article

    user = _optional_user(request)
    if user is not None and permissions.may_edit_knowledge(user):
        article = Article.objects.select_related("current", "subject", "department").filter(pk=article_id).first()
        if article is None:
            raise NotFound("未找到该知识库文章")
        live = knowledge.in_force().filter(pk=article.pk).first()
        return {**(knowledge.row(live) if live else {"id": article.pk}), "in_force": live is not None,
                "retired": article.retired,
                "versions": [knowledge.version_row(v) for v in article.versions.select_related("author", "reviewer")]}
    live = knowledge.in_force().filter(pk=article_id).first()
    if live is None:
        raise NotFound("未找到该知识库文章，或已过有效期")
    return knowledge.row(live)


@router.post("/hotline/knowledge", response={201: dict[str, Any]}, summary="新建知识库文章（待另一人审核发布）")
def create_article(request: HttpRequest, payload: ArticleIn):
    v = knowledge_actions.create_article(request.auth, payload.dict())
    return 201, {"id": v.article_id, **knowledge.version_row(v)}


@router.post("/hotline/knowledge/{article_id}/versions", response={201: dict[str, Any]},
             summary="修订知识库文章（新版本待审核）")
def revise_article(request: HttpRequest, article_id: int, payload: ArticleIn):
    v = knowledge_actions.revise(request.auth, article_id, payload.dict())
    return 201, {"id": v.article_id, **knowledge.version_row(v)}


@router.post("/hotline/knowledge/{article_id}/versions/{number}/review",
             summary="审核知识库文章版本（起草人以外的人员：通过即发布）")
def review_article(request: HttpRequest, article_id: int, number: int, payload: ReviewIn) -> dict:
    v = knowledge_actions.review(request.auth, article_id, number, payload.approve, payload.note)
    return {"id": v.article_id, **knowledge.version_row(v)}


@router.post("/hotline/knowledge/{article_id}/retire", summary="停用知识库文章")
def retire_article(request: HttpRequest, article_id: int) -> dict:
    article = knowledge_actions.retire(request.auth, article_id)
    return {"id": article.pk, "retired": True}


# --- statistics, exposure, callback links ----------------------------------------------------------

@router.get("/hotline/stats/overview", summary="热线统计：受理量、按时办结率、满意率、热点（本区划/本部门）")
def stats_overview(request: HttpRequest, region: str = "", date_from: str = Query("", alias="from"),
                   to: str = "") -> dict:
    return stats.overview(request.auth, region[:12] or None, date_from[:10] or None, to[:10] or None)


class ExposureIn(Schema):
    number: str = Field("", max_length=20)
    summary: str = Field("", description="公开的问题描述（不得含姓名、电话、身份证号、门牌号）", max_length=4000)


class TextIn(Schema):
    text: str = Field("", max_length=4000)


@router.get("/hotline/exposure", auth=None, summary="曝光纠错（公开）")
def list_exposure(request: HttpRequest, page: int = 1, page_size: int = 20) -> dict:
    return paginate(exposure.published(), page, page_size, exposure.public_row)


@router.get("/hotline/exposure/candidates", summary="曝光候选（超期未办结、二次不满意）")
def exposure_candidates(request: HttpRequest) -> dict:
    items = exposure.candidates(request.auth)
    return {"count": len(items), "items": items}


@router.post("/hotline/exposure", response={201: dict[str, Any]}, summary="发布曝光（经个人信息检查，R21）")
def publish_exposure(request: HttpRequest, payload: ExposureIn):
    return 201, exposure.public_row(exposure_actions.publish(request.auth, payload.number, payload.summary))


@router.post("/hotline/exposure/{exposure_id}/correct", summary="登记曝光问题的整改情况")
def correct_exposure(request: HttpRequest, exposure_id: int, payload: TextIn) -> dict:
    return exposure.public_row(exposure_actions.correct(request.auth, exposure_id, payload.text))


@router.post("/hotline/exposure/{exposure_id}/withdraw", summary="撤下曝光（须理由）")
def withdraw_exposure(request: HttpRequest, exposure_id: int, payload: TextIn) -> dict:
    return exposure.public_row(exposure_actions.withdraw(request.auth, exposure_id, payload.text))


class CallbackIn(Schema):
    level: int | None = Field(None, description="满意度 1—5（R26：5 非常满意 … 1 非常不满意）")
    resolved: bool | None = Field(None, description="问题是否解决")
    comment: str = Field("", max_length=2000)


@router.post("/hotline/callback/{token}", auth=None, summary="短信回访链接：市民评价（一次性）")
def callback_link(request: HttpRequest, token: str, payload: CallbackIn) -> dict:
    ticket = actions.callback_by_link(token[:100], payload.dict())
    return {"number": ticket.number, "status": ticket.status, "status_label": ticket.get_status_display()}
