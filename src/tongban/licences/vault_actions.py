"""Writes of the material vault (R12): filling it from approved cases, the holder's download
record and soft delete. Each function is one transaction with its audit record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from tongban.core import audit
from tongban.core.errors import NotFound

from .models import VaultEntry
from .vault import get_entry


def _validity_days() -> int:
    return int(getattr(settings, "TONGBAN_VAULT_VALIDITY_DAYS", 365))


def collect_from_case(case: Any, actor: Any = None) -> list[VaultEntry]:
    """Every uploaded material of the approved case that an officer confirmed becomes a vault
    entry of the case's holder (the enterprise filed for, else the applicant). Idempotent: one
    entry per case material (a unique key settles a race)."""
    from tongban.cases.constants import Provision
    from tongban.cases.models import CaseFile, CaseMaterial, CaseStep

    if case.status != "approved":
        return []
    materials = list(CaseMaterial.objects.filter(case=case, confirmed=True, provision=Provision.UPLOADED,
                                                 correction_requested=False).order_by("position"))
    if not materials:
        return []
    done = set(VaultEntry.objects.filter(source_material__in=materials).values_list("source_material_id", flat=True))
    files: dict[int, Any] = {}
    for f in CaseFile.objects.filter(material__in=materials).order_by("material_id", "-uploaded_at", "-id"):
        files.setdefault(f.material_id, f)
    step = CaseStep.objects.filter(case=case, action="accept").order_by("at").first()
    confirmer = step.actor if step else actor
    confirmed_at = step.at if step else timezone.now()
    until = timezone.localtime(confirmed_at).date() + dt.timedelta(days=_validity_days())
    holder = {"holder_enterprise_id": case.on_behalf_of_id} if case.on_behalf_of_id else {
        "holder_user_id": case.applicant_id}
    created = []
    with transaction.atomic():
        for m in materials:
            if m.pk in done:
                continue
            f = files.get(m.pk)
            try:
                with transaction.atomic():
                    entry = VaultEntry.objects.create(
                        material_type_id=m.material_type_id, name=m.name, case_file=f,
                        storage_name=f.storage_name if f else "", content_type=f.content_type if f else "",
                        original_name=f.original_name if f else "", sha256=f.sha256 if f else "",
                        source_case=case, source_material=m, confirmer=confirmer, confirmed_at=confirmed_at,
                        valid_until=until, **holder)
            except IntegrityError:
                continue  # a concurrent receiver kept it first
            created.append(entry)
        if created:
            audit.record("licences.vault.collect", obj=case, actor=actor, subject_id=case.applicant_id,
                         data={"number": case.number, "entries": [e.pk for e in created]})
    return created


def record_download(user: Any, entry: VaultEntry) -> None:
    with transaction.atomic():
        audit.record("licences.vault.download", obj=entry, actor=user, kind=audit.Kind.READ,
                     subject_id=entry.holder_user_id or user.pk, reason="持有人下载材料库中的材料",
                     data={"sha256": entry.sha256})


def delete_entry(user: Any, entry_id: int) -> VaultEntry:
    """Soft delete: the entry leaves the holder's vault and is no longer offered; the cases
    that used it keep their own material and file."""
    with transaction.atomic():
        entry = get_entry(user, entry_id)
        locked = VaultEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.deleted_at is not None:
            raise NotFound("未找到该材料")
        locked.deleted_at = timezone.now()
        locked.save(update_fields=["deleted_at"])
        audit.record("licences.vault.delete", obj=locked, actor=user, subject_id=locked.holder_user_id,
                     data={"name": locked.name})
    return locked
