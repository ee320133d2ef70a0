"""The licence library as the catalogue's `LicenceProvider` (catalog/licensing.py): set
`TONGBAN_LICENCE_PROVIDER = "tongban.licences.provider.LibraryLicenceProvider"`.

It answers from the library's sealed licences; until the catalogue's demo register
(`LicenceHolding`) has been imported into the library (demo.load does), holdings the library
does not know yet are still honoured, so switching the setting never loses a holding."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from tongban.catalog.licensing import HeldLicence, RecordedLicenceProvider

from .models import Licence


class LibraryLicenceProvider:
    def held(self, holder: str, licence_types: Iterable[str], *,
             on: dt.date | None = None) -> dict[str, HeldLicence]:
        types = set(licence_types)
        if not holder or not types:
            return {}
        on = on or timezone.localdate()
        rows = (Licence.objects.valid_on(on).filter(holder_id=holder, licence_type__in=types)
                .select_related("licence_type", "issuer").order_by("licence_type_id", "-valid_from", "-id"))
        found: dict[str, HeldLicence] = {}
        for r in rows:
            found.setdefault(r.licence_type_id, HeldLicence(
                licence_type=r.licence_type_id, type_name=r.licence_type.name, number=r.number, holder=r.holder_id,
                issuer=r.issuer.name, valid_from=r.valid_from, valid_to=r.valid_until))
        missing = types - set(found)
        if missing:
            known = set(Licence.objects.filter(holder_id=holder, licence_type__in=missing)
                        .values_list("licence_type_id", flat=True))
            # a type the library knows (even revoked) is the library's to answer; others: the register
            rest = missing - known
            if rest:
                found.update(RecordedLicenceProvider().held(holder, rest, on=on))
        return found
