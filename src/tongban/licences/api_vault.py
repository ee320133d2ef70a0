"""The material vault and objections to data uses, on the licences router. No `from
__future__ import annotations`: django-ninja reads the annotations at import time."""

from typing import Any

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest
from ninja import Field, Schema

from tongban.core.errors import NotFound
from tongban.core.pagination import paginate

from . import objection_actions, objections, vault, vault_actions
from .api import router

FILE_RESPONSE = {200: {"description": "材料文件", "content": {"application/octet-stream": {}}}}


@router.get("/me/vault", summary="我的材料库（本人及我可代表的企业；可复用的已确认材料）")
def my_vault(request: HttpRequest, page: int = 1, page_size: int = 20) -> dict:
    return paginate(vault.entries_of(request.auth), page, page_size, vault.row)


@router.get("/me/vault/{entry_id}/file", summary="下载材料库中的材料文件（持有人；记入审计）",
            openapi_extra={"responses": FILE_RESPONSE})
def vault_file(request: HttpRequest, entry_id: int) -> FileResponse:
    entry = vault.get_entry(request.auth, entry_id)
    if not entry.storage_name:
        raise NotFound("该材料为纸质材料，没有电子文件")
    try:
        handle = default_storage.open(entry.storage_name, "rb")
    except OSError:
        raise NotFound("该材料的文件已不在存储中") from None
    vault_actions.record_download(request.auth, entry)
    return FileResponse(handle, as_attachment=True, filename=entry.original_name or f"{entry.name}",
                        content_type=entry.content_type or "application/octet-stream")


@router.delete("/me/vault/{entry_id}", response={204: None}, summary="删除材料库中的材料（已使用它的办件不受影响）")
def vault_delete(request: HttpRequest, entry_id: int):
    vault_actions.delete_entry(request.auth, entry_id)
    return 204, None


class ObjectionIn(Schema):
    reason: str = Field("", max_length=1000, description="异议理由（必填）")


class DecisionIn(Schema):
    outcome: str = Field("", max_length=12, description="upheld（异议成立）| dismissed（异议不成立）")
    reason: str = Field("", max_length=1000, description="处理理由（必填）")


@router.post("/me/data-uses/{use_id}/objection", response={201: dict[str, Any]},
             summary="对一次数据使用提出异议（本人；重复提出：409）")
def file_objection(request: HttpRequest, use_id: int, payload: ObjectionIn | None = None):
    objection = objection_actions.file_objection(request.auth, use_id, (payload or ObjectionIn()).reason)
    return 201, objections.out(objection)


@router.get("/licences/objections", summary="数据使用异议（监督人员、管理员）")
def objection_queue(request: HttpRequest, state: str = "", page: int = 1,
                    page_size: int = 20) -> dict:
    return paginate(objections.queue(request.auth, state), page, page_size, objections.queue_row)


@router.post("/licences/objections/{objection_id}/decide", summary="答复异议：成立或不成立（须说明理由）")
def decide_objection(request: HttpRequest, objection_id: int, payload: DecisionIn | None = None) -> dict:
    body = payload or DecisionIn()
    return objections.queue_row(objection_actions.decide(request.auth, objection_id, body.outcome, body.reason))
