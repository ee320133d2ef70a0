"""The licences API (mounted at /api/ by tongban.api). No `from __future__ import annotations`:
django-ninja reads the annotations at import time.

INTERFACES.md "Licences and data": the holder's licences, public verification (by code and by
upload), the public key register, officer actions, the PDF and signed JSON, the data-use
tracker and the materials-avoided statistics."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from tongban.core import audit
from tongban.core.errors import FieldError, NotFound
from tongban.core.pagination import paginate

from . import actions, data_uses, documents, selectors, stats, throttle, upload
from .models import SealKey

router = Router(tags=["电子证照"])

# before /licences/{licence_id}: django-ninja matches paths in the order they are registered
from . import api_consent, api_credentials, api_import, api_vault  # noqa: E402, F401


class ActionIn(Schema):
    reason: str = Field("", description="理由（必填）", max_length=500)
    basis: str = Field("", description="法律依据（必填）", max_length=500)


@router.get("/licences", summary="我的电子证照（或经办人员查看其办件申请人的证照：holder=）")
def list_licences(request: HttpRequest, holder: str = "", page: int = 1, page_size: int = 20) -> dict:
    if len(holder) > 18:
        raise FieldError("holder", "持证主体标识应为18位公民身份号码或统一社会信用代码")
    rows = selectors.licences_for(request.auth, holder, audit.current_context().on_behalf_of)
    return paginate(rows, page, page_size, selectors.list_row)


@router.get("/licences/keys", auth=None, summary="印章公钥登记簿（含已停用的密钥）")
def key_register(request: HttpRequest) -> dict:
    rows = list(SealKey.objects.select_related("department").order_by("department_id", "-created_at"))
    return {"count": len(rows), "items": [key_row(k) for k in rows]}  # one query: the register is small


def key_row(k: SealKey) -> dict[str, Any]:
    return {"key_id": k.key_id, "algorithm": k.algorithm, "department": k.department_id,
            "department_name": k.department.name, "public_key": k.public_key, "status": k.status,
            "valid_from": k.valid_from.isoformat(), "valid_until": k.valid_until.isoformat(),
            "retired_at": k.retired_at.isoformat() if k.retired_at else None,
            "compromised_at": k.compromised_at.isoformat() if k.compromised_at else None}


def _throttled(request: HttpRequest) -> None:
    if not throttle.allowed(request):
        raise HttpError(429, "请求过于频繁")


@router.get("/licences/verify/{code}", auth=None, summary="凭核验码核验证照（公开；频率受限）")
def verify_code(request: HttpRequest, code: str) -> dict:
    _throttled(request)
    try:
        return selectors.verification(code[:64])
    except NotFound:
        if throttle.missed(request):
            raise HttpError(429, "请求过于频繁") from None
        raise NotFound("未找到") from None


@router.post("/licences/verify", auth=None, summary="上传证照 JSON 或 PDF 核验（公开；频率受限）")
def verify_upload(request: HttpRequest) -> dict:
    _throttled(request)
    raw = request.FILES["file"].read(upload.MAX_BYTES + 1) if "file" in request.FILES else request.body
    try:
        doc = upload.document_from_bytes(raw)
    except upload.UploadError as exc:
        raise FieldError("file", str(exc)) from None
    answer = upload.verify_document(doc)
    if answer["result"] == "unknown_licence":
        throttle.missed(request)
    return answer


@router.get("/licences/{licence_id}.pdf", summary="证照 PDF（持证人或发证部门）")
def licence_pdf(request: HttpRequest, licence_id: int) -> HttpResponse:
    licence = selectors.get_licence(request.auth, licence_id)
    pdf = documents.licence_pdf(licence, selectors.current_version(licence))
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"{licence.licence_type.name}-{licence.number}.pdf"
    response["Content-Disposition"] = content_disposition_header(False, name)
    return response


@router.get("/licences/{licence_id}", summary="证照详情与版本（持证人或发证部门）")
def licence_detail(request: HttpRequest, licence_id: int) -> dict:
    return selectors.detail(selectors.get_licence(request.auth, licence_id))


@router.get("/licences/{licence_id}/document", summary="下载签章数据 JSON（持证人或发证部门）")
def licence_document(request: HttpRequest, licence_id: int) -> dict:
    licence = selectors.get_licence(request.auth, licence_id)
    return selectors.signed_document(selectors.current_version(licence))


@router.post("/licences/{licence_id}/actions/{action}", summary="注销、暂扣或恢复证照（发证部门审批人员）")
def licence_action(request: HttpRequest, licence_id: int, action: str, payload: ActionIn | None = None) -> dict:
    licence = selectors.get_licence(request.auth, licence_id, for_action=True)
    body = payload or ActionIn()
    licence = actions.change_status(request.auth, licence, action, reason=body.reason, basis=body.basis)
    return selectors.detail(licence)


@router.get("/me/data-uses", summary="我的数据被谁、为何使用（数据使用记录）")
def my_data_uses(request: HttpRequest, page: int = 1, page_size: int = 20) -> dict:
    return data_uses.data_uses(request.auth, page, page_size)


class MaterialsFilter(Schema):
    date_from: str = Field("", alias="from", max_length=10, description="开始日期 YYYY-MM-DD（提交日期）")
    date_to: str = Field("", alias="to", max_length=10, description="结束日期 YYYY-MM-DD")
    region: str = Field("", max_length=12, description="区划代码（含下级）")
    department: str = Field("", max_length=40, description="部门标识")
    item: str = Field("", max_length=40, description="事项编码")
    group_by: str = Field("", max_length=20, description="department | item | region | month")


@router.get("/stats/materials", summary="材料免提交统计（上传、复用、调取）")
def materials_stats(request: HttpRequest, filters: Query[MaterialsFilter]) -> dict:
    return stats.materials(request.auth, date_from=filters.date_from, date_to=filters.date_to, region=filters.region,
                           department=filters.department, item=filters.item, group_by=filters.group_by)
