"""The licence library as the cases app's material source (`tongban.cases.sources`): reuse
offers come from the material vault (R12), and a fetched licence shares the fields of the
library's sealed record. Registered in `LicencesConfig.ready()`; cases never imports this."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from tongban.cases.sources import RECORD_FIELDS, Offer

from .models import Licence, VaultEntry

# what the signed record carries beyond the common fields (licences.actions._licence_data)
EXTRA_FIELDS = ("发证日期", "证照状态")


class VaultMaterialSource:
    def offers(self, applicant: Any, enterprise: Any, material_types: Iterable[str], *,
               on: dt.date | None = None) -> dict[str, list[Offer]]:
        """One query: the holder's (the enterprise filed for, else the person) vault entries of
        these material types, not deleted, newest first — usable and expired alike (the caller
        refuses an expired one with its date)."""
        codes = [c for c in set(material_types) if c]
        if not codes:
            return {}
        holder = Q(holder_enterprise=enterprise) if enterprise is not None else Q(holder_user=applicant)
        rows = (VaultEntry.objects.filter(holder, material_type__code__in=codes, deleted_at__isnull=True)
                .select_related("source_case", "material_type")
                .only("pk", "name", "material_type__code", "source_material_id", "confirmed_at", "valid_until",
                      "source_case__number")
                .order_by("material_type_id", "-confirmed_at", "-id"))
        found: dict[str, list[Offer]] = {}
        for e in rows:
            found.setdefault(e.material_type.code, []).append(Offer(
                entry_id=e.pk, material_type=e.material_type.code, name=e.name, material_id=e.source_material_id,
                confirmed_at=e.confirmed_at, valid_until=e.valid_until, source_case=e.source_case.number))
        return found

    def shared_fields(self, licence: Any) -> list[str]:
        """The common fields, the record's own items (`Licence.data`), issue date and status."""
        row = (Licence.objects.filter(licence_type_id=licence.licence_type, number=licence.number,
                                      holder_id=licence.holder).only("data").first())
        extra = [str(k) for k in (row.data or {})] if row is not None else []
        return list(RECORD_FIELDS) + list(EXTRA_FIELDS if row is not None else ()) + extra
