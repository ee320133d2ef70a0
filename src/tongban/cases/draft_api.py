"""Drafts of applications (草稿): save as you type, resume on another device, discard. Mounted
before the cases router so `/cases/drafts` is not read as a case number. No `from __future__
import annotations` here: django-ninja reads the annotations at import time."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from tongban.identity.authentication import ACTING_HEADER
from tongban.identity.models import Enterprise
from tongban.identity.selectors import active_membership

from . import draft_actions
from .models import CaseDraft

router = Router(tags=["办件"])


class DraftIn(Schema):
    form: dict[str, Any] = Field(default_factory=dict, description="已填写的字段（锁定字段不保存）")
    region: str | None = Field(None, description="办理区划代码")
    on_behalf_of: str | None = Field(None, description="代表的企业（统一社会信用代码）；也可用 X-Acting-For 头")


def _enterprise(request: HttpRequest, given: str | None) -> Enterprise | None:
    uscc = (given or "").strip().upper() or request.META.get(ACTING_HEADER, "").strip().upper()
    return active_membership(request.auth, uscc).enterprise if uscc else None


def draft_out(d: CaseDraft) -> dict[str, Any]:
    return {"code": d.code, "bundle": d.is_bundle, "on_behalf_of": d.holder or None, "region": d.region_id,
            "form": d.form, "updated_at": d.updated_at.isoformat()}


@router.get("/cases/drafts", response=dict[str, Any], summary="我的申请草稿（可在任一设备继续填写）")
def my_drafts(request: HttpRequest):
    rows = list(CaseDraft.objects.filter(user=request.auth).order_by("-updated_at")[:100])
    return {"count": len(rows), "items": [draft_out(d) for d in rows]}


@router.put("/cases/drafts/{code}", response=dict[str, Any], summary="保存申请草稿（事项或一件事编码）")
def save(request: HttpRequest, code: str, payload: DraftIn):
    draft = draft_actions.save_draft(request.auth, code=code, form=payload.form, region=payload.region,
                                     enterprise=_enterprise(request, payload.on_behalf_of))
    return draft_out(draft)


@router.delete("/cases/drafts/{code}", response={204: None}, summary="放弃申请草稿")
def discard(request: HttpRequest, code: str, on_behalf_of: str | None = None):
    draft_actions.discard_draft(request.auth, code=code, enterprise=_enterprise(request, on_behalf_of))
    return 204, None
