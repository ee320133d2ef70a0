"""Consent before any fetch (issue 6 item 5), on the licences router. No `from __future__
import annotations`: django-ninja reads the annotations at import time.

The logic is the cases app's (`tongban.cases.consents`): a licence is fetched as a case
material only with the applicant's consent to the preview — which fields of which record go
to which department for which case — and the consent can be withdrawn until acceptance."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema

from tongban.cases import consents
from tongban.cases.selectors import get_case
from tongban.core.audit import current_context

from .api import router


class PreviewIn(Schema):
    item: str = Field("", max_length=40, description="事项编码")
    region: str | None = Field(None, max_length=12, description="办理地区")
    on_behalf_of: str | None = Field(None, max_length=18, description="代表企业的统一社会信用代码")
    answers: dict[str, str] = Field(default_factory=dict, description="情形问答")


class ConsentIn(Schema):
    material: str = Field("", max_length=200, description="材料名称")
    consent: str | None = Field(None, max_length=64, description="调取预览的 digest（可选：须与当前预览一致）")


@router.post("/consents/preview", summary="申请前：调取电子证照的预览（哪份证照的哪些字段提供给哪个部门、用于什么）")
def preview(request: HttpRequest, payload: PreviewIn) -> dict:
    on_behalf_of = payload.on_behalf_of or current_context().on_behalf_of or None
    rows = consents.preview_for(request.auth, item=payload.item, region=payload.region,
                                on_behalf_of=on_behalf_of, answers=payload.answers)
    return {"count": len(rows), "items": [f.out() for f in rows]}


@router.get("/cases/{number}/consents", summary="办件的证照调取：预览、同意与撤回状态（能查看该办件的人）")
def case_consents(request: HttpRequest, number: str) -> dict:
    case = get_case(request.auth, number)
    rows = consents.case_fetches(case)
    return {"count": len(rows), "items": [f.out() for f in rows]}


@router.post("/cases/{number}/consents", response={201: dict[str, Any]},
             summary="同意调取一份电子证照（申请人；受理前）")
def grant(request: HttpRequest, number: str, payload: ConsentIn):
    case = get_case(request.auth, number)
    return 201, consents.grant(request.auth, case, payload.material.strip(), payload.consent).out()


@router.delete("/cases/{number}/consents/{position}", summary="撤回调取同意（申请人；受理前），该材料改为未提交")
def withdraw(request: HttpRequest, number: str, position: int) -> dict:
    case = get_case(request.auth, number)
    m = consents.withdraw(request.auth, case, position)
    return {"position": m.position, "name": m.name, "provision": m.provision}
