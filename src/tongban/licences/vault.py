"""Reads of the material vault (R12): the holder's view (the person, and the enterprises they
actively act for) and the lookup a new case uses (`usable_entry`, `entries_for`). The writes
are in `vault_actions`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from tongban.core.errors import FieldError, NotFound

from .models import VaultEntry
from .selectors import enterprises_of


def _holder_q(user: Any) -> Q:
    q = Q(holder_user=user)
    enterprises = enterprises_of(user)
    if enterprises:
        q |= Q(holder_enterprise_id__in=enterprises)
    return q


def entries_of(user: Any) -> QuerySet[VaultEntry]:
    """The caller's entries and their active enterprises' (deleted ones are gone for them)."""
    return (VaultEntry.objects.filter(_holder_q(user), deleted_at__isnull=True)
            .select_related("material_type", "source_case", "holder_enterprise"))


def get_entry(user: Any, entry_id: int) -> VaultEntry:
    entry = entries_of(user).filter(pk=entry_id).first()
    if entry is None:
        raise NotFound("未找到该材料")
    return entry


def row(entry: VaultEntry, today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    valid = entry.valid_on(today)
    return {
        "id": entry.pk, "name": entry.name,
        "material_type": entry.material_type.code if entry.material_type_id else None,
        "material_type_name": entry.material_type.name if entry.material_type_id else "",
        "holder": entry.holder_enterprise.name if entry.holder_enterprise_id else "本人",
        "sha256": entry.sha256, "has_file": bool(entry.storage_name), "file_name": entry.original_name,
        "source_case": entry.source_case.number, "confirmed_at": timezone.localtime(entry.confirmed_at).isoformat(),
        "valid_until": entry.valid_until.isoformat() if entry.valid_until else None,
        "status": "valid" if valid else "expired", "status_name": "有效" if valid else "已过期",
        "file_url": f"/api/me/vault/{entry.pk}/file" if entry.storage_name else None,
    }


def _holder_filter(holder: Any) -> Q:
    from tongban.identity.models import Enterprise

    if isinstance(holder, Enterprise):
        return Q(holder_enterprise=holder)
    return Q(holder_user=holder)


def entries_for(holder: Any, material_types: list[Any], on: dt.date | None = None) -> dict[Any, VaultEntry]:
    """For a new case's materials: the newest usable entry of each material type the holder
    has (one query, whatever the number of materials)."""
    on = on or timezone.localdate()
    found: dict[Any, VaultEntry] = {}
    rows = (VaultEntry.objects.filter(_holder_filter(holder), material_type__in=material_types,
                                      deleted_at__isnull=True)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on)).order_by("material_type_id", "-confirmed_at"))
    for entry in rows:
        found.setdefault(entry.material_type_id, entry)
    return found


def usable_entry(holder: Any, material_type: Any, on: dt.date | None = None) -> VaultEntry:
    """The entry a case may reuse for `material_type`; an expired one is refused with its date
    (FieldError `material`), none at all is NotFound."""
    on = on or timezone.localdate()
    entries = list(VaultEntry.objects.filter(_holder_filter(holder), material_type=material_type,
                                             deleted_at__isnull=True).order_by("-valid_until", "-confirmed_at"))
    for entry in entries:
        if entry.valid_on(on):
            return entry
    if entries:
        last = entries[0]
        raise FieldError("material", f"材料库中的《{last.name}》已于 {last.valid_until.isoformat()} 过期，请重新提交")
    raise NotFound("材料库中没有该类材料")
