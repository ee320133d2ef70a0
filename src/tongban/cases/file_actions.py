"""Uploading a material's file: one of the write paths of cases, beside `actions.py` (same
rules: who acts, the case's state, one transaction with its audit record)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from tongban.catalog.licensing import holder_of
from tongban.core.errors import Conflict, FieldError
from tongban.identity.models import User

from .actions import _as_applicant, _record
from .constants import Provision, Status
from .models import Case, CaseMaterial

UPLOADABLE_STATES = (Status.SUBMITTED, Status.CORRECTION)
UPLOAD_KINDS = ("pdf", "jpg", "png", "ofd")


def attach_file(actor: User, case: Case, position: int, upload: Any) -> Any:
    """Upload the file of material `position` of the case's list (the applicant, an agent of
    the enterprise, or the window staff member who filed it), while the case is submitted or
    in correction. R11: only a material of the list; R12: a material sourced from a licence
    the holder holds, or shared by a department, is fetched and never uploaded. The file is
    judged and stored first (`core.uploads.store`); the row, the material's provision and the
    audit record are one transaction, and a failed transaction removes the stored file."""
    from django.core.files.storage import default_storage

    from tongban.catalog.licensing import licence_provider
    from tongban.core import uploads

    from .models import CaseFile

    _as_applicant(actor, case)
    if case.status not in UPLOADABLE_STATES:
        raise Conflict(f"办件 {case.number} 当前状态为“{Status(case.status).label}”，不能上传材料")
    material = CaseMaterial.objects.filter(case=case, position=position).first()
    if material is None:
        raise FieldError("position", f"办件 {case.number} 的材料清单中没有第 {position} 项材料；"
                                     "办事指南清单以外的材料无需也不得提交（R11）")
    if material.source == "department":
        raise FieldError("position", f"材料《{material.name}》由部门共享调取，无需也不得上传（R12）")
    if material.provision == Provision.FETCHED:
        number = f"（证照编号 {material.licence_number}）" if material.licence_number else ""
        raise FieldError("position", f"材料《{material.name}》已从电子证照库调取{number}，无需也不得上传（R12）")
    if material.licence_type:
        held = licence_provider().held(holder_of(case.applicant, case.on_behalf_of), [material.licence_type])
        if material.licence_type in held:
            raise FieldError("position", f"材料《{material.name}》可从电子证照库调取"
                                         f"（{held[material.licence_type].describe()}），无需也不得上传（R12）")
    if upload is None:
        raise FieldError("file", "请选择要上传的文件")
    stored = uploads.store(upload, field="file", prefix=f"cases/{case.number}", allowed=UPLOAD_KINDS)
    try:
        with transaction.atomic():
            locked = Case.objects.select_for_update().filter(pk=case.pk).values_list("status", flat=True).first()
            if locked not in UPLOADABLE_STATES:
                raise Conflict(f"办件 {case.number} 已被他人处理，不能再上传材料，请刷新后查看最新状态")
            row = CaseFile.objects.create(
                case=case, material=material, storage_name=stored.name, kind=stored.kind,
                content_type=stored.content_type, size=stored.size, sha256=stored.sha256,
                original_name=stored.original_name[:255], uploaded_by=actor, uploaded_at=timezone.now())
            CaseMaterial.objects.filter(pk=material.pk).update(
                provision=Provision.UPLOADED, reference=f"file:{row.pk}", confirmed=False)
            material.provision, material.reference, material.confirmed = Provision.UPLOADED, f"file:{row.pk}", False
            _record(case, "attach-file", position=material.position, material=material.name, file=row.pk,
                    kind=stored.kind, size=stored.size, sha256=stored.sha256)
    except BaseException:
        default_storage.delete(stored.name)  # nothing half-written: no row, no file
        raise
    return row
