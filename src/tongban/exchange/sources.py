"""Where a resource's records come from: `source key → (subject) → [(record, subject user id,
enterprise uscc)]`. Only what the platform holds itself (the identity register)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tongban.identity.models import Enterprise, EnterpriseMembership, User

Record = tuple[dict[str, Any], int | None, str]


def _persons(subject: str) -> list[Record]:
    rows = []
    for u in User.objects.filter(id_number=subject, kind="person")[:1]:
        rows.append(({"id_number": u.id_number, "name": u.name, "phone": u.phone,
                      "real_name_level": u.real_name_level}, u.pk, ""))
    return rows


def _enterprises(subject: str) -> list[Record]:
    rows = []
    for e in Enterprise.objects.filter(uscc=subject).select_related("region")[:1]:
        agents = EnterpriseMembership.objects.filter(enterprise=e).count()
        rows.append(({"uscc": e.uscc, "name": e.name, "legal_representative": e.legal_representative,
                      "region": e.region.name if e.region_id else "", "agents": agents}, None, e.uscc))
    return rows


SOURCES: dict[str, Callable[[str], list[Record]]] = {"identity.person": _persons, "identity.enterprise": _enterprises}
