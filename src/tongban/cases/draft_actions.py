"""Drafts (草稿) of an application: saved as the applicant types (htmx autosave on the page,
`PUT /api/cases/drafts/{code}`), resumed on any device, removed when the case is filed or the
applicant discards them. A draft keeps only fields of the item's or bundle's form that are not
locked (authoritative values are never stored: they are read fresh at filing), each value cut
to the form's limit; nothing is validated as required until filing."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tongban.catalog.models import Bundle, ServiceItem
from tongban.core import audit
from tongban.core.errors import FieldError, NotFound
from tongban.identity.models import Enterprise, Region, User

from . import forms
from .models import CaseDraft

MAX_VALUE = 2000


def _target(code: str) -> tuple[bool, dict[str, Any] | None]:
    """(is a bundle, the form's schema) of an item or bundle code; FieldError if unknown."""
    code = (code or "").strip()
    if Bundle.objects.filter(code=code, active=True).exists():
        return True, forms.schema_for(bundle=code)
    if ServiceItem.objects.filter(code=code, active=True).exists():
        return False, forms.schema_for(item=code)
    raise FieldError("code", f"未找到事项或一件事 {code}")


def _clean_form(raw: Any, schema: dict[str, Any] | None, known: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The draftable part of `raw`: fields of the form, not locked, scalar, cut to length."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise FieldError("form", "申请表应为对象：{字段键: 取值}")
    props = (schema or {}).get("properties", {})
    kept: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in props or (key in known and known[key]["locked"]):
            continue
        if isinstance(value, str):
            kept[key] = value[:MAX_VALUE]
        elif isinstance(value, bool | int | float) or value is None:
            kept[key] = value
    return kept


def save_draft(actor: User, *, code: str, form: Any = None, region: str | None = None,
               enterprise: Enterprise | None = None) -> CaseDraft:
    """Create or update the actor's draft for `code` (as themself or for `enterprise`)."""
    is_bundle, schema = _target(code)
    region_row = None
    if region:
        region_row = Region.objects.filter(pk=region).first()
        if region_row is None:
            raise FieldError("region", f"未知的行政区划代码 {region}")
    kept = _clean_form(form, schema, forms.prefill(actor, enterprise))
    holder = enterprise.uscc if enterprise else ""
    with transaction.atomic():
        draft, _ = CaseDraft.objects.select_for_update().get_or_create(
            user=actor, holder=holder, code=code.strip(), defaults={"is_bundle": is_bundle})
        draft.form, draft.is_bundle = kept, is_bundle
        if region_row is not None:
            draft.region = region_row
        draft.save()
        audit.record("cases.draft.save", obj=draft, subject_id=actor.pk,
                     data={"code": draft.code, "holder": holder, "fields": sorted(kept)})
    return draft


def discard_draft(actor: User, *, code: str, enterprise: Enterprise | None = None) -> None:
    holder = enterprise.uscc if enterprise else ""
    with transaction.atomic():
        draft = CaseDraft.objects.select_for_update().filter(user=actor, holder=holder, code=code).first()
        if draft is None:
            raise NotFound(f"没有 {code} 的草稿")
        audit.record("cases.draft.discard", obj=draft, subject_id=actor.pk, data={"code": code, "holder": holder})
        draft.delete()

