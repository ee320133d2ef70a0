"""What an applicant needs around a case besides the four case routes (issue 5): uploading and
downloading a material's file, the eligibility pre-check, and the one form's JSON Schema with
its prefill. Mounted before the cases router so `/cases/eligibility` and `/cases/form-schema`
are not read as case numbers. No `from __future__ import annotations` here: django-ninja reads
the annotations at import time."""

from typing import Any

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile

from tongban.core import audit
from tongban.core.errors import FieldError, NotFound
from tongban.identity.authentication import ACTING_HEADER
from tongban.identity.selectors import active_membership

from . import eligibility, file_actions, forms, selectors
from .models import CaseFile

router = Router(tags=["办件"])

FILE_RESPONSE = {200: {"description": "材料文件（PDF、JPG、PNG 或 OFD）",
                       "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}


def _acting(request: HttpRequest, given: str | None) -> str | None:
    return (given or "").strip().upper() or request.META.get(ACTING_HEADER, "").strip().upper() or None


def file_out(row: CaseFile) -> dict[str, Any]:
    return {"id": row.pk, "kind": row.kind, "content_type": row.content_type, "size": row.size,
            "sha256": row.sha256, "original_name": row.original_name,
            "uploaded_at": row.uploaded_at.isoformat()}


@router.post("/cases/{number}/materials/{position}/file", response={201: dict[str, Any]},
             summary="上传材料文件（申请人、经办人或代办窗口人员；待受理或待补正时）",
             description="multipart 字段 file：PDF、JPG、PNG 或 OFD，按文件内容识别类型。"
                         "可从电子证照库调取的材料不得上传（R12），清单以外的材料不得附加（R11）。")
def upload_material(request: HttpRequest, number: str, position: int, file: File[UploadedFile] = None):
    case = selectors.get_case(request.auth, number)
    row = file_actions.attach_file(request.auth, case, position, file)
    material = row.material
    return 201, {"case": case.number, "position": material.position, "name": material.name,
                 "provision": material.provision, "file": file_out(row)}


def _latest_file(user: Any, number: str, position: int) -> tuple[Any, CaseFile]:
    """The material's newest file, for whoever may see the case (else 404, as GET case)."""
    case = selectors.get_case(user, number)
    row = (CaseFile.objects.filter(case=case, material__position=position)
           .select_related("material").order_by("-uploaded_at", "-id").first())
    if row is None:
        raise NotFound(f"办件 {case.number} 的第 {position} 项材料尚无上传的文件")
    return case, row


@router.get("/cases/{number}/materials/{position}/file", summary="下载材料文件（能查看该办件的人）",
            openapi_extra={"responses": FILE_RESPONSE})
def download_material(request: HttpRequest, number: str, position: int) -> FileResponse:
    case, row = _latest_file(request.auth, number, position)
    if request.auth.pk != case.applicant_id:  # an agent, the window, an officer: a read of someone's file
        audit.record_read("case-file", subject_id=case.applicant_id, obj=case,
                          reason=f"查看办件 {case.number} 材料《{row.material.name}》的文件")
    try:
        handle = default_storage.open(row.storage_name, "rb")
    except OSError:
        raise NotFound(f"材料《{row.material.name}》的文件已不在存储中，请联系办理部门") from None
    name = row.original_name or f"{row.material.name}.{row.kind}"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=row.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


class EligibilityIn(Schema):
    item: str = Field(..., description="事项编码", max_length=40)
    region: str | None = Field(None, description="办理区划代码，如 210200", max_length=12)
    on_behalf_of: str | None = Field(None, description="代表企业的统一社会信用代码；自然人办事为 null", max_length=18)
    facts: dict[str, Any] = Field(default_factory=dict,
                                  description="平台尚不掌握、由申请人补充的事实（如 premises.area_m2）；"
                                              "不能覆盖来自权威来源的事实")


@router.post("/cases/eligibility", summary="资格预检：按事项的受理条件规则检查，未知事实列入待回答",
             description="eligible：true 全部满足；false 有不满足的条件（见 results 的 message）；"
                         "null 尚有未知事实（见 ask），平台不猜测。")
def check_eligibility(request: HttpRequest, payload: EligibilityIn) -> dict:
    return eligibility.check(request.auth, item=payload.item, region=payload.region,
                             on_behalf_of=_acting(request, payload.on_behalf_of), facts=payload.facts)


@router.get("/cases/form-schema", summary="一表申请：事项或一件事的申请表 JSON Schema 与预填值（含来源）")
def form_schema(request: HttpRequest, item: str = "", bundle: str = "", on_behalf_of: str = "") -> dict:
    schema = forms.schema_for(item=item or None, bundle=bundle or None)
    uscc = _acting(request, on_behalf_of)
    enterprise = None
    if uscc:
        try:
            enterprise = active_membership(request.auth, uscc).enterprise
        except NotFound as exc:
            raise FieldError("on_behalf_of", f"{exc.message}：{uscc}") from None
    known = forms.prefill(request.auth, enterprise)
    if schema is None:
        return {"schema": None, "prefill": {}}
    prefill = {k: v for k, v in known.items() if k in schema["properties"]}
    for key, value in prefill.items():
        schema["properties"][key] = {**schema["properties"][key], "default": value["value"],
                                     "readOnly": value["locked"]}
    return {"schema": schema, "prefill": prefill}
