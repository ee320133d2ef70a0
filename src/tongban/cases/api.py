"""Cases endpoints of INTERFACES.md ("Cases"). No `from __future__ import annotations` here:
django-ninja reads the annotations at import time."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from tongban.core.idempotency import idempotent
from tongban.core.pagination import paginate
from tongban.identity.authentication import ACTING_HEADER

from . import actions, selectors

router = Router(tags=["办件"])


class CaseIn(Schema):
    item: str | None = Field(None, description="事项编码（与 bundle 二选一）", max_length=40)
    bundle: str | None = Field(None, description="一件事编码（与 item 二选一）", max_length=20)
    region: str | None = Field(None, description="办理区划代码，如 210200", max_length=12)
    on_behalf_of: str | None = Field(None, description="代表企业的统一社会信用代码；自然人办事为 null", max_length=18)
    form: dict[str, Any] = Field(default_factory=dict, description="申请表")
    materials: list[Any] = Field(
        default_factory=list, description="提交的材料：名称，或 {name, provision: uploaded|reused|promised}")
    answers: dict[str, str] = Field(default_factory=dict, description="情形引导的答案（问题 → 选项）")
    applicant: str | None = Field(None, description="窗口代办：申请人的公民身份号码（仅窗口人员）", max_length=18)


class ActionIn(Schema):
    materials: list[Any] = Field(default_factory=list, description="request-correction / submit-correction / "
                                                                   "supply-promised 的材料名称")
    reason: str | None = Field(None, description="理由（request-correction、reject、deny 必填）")
    basis: str | None = Field(None, description="依据（reject、deny）")
    missing: list[Any] = Field(default_factory=list, description="accept：容缺受理时缺少的可容缺材料（R10）")
    officer: str | None = Field(None, description="assign：承办人用户名")
    opinion: str | None = Field(None, description="review（并联审查部门）：agree 同意 / disagree 不同意")
    note: str | None = Field(None, description="review：意见说明（不同意时必填）")
    code: str | None = Field(None, description="sign-promise：短信验证码（先调用 send-promise-code 获取）")
    lock_version: int | None = Field(None, description="乐观锁：所依据的办件版本，已变化时返回409")


@router.post("/cases", response={201: dict[str, Any]}, summary="提交申请（事项或一件事）")
@idempotent
def file_case(request: HttpRequest, payload: CaseIn):
    data = payload.dict()
    if not data.get("on_behalf_of"):
        data["on_behalf_of"] = request.META.get(ACTING_HEADER, "").strip().upper() or None
    case = actions.submit(request.auth, **data)
    return 201, selectors.case_detail(request.auth, case, record=False)


@router.get("/cases", summary="我的办件（申请人）或本部门待办（审批人员），按期限排序")
def list_cases(request: HttpRequest, status: str = "", overdue: str | None = None, item: str = "",
               channel: str = "", mine: str | None = None, page: int = 1, page_size: int = 20) -> dict:
    rows = selectors.queue(request.auth, status=status, overdue=overdue, item=item, channel=channel, mine=mine)
    return paginate(rows, page, page_size, selectors.list_row)


@router.get("/cases/{number}", summary="办件详情：状态、环节、时限、文书、材料")
def get_case(request: HttpRequest, number: str) -> dict:
    case = selectors.get_case(request.auth, number)
    return selectors.case_detail(request.auth, case)


@router.post("/cases/{number}/actions/{action}", summary="办理操作（受理、补正、不予受理、准予、不予许可、撤回……）")
def act(request: HttpRequest, number: str, action: str, payload: ActionIn | None = None) -> dict:
    case = selectors.get_case(request.auth, number)
    body = payload.dict() if payload is not None else {}
    case = actions.perform(request.auth, case, action, body)
    fresh = selectors.get_case(request.auth, case.number)
    return selectors.case_detail(request.auth, fresh, record=False)
