"""Demo register of licences the demo applicants hold, read by the minimal LicenceProvider
(catalog/licensing.py): each demo person holds a 居民身份证 and a 居民户口簿, the demo
enterprise a 营业执照 — so guides and cases show materials as fetched, not uploaded (R12)."""

from __future__ import annotations

import datetime as dt

from tongban.identity.demo import AGENT, CITIZENS, DEMO_ENTERPRISE, make_id_number, make_uscc

from .models import LicenceHolding, LicenceType

PERSON_TYPES = ("ZZ-SFZ", "ZZ-HKB")
ENTERPRISE_TYPES = ("ZZ-YYZZ",)


def _number(licence_type: str, holder: str) -> str:
    return f"{licence_type.removeprefix('ZZ-')}{holder[-10:]}"


def load() -> int:
    """Idempotent: holdings already present are left as they are. Returns how many were added."""
    types = {t.code: t for t in LicenceType.objects.filter(code__in=[*PERSON_TYPES, *ENTERPRISE_TYPES])}
    wanted = [(make_id_number(r, b, s), n, code) for n, r, b, s, _ in [*CITIZENS, AGENT] for code in PERSON_TYPES]
    uscc = make_uscc(DEMO_ENTERPRISE["region"], DEMO_ENTERPRISE["org"])
    wanted += [(uscc, DEMO_ENTERPRISE["name"], code) for code in ENTERPRISE_TYPES]
    added = 0
    for holder, name, code in wanted:
        if code not in types:
            continue
        _, created = LicenceHolding.objects.get_or_create(
            licence_type=types[code], number=_number(code, holder),
            defaults={"holder": holder, "holder_name": name, "issuer_id": types[code].issuer_id,
                      "valid_from": dt.date(2020, 1, 1), "valid_to": None})
        added += created
    return added
