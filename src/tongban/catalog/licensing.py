"""The `LicenceProvider` seam (DESIGN.md): "does holder H hold a valid licence of type X?".

Guides (the "您需要准备" checklist) and cases (a material sourced from a licence type is
fetched, never uploaded — R12) ask through this interface and never know the licence
library. The provider in use is named by the `TONGBAN_LICENCE_PROVIDER` setting; the minimal
provider here reads `catalog.LicenceHolding`, a register of licences the platform knows a
holder has. The licence library (issue 6) replaces it by pointing the setting at its own
provider — callers do not change.

A holder is identified by its legal identifier: a person's 公民身份号码 (R1), an enterprise's
统一社会信用代码 (R2). `holder_of()` turns the acting user into that identifier."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class HeldLicence:
    """What a caller may know about a licence it asked for: enough to name it in a guide or
    to record the material as fetched, not the licence's content."""

    licence_type: str
    type_name: str
    number: str
    holder: str
    issuer: str
    valid_from: dt.date
    valid_to: dt.date | None

    def describe(self) -> str:
        until = f"，有效期至 {self.valid_to.isoformat()}" if self.valid_to else "，长期有效"
        return f"《{self.type_name}》{self.number}（{self.issuer}{until}）"


class LicenceProvider(Protocol):
    def held(self, holder: str, licence_types: Iterable[str], *,
             on: dt.date | None = None) -> dict[str, HeldLicence]:
        """The valid licences `holder` holds on `on` (today by default), keyed by licence
        type code, among `licence_types`. A type the holder does not hold validly is absent."""
        ...


class RecordedLicenceProvider:
    """The minimal provider: the `LicenceHolding` register (demo data and tests fill it)."""

    def held(self, holder: str, licence_types: Iterable[str], *,
             on: dt.date | None = None) -> dict[str, HeldLicence]:
        from .models import LicenceHolding

        types = set(licence_types)
        if not holder or not types:
            return {}
        on = on or timezone.localdate()
        rows = (LicenceHolding.objects.valid_on(on)
                .filter(holder=holder, licence_type__in=types)
                .select_related("licence_type", "issuer")
                .order_by("licence_type_id", "-valid_from"))
        found: dict[str, HeldLicence] = {}
        for r in rows:
            found.setdefault(r.licence_type_id, HeldLicence(
                licence_type=r.licence_type_id, type_name=r.licence_type.name, number=r.number,
                holder=r.holder, issuer=r.issuer.name, valid_from=r.valid_from, valid_to=r.valid_to))
        return found


@cache
def _provider(path: str) -> LicenceProvider:
    return import_string(path)()


def licence_provider() -> LicenceProvider:
    return _provider(getattr(settings, "TONGBAN_LICENCE_PROVIDER", "tongban.catalog.licensing.RecordedLicenceProvider"))


def holder_of(user: Any, acting_for: Any = None) -> str:
    """The legal identifier of whom the request is for: the enterprise being acted for (its
    USCC), else the person's ID number; '' for anyone without one (anonymous, staff)."""
    if acting_for is not None:
        return getattr(acting_for, "uscc", "") or str(acting_for)
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return getattr(user, "id_number", None) or ""
