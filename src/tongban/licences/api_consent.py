"""Consent before any fetch (issue 6 item 5), on the licences router. No `from __future__
import annotations`: django-ninja reads the annotations at import time.

The logic is the cases app's (`tongban.cases.consents`): a licence is fetched as a case
material only with the applicant's consent to the preview — which fields of which record go
to which department for which case — and the consent can be withdrawn until acceptance. A
department-shared material (部门共享) is previewed and consented to the same way; a 一件事
bundle has one preview of all its items' fetches, by department, and one consent for all."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema

from tongban.cases import consents
from tongban.cases.selectors import get_case
from tongban.core.audit import current_context
from tongban.core.errors import FieldError

from .api import router


class PreviewIn(Schema):
    item: str = Field("", max_length=40, description="事项编码（与 bundle 二选一）")
    bundle: str = Field("", max_length=20, description="一件事编码（与 item 二选一）")
    region: str | None = Field(None, max_length=12, description="办理地区")
    on_behalf_of: str | None = Field(None, max_length=18, description="代表企业的统一社会信用代码")
    answers: dict[str, str] = Field(default_factory=dict, description="情形问答")


class ConsentIn(Schema):
    material: str = Field("", max_length=200, description="材料名称")
    consent: str | None = Field(None, max_length=64, description="调取预览的 digest（可选：须与当前预览一致）")
    all: bool = Field(False, description="一次同意全部待同意的调取（一件事：全部子办件）；consent 为汇总 digest")


@router.post("/consents/preview", summary="申请前：调取预览（哪份证照或部门共享记录的哪些字段提供给哪个部门、用于什么；"
                                         "一件事按部门列出全部事项的调取，一次同意）")
def preview(request: HttpRequest, payload: PreviewIn) -> dict:
    on_behalf_of = payload.on_behalf_of or current_context().on_behalf_of or None
    if payload.item and payload.bundle:
        raise FieldError("bundle", "事项（item）与一件事（bundle）只能填写其一")
    if payload.bundle:
        return consents.bundle_preview_for(request.auth, bundle=payload.bundle, region=payload.region,
                                           on_behalf_of=on_behalf_of, answers=payload.answers).out()
    rows = consents.preview_for(request.auth, item=payload.item, region=payload.region,
                                on_behalf_of=on_behalf_of, answers=payload.answers)
    return consents.preview_out(rows)


@router.get("/cases/{number}/consents", summary="办件的调取：预览、同意与撤回状态（可查看该办件者；一件事含子办件）")
def case_consents(request: HttpRequest, number: str) -> dict:
    case = get_case(request.auth, number)
    rows = consents.case_fetches(case)
    waiting = consents.pending(rows)
    return {**consents.preview_out(rows), "pending": len(waiting),
            "digest": consents.combined_digest(waiting) if waiting else None}


@router.post("/cases/{number}/consents", response={201: dict[str, Any]},
             summary="同意调取一份电子证照（申请人；受理前）")
def grant(request: HttpRequest, number: str, payload: ConsentIn):
    case = get_case(request.auth, number)
    if payload.all:
        return 201, consents.preview_out(consents.grant_all(request.auth, case, payload.consent))
    if case.bundle_id and not case.item_version_id:
        raise FieldError("material", "一件事请一次同意全部调取（all=true），或在子办件上逐项同意")
    return 201, consents.grant(request.auth, case, payload.material.strip(), payload.consent).out()


@router.delete("/cases/{number}/consents/{position}", summary="撤回调取同意（申请人；受理前），该材料改为未提交")
def withdraw(request: HttpRequest, number: str, position: int) -> dict:
    case = get_case(request.auth, number)
    m = consents.withdraw(request.auth, case, position)
    return {"position": m.position, "name": m.name, "provision": m.provision}
