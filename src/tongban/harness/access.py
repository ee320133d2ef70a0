"""The building blocks of the permission matrix: outcomes, access patterns and rows
(tongban.harness.matrix holds the table; each later app's rows are in matrix_<app>.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .personas import PERSONAS

ALLOWED = "allowed"
OUTCOMES = (ALLOWED, "401", "403", "404")

NAMES = tuple(p.name for p in PERSONAS)
APPLICANTS = tuple(p.name for p in PERSONAS if p.is_applicant)
STAFF_NAMES = tuple(p.name for p in PERSONAS if p.is_staff)
CLIENT_NAMES = tuple(p.name for p in PERSONAS if p.is_client)


def with_clients(table: Mapping[str, str]) -> dict[str, str]:
    """Complete an outcome table with the external clients: a client-credentials token is no
    user, so a client gets exactly what the anonymous caller gets (a page: sent to sign in; a
    secured API operation: 401; a public one: allowed) unless the table names it. This is how
    "every route but the exchange's read API answers a client token with 401" holds for every
    row by construction — the matrix test then sends each row's request with each client's real
    token."""
    full = dict(table)
    for name in CLIENT_NAMES:
        full.setdefault(name, full["anonymous"])
    return full


def access(default: str, **outcomes: str) -> dict[str, str]:
    """An outcome for every persona: `default` unless named. Persona groups may be given as
    `applicants=`, `staff=` and `clients=`; single personas override the groups. The clients,
    unless named or given as a group, get the anonymous caller's outcome (`with_clients`)."""
    table = dict.fromkeys((n for n in NAMES if n not in CLIENT_NAMES), default)
    for group, members in (("applicants", APPLICANTS), ("staff", STAFF_NAMES), ("clients", CLIENT_NAMES)):
        if group in outcomes:
            table.update(dict.fromkeys(members, outcomes.pop(group)))
    unknown = set(outcomes) - set(NAMES)
    if unknown:
        raise KeyError(f"unknown personas {sorted(unknown)}")
    table.update(outcomes)
    table = with_clients(table)
    assert set(table.values()) <= set(OUTCOMES), table
    return table


PUBLIC = access(ALLOWED)
SIGNED_IN = access(ALLOWED, anonymous="401")
STAFF = access(ALLOWED, anonymous="401", applicants="403")
ADMIN = access("403", anonymous="401", admin=ALLOWED)
# catalog.permissions.EDIT_ROLES: officers and heads of the implementing department, editors, admins
CATALOG_EDITORS = access("403", anonymous="401", officer_a=ALLOWED, officer_b=ALLOWED,
                         officer_other_region=ALLOWED, head=ALLOWED, editor=ALLOWED, admin=ALLOWED)
NOT_FOUND = access("404")
OWN_MESSAGE = access("404", anonymous="401", citizen_a=ALLOWED)  # a message is its addressee's alone
LEGAL_REPRESENTATIVE = access("404", anonymous="401", agent=ALLOWED, admin=ALLOWED)


@dataclass(frozen=True)
class Row:
    route: str  # "GET /api/me" or a Django route such as "accounts/me/"
    access: Mapping[str, str]
    what: str  # for docs/permissions.md
    method: str = "GET"  # pages only; an API row's method is in its key
    path: str | None = None  # the request path, placeholders {name} filled by the test
    data: dict[str, Any] = field(default_factory=dict)  # JSON body (API) or form fields (pages)
    upload: str | None = None  # API: send a multipart request with a junk file in this field instead
    prefix: bool = False  # covers every route under `route` (the admin sites)

    def __post_init__(self) -> None:
        full = with_clients(self.access)  # a table built by hand (a dict comprehension) gets the clients too
        if set(full) != set(NAMES) or not set(full.values()) <= set(OUTCOMES):
            raise ValueError(f"row {self.route!r}: an outcome of {OUTCOMES} for each of {NAMES}, got {full}")
        object.__setattr__(self, "access", full)

    @property
    def is_api(self) -> bool:
        return self.route.split(" ", 1)[0] in {"GET", "POST", "PUT", "PATCH", "DELETE"}

    @property
    def http_method(self) -> str:
        return self.route.split(" ", 1)[0] if self.is_api else self.method

    def request_path(self, example: str, objects: Mapping[str, Any]) -> str:
        return (self.path or example).format_map(objects)


def api(route: str, who: Mapping[str, str], what: str, **kw: Any) -> Row:
    return Row(route, who, what, **kw)


def page(route: str, who: Mapping[str, str], what: str, **kw: Any) -> Row:
    return Row(route, who, what, **kw)
