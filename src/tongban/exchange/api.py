"""The exchange API (mounted at /api/ by tongban.api): the resource catalogue, grant requests
and decisions (signed-in staff), and the department read API (client-credentials bearer). No
`from __future__ import annotations`: django-ninja reads the annotations at import time."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from ninja import Field, Router, Schema

from tongban.core.errors import FieldError, NotFound
from tongban.core.pagination import paginate
from tongban.identity.constants import Role
from tongban.identity.models import Department
from tongban.identity.scoping import grants_of, is_admin

from . import actions, reads
from .models import DataResource, Grant

router = Router(tags=["数据共享"])
REQUEST_ROLES = frozenset({Role.OFFICER, Role.HEAD})


def resource_out(r: DataResource) -> dict[str, Any]:
    return {"code": r.code, "name": r.name, "provider": r.provider_id, "provider_name": r.provider.name,
            "description": r.description, "fields": r.fields, "update_cycle": r.update_cycle,
            "condition": r.condition, "condition_name": r.get_condition_display(), "legal_basis": r.legal_basis,
            "subject_kind": r.subject_kind, "scope": r.scope}


def grant_out(g: Grant) -> dict[str, Any]:
    return {"id": g.pk, "resource": g.resource.code, "department": g.department_id, "purpose": g.purpose,
            "fields": g.fields, "basis": g.basis, "valid_from": g.valid_from.isoformat(),
            "valid_until": g.valid_until.isoformat(), "state": g.state, "state_name": g.get_state_display(),
            "decision_reason": g.decision_reason,
            "decided_at": timezone.localtime(g.decided_at).isoformat() if g.decided_at else None}


def _resource(code: str) -> DataResource:
    resource = DataResource.objects.select_related("provider").filter(code=code[:40]).first()
    if resource is None:
        raise NotFound("未找到该数据资源")
    return resource


@router.get("/exchange/resources", summary="共享数据资源目录（已登录）")
def resources(request: HttpRequest) -> dict:
    rows = DataResource.objects.select_related("provider").order_by("code")
    return {"count": rows.count(), "items": [resource_out(r) for r in rows]}


class GrantIn(Schema):
    purpose: str = Field("", max_length=300, description="用途（必填）")
    fields: list[str] = Field(default_factory=list, max_length=100, description="申请的字段名")
    basis: str = Field("", max_length=300, description="依据（必填）")
    valid_from: dt.date | None = Field(None, description="起始日期，默认今天")
    valid_until: dt.date | None = Field(None, description="截止日期（必填，不超过3年）")
    department: str = Field("", max_length=40, description="申请部门（属于多个部门时指定）")


def _own_department(user: Any, wanted: str) -> Department:
    own = sorted({g.department_id for g in grants_of(user) if g.role in REQUEST_ROLES and g.department_id})
    if is_admin(user):
        if not wanted:
            raise FieldError("department", "请指定申请部门")
        own = [wanted]
    if not own:
        raise PermissionDenied("仅部门审批人员或负责人可申请共享数据")
    if wanted and wanted not in own:
        raise FieldError("department", "只能以本部门名义申请")
    if not wanted and len(own) > 1:
        raise FieldError("department", "您属于多个部门，请指定 department")
    department = Department.objects.filter(pk=wanted or own[0]).first()
    if department is None:
        raise FieldError("department", "未知的部门")
    return department


@router.post("/exchange/resources/{code}/grants", response={201: dict[str, Any]},
             summary="申请使用有条件共享的数据资源（部门审批人员、负责人）")
def request_grant(request: HttpRequest, code: str, payload: GrantIn | None = None):
    body = payload or GrantIn()
    department = _own_department(request.auth, body.department)
    resource = _resource(code)
    grant = actions.request_grant(request.auth, department, resource, purpose=body.purpose, fields=body.fields,
                                  basis=body.basis, valid_from=body.valid_from, valid_until=body.valid_until)
    return 201, grant_out(grant)


class DecideIn(Schema):
    decision: str = Field("", max_length=10, description="approve | refuse")
    reason: str = Field("", max_length=300, description="意见（拒绝时必填）")


@router.post("/exchange/grants/{grant_id}/decide", summary="审核共享申请（提供部门负责人）")
def decide_grant(request: HttpRequest, grant_id: int, payload: DecideIn | None = None) -> dict:
    body = payload or DecideIn()
    user = request.auth
    heads = {g.department_id for g in grants_of(user) if g.role == Role.HEAD}
    if not heads and not is_admin(user):
        raise PermissionDenied("仅提供部门负责人可审核共享申请")
    grant = Grant.objects.select_related("resource").filter(pk=grant_id).first()
    if grant is None or not (is_admin(user) or grant.resource.provider_id in heads):
        raise NotFound("未找到该共享申请")
    if body.decision not in ("approve", "refuse"):
        raise FieldError("decision", "审核结果应为 approve（同意）或 refuse（拒绝）")
    return grant_out(actions.decide_grant(user, grant, approve=body.decision == "approve", reason=body.reason))


@router.get("/exchange/grants", summary="本部门的共享申请与待本部门审核的申请（工作人员）")
def grants(request: HttpRequest, page: int = 1, page_size: int = 20) -> dict:
    user = request.auth
    rows = Grant.objects.select_related("resource").order_by("-requested_at", "-id")
    if not is_admin(user):
        own = {g.department_id for g in grants_of(user) if g.department_id}
        if not grants_of(user):
            raise PermissionDenied("仅工作人员可查看共享申请")
        rows = rows.filter(Q(department_id__in=own) | Q(resource__provider_id__in=own))
    return paginate(rows, page, page_size, grant_out)


RECORDS_RESPONSES = {"429": {"description": "超过调用频率，Retry-After 秒后重试"}}


@router.get("/exchange/resources/{code}/records", auth=reads.ClientCredentialsAuth(),
            summary="部门系统读取共享数据（OAuth 2.0 client credentials；须说明用途；仅返回授权字段）",
            openapi_extra={"responses": RECORDS_RESPONSES})
def records(request: HttpRequest, code: str, subject: str = "", purpose: str = ""):
    caller = request.auth
    resource = _resource(code)
    fields, grant = reads.allowed_fields(caller, resource)
    errors = []
    if len(purpose) > 300:
        errors.append(("purpose", "用途不能超过300字"))
    elif not purpose.strip():
        errors.append(("purpose", "请说明用途（purpose）"))
    if not subject.strip() or len(subject) > 18:
        errors.append(("subject", "请指定数据主体（公民身份号码或统一社会信用代码）"))
    if errors:
        raise FieldError(errors=errors)
    wait = reads.over_limit(caller, resource)
    if wait:
        return JsonResponse({"detail": "调用过于频繁，请稍后重试"}, status=429, headers={"Retry-After": str(wait)})
    items = reads.read(caller, resource, subject.strip().upper(), purpose.strip(), fields, grant)
    return {"resource": resource.code, "fields": fields, "count": len(items), "items": items}
