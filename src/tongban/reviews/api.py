"""The reviews API (mounted at /api/ by tongban.api; full paths here). No `from __future__
import annotations`: django-ninja reads the annotations at import time."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema

from tongban.core.errors import FieldError
from tongban.core.idempotency import idempotent
from tongban.core.pagination import paginate

from . import actions, checks, permissions, rectification, selectors
from .constants import Channel, Level

router = Router(tags=["好差评"])


class ReviewIn(Schema):
    case: str | None = Field(None, description="被评价的办件编号", max_length=40)
    ticket: str | None = Field(None, description="已办结的 12345 工单编号（来电人本人；电话回访已评价的不再评价）",
                               max_length=40)
    visit: int | None = Field(None, description="无办件的窗口来访（首问登记）编号")
    level: int = Field(..., ge=1, le=5, description="5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意")
    comment: str = Field("", max_length=2000, description="评价内容")
    tags: list[str] = Field(default_factory=list, description="评价标签（编码或名称），须属于所选等级")
    channel: str = Field(Channel.PORTAL, description="评价渠道：portal、mobile、kiosk、sms、window", max_length=10)
    token: str | None = Field(None, description="短信链接或窗口评价器的一次性令牌", max_length=100)


class TokenReviewIn(Schema):
    level: int = Field(..., ge=1, le=5, description="5 非常满意 … 1 非常不满意")
    comment: str = Field("", max_length=2000)
    tags: list[str] = Field(default_factory=list)


class AppendIn(Schema):
    comment: str = Field(..., max_length=2000, description="追评内容（仅一次）")


class InvitationIn(Schema):
    case: str | None = Field(None, max_length=40, description="已办结的办件编号")
    visit: int | None = Field(None, description="窗口来访编号")
    kind: str = Field("sms", max_length=6, description="sms（短信链接，天）或 kiosk（窗口评价器，分钟）")


class VisitIn(Schema):
    item: str | None = Field(None, max_length=40, description="咨询的事项编码")
    question: str = Field("", max_length=2000)
    answer: str = Field("", max_length=2000)
    visitor_id_number: str | None = Field(None, max_length=18, description="来访人身份证号码（可不登记）")
    visitor_name: str = Field("", max_length=60)
    case: str | None = Field(None, max_length=40, description="后续办件编号")
    referred_to: str = Field("", max_length=200, description="引导去向")


class RectActionIn(Schema):
    finding: str | None = Field(None, max_length=8, description="verify：true 属实 / partly 部分属实 / untrue 不属实")
    evidence: str | None = Field(None, max_length=2000, description="verify：核实依据")
    when: str | None = Field(None, max_length=40, description="contact：联系时间")
    how: str | None = Field(None, max_length=40, description="contact：联系方式")
    what: str | None = Field(None, max_length=2000, description="contact：沟通内容")
    outcome: str | None = Field(None, max_length=2000, description="rectify / explain：结果（必填）")
    reason: str | None = Field(None, max_length=2000, description="退回、申请剔除、剔除审核的理由")
    decision: str | None = Field(None, max_length=8, description="decide-exclusion：exclude 或 keep")
    level: int | None = Field(None, description="re-rate：回访再评价等级 1..5")


@router.post("/reviews", response={201: dict[str, Any]}, summary="评价一次服务（一事一评，R26）")
@idempotent
def create_review(request: HttpRequest, payload: ReviewIn):
    review = actions.submit_review(request.auth, case=payload.case, visit=payload.visit, ticket=payload.ticket,
                                   level=payload.level,
                                   comment=payload.comment, tags=payload.tags, channel=payload.channel,
                                   token=payload.token)
    return 201, selectors.review_row(selectors.get_review(request.auth, review.pk))


@router.get("/reviews", summary="我的评价（评价人）或可见范围内的评价（工作人员）")
def list_reviews(request: HttpRequest, page: int = 1, page_size: int = 20) -> dict:
    return paginate(selectors.list_reviews(request.auth), page, page_size, selectors.review_row)


@router.get("/reviews/tags", auth=None, summary="评价等级与各等级的评价标签")
def tags(request: HttpRequest) -> list:
    return selectors.tag_table()


@router.get("/reviews/rectifications", summary="差评整改待办（部门：本部门；监督：本区划，超期在前）")
def rectification_queue(request: HttpRequest, state: str = "open", page: int = 1, page_size: int = 20) -> dict:
    if state not in ("", "open", "closed", "rerated", "excluded"):
        raise FieldError("state", "状态应为 open、closed、rerated、excluded 之一")
    return paginate(selectors.rectification_queue(request.auth, state=state), page, page_size,
                    selectors.rectification_row)


@router.post("/reviews/invitations", response={201: dict[str, Any]}, summary="发送短信评价链接或生成窗口评价器令牌")
def create_invitation(request: HttpRequest, payload: InvitationIn):
    from tongban.cases import permissions as case_permissions
    from tongban.cases import selectors as case_selectors

    if not permissions.is_window(request.auth):
        raise PermissionDenied("只有窗口或审批人员可以发起评价邀请")
    if not payload.case:
        raise FieldError("case", "请填写已办结的办件编号")
    case = case_selectors.get_case(request.auth, payload.case)
    if not case_permissions.receives(request.auth, case):
        raise PermissionDenied("只有办理该办件的部门可以发起评价邀请")
    inv, raw = actions.invite(request.auth, case=case, kind=payload.kind)
    return 201, {"kind": inv.kind, "token": raw, "url": f"/reviews/t/{raw}/",
                 "expires_at": selectors._iso(inv.expires_at)}


@router.post("/reviews/visits", response={201: dict[str, Any]}, summary="首问登记（窗口人员）")
def register_visit(request: HttpRequest, payload: VisitIn):
    visit = actions.register_visit(request.auth, **payload.dict())
    return 201, {"id": visit.pk, "department": visit.department_id, "case": visit.case.number if visit.case_id
                 else None, "at": selectors._iso(visit.at)}


@router.get("/reviews/t/{token}", auth=None, summary="一次性评价链接：所评价的服务（已用或过期：409）")
def token_event(request: HttpRequest, token: str) -> dict:
    inv = checks.invitation_for(token)
    case = inv.case
    return {"kind": inv.kind, "case": case.number if case else None,
            "item": case.item.name if case and case.item_id else None,
            "department": (case or inv.visit).department.name, "levels": selectors.tag_table()}


@router.post("/reviews/t/{token}", auth=None, response={201: dict[str, Any]},
             summary="以一次性令牌评价（短信链接、窗口评价器；工作人员不能代评）")
def token_review(request: HttpRequest, token: str, payload: TokenReviewIn):
    user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
    review = actions.submit_with_token(token, level=payload.level, comment=payload.comment, tags=payload.tags,
                                       actor=user)
    return 201, {"id": review.pk, "level": review.level, "level_words": review.level_words}


class ReRateIn(Schema):
    level: int = Field(..., ge=1, le=5, description="整改后再次评价：5 非常满意 … 1 非常不满意")


@router.get("/reviews/re-rate/{token}", auth=None,
            summary="短信回访链接：整改后请评价人再次评价（已用、过期或已撤回：409）")
def re_rate_event(request: HttpRequest, token: str) -> dict:
    row = selectors.review_row(checks.rerating_token_for(token).rectification.review)
    keep = ("case", "ticket", "department", "level", "level_words", "outcome_words", "outcome")
    return {**{k: row[k] for k in keep}, "levels": [{"level": int(v), "words": str(label)}
                                                    for v, label in Level.choices]}


@router.post("/reviews/re-rate/{token}", auth=None, response={201: dict[str, Any]},
             summary="以短信回访链接再次评价（一次；工作人员不能代评）")
def re_rate(request: HttpRequest, token: str, payload: ReRateIn):
    user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
    rect = rectification.re_rate_with_token(token, level=payload.level, actor=user)
    return 201, {"review": rect.review_id, "level": rect.review.level, "re_level": rect.re_level,
                 "re_level_words": Level(rect.re_level).label, "re_channel": rect.re_channel}


@router.get("/reviews/{review_id}", summary="一条评价")
def get_review(request: HttpRequest, review_id: int) -> dict:
    return selectors.review_row(selectors.get_review(request.auth, review_id))


@router.post("/reviews/{review_id}/append", summary="追评（仅一次，等级不可修改）")
def append(request: HttpRequest, review_id: int, payload: AppendIn) -> dict:
    review = selectors.get_review(request.auth, review_id)
    actions.append(request.auth, review, payload.comment)
    return selectors.review_row(selectors.get_review(request.auth, review_id))


@router.get("/reviews/{review_id}/rectification", summary="差评的整改单：两个时限、各环节")
def get_rectification(request: HttpRequest, review_id: int) -> dict:
    rect = selectors.visible_rectifications(request.auth).filter(review_id=review_id).first()
    rect = selectors.get_rectification(request.auth, rect.pk if rect else 0)
    return selectors.rectification_row(rect, steps=True)


@router.post("/reviews/{review_id}/rectification/actions/{action}",
             summary="整改操作：verify、contact、contact-failed、rectify、explain、send-back、request-exclusion、"
                     "decide-exclusion、re-rate（评价人本人再次评价）")
def act(request: HttpRequest, review_id: int, action: str, payload: RectActionIn | None = None) -> dict:
    body = payload.dict() if payload is not None else {}
    body["channel"] = Channel.MOBILE  # re-rate: the reviewer's own answer through the API
    rect = rectification.perform(request.auth, review_id, action, body,
                                 selectors.visible_rectifications(request.auth))
    return selectors.rectification_row(selectors.get_rectification(request.auth, rect.pk), steps=True)
