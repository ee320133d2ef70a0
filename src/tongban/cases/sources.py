"""The material-source seam of cases (R12, issue 6 item 5): what a new case may take instead of
an upload, asked through one interface so that cases never imports the licence library.

- `offers(applicant, enterprise, material_types, on)`: the holder's earlier confirmed
  materials, by catalogue material type, newest first — usable ones and expired ones (an
  expired one is refused with its date, never reused). The licence library's material vault
  answers this (`tongban.licences.sources.VaultMaterialSource`).
- `shared_fields(licence)`: the fields of a held licence's record that a fetch hands to the
  department (the consent preview shows exactly these).
- optional `department_fields(row)`: the fields of a department-shared material's record (部门
  共享); without it, `DEPARTMENT_RECORD_FIELDS`.

The source in use: the `TONGBAN_MATERIAL_SOURCE` setting when set; else the one an installed
app registered (`register_default`, the licence library does in its `ready()`); else
`CaseMaterialSource` here — confirmed uploads of the holder's earlier cases, the record's
common fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

# The fields every fetched licence record carries (HeldLicence); a source may name more.
RECORD_FIELDS = ("证照名称", "证照编号", "持证主体名称", "持证主体标识", "发证机关", "有效期")
# What a department-shared record (部门共享, e.g. the hospital's birth record) hands over, unless
# the source names its fields (`department_fields(row)`, optional).
DEPARTMENT_RECORD_FIELDS = ("数据主体名称", "数据主体标识", "记录名称", "记录内容", "提供部门", "记录日期")


@dataclass(frozen=True)
class Offer:
    """One earlier confirmed material a new case may reuse (or, expired, must refuse)."""

    entry_id: int
    material_type: str
    name: str
    material_id: int | None  # the case material it was confirmed as (kept as the case's `reused_from`)
    confirmed_at: dt.datetime | None
    valid_until: dt.date | None
    source_case: str = ""

    def usable_on(self, day: dt.date) -> bool:
        return self.valid_until is None or self.valid_until >= day

    def describe(self) -> str:
        until = f"，有效期至 {self.valid_until.isoformat()}" if self.valid_until else ""
        when = f"于 {timezone.localtime(self.confirmed_at):%Y-%m-%d} 经审核确认" if self.confirmed_at else "经审核确认"
        case = f"（办件 {self.source_case}）" if self.source_case else ""
        return f"材料库中的《{self.name}》{case}{when}{until}"


class MaterialSource(Protocol):
    def offers(self, applicant: Any, enterprise: Any, material_types: Iterable[str], *,
               on: dt.date | None = None) -> dict[str, list[Offer]]:
        """By material type code: the holder's entries (usable and expired, not deleted),
        newest first. One query whatever the number of materials."""
        ...

    def shared_fields(self, licence: Any) -> list[str]:
        """The field labels of `licence` (a catalog.licensing.HeldLicence) a fetch shares."""
        ...


class CaseMaterialSource:
    """Without the licence library: confirmed uploads of the holder's earlier cases."""

    def offers(self, applicant: Any, enterprise: Any, material_types: Iterable[str], *,
               on: dt.date | None = None) -> dict[str, list[Offer]]:
        from .constants import Provision
        from .models import CaseMaterial

        codes = [c for c in set(material_types) if c]
        if not codes:
            return {}
        owner = ({"case__on_behalf_of": enterprise} if enterprise is not None
                 else {"case__applicant": applicant, "case__on_behalf_of__isnull": True})
        found: dict[str, list[Offer]] = {}
        rows = (CaseMaterial.objects.filter(confirmed=True, provision=Provision.UPLOADED, correction_requested=False,
                                            material_type__code__in=codes, **owner)
                .select_related("material_type", "case").order_by("-id"))
        for m in rows:
            found.setdefault(m.material_type.code, []).append(Offer(
                entry_id=m.pk, material_type=m.material_type.code, name=m.name, material_id=m.pk,
                confirmed_at=m.case.submitted_at, valid_until=None, source_case=m.case.number))
        return found

    def shared_fields(self, licence: Any) -> list[str]:
        return list(RECORD_FIELDS)


_registered: list[str] = []


def register_default(path: str) -> None:
    """An installed app offers its source (used unless the setting names another)."""
    if path not in _registered:
        _registered.append(path)


@cache
def _load(path: str) -> MaterialSource:
    return import_string(path)()


def material_source() -> MaterialSource:
    path = getattr(settings, "TONGBAN_MATERIAL_SOURCE", None) or (_registered[-1] if _registered else None)
    return _load(path or "tongban.cases.sources.CaseMaterialSource")
