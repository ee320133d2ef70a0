"""The personas of issue 10, mapped onto the shared cast of `tongban.testing`.

One ordered list, used by the permission matrix (its columns), the fuzz (one run each) and
`docs/permissions.md`. A persona is a name, a Chinese label, its kind and either the `Cast`
attribute that holds its user (None: anonymous) or, for an external system, the OAuth client
it is (`ClientSpec`: a department's client-credentials application of the exchange, with one
`exchange:<resource>` scope; see `tongban.harness.clients`).

The kind is stated per persona, never inferred from the name: a persona added without one is
refused, and only `STAFF` personas count as staff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ANONYMOUS, APPLICANT, STAFF, CLIENT = "anonymous", "applicant", "staff", "client"
KINDS = (ANONYMOUS, APPLICANT, STAFF, CLIENT)


@dataclass(frozen=True)
class ClientSpec:
    """An external department system: its department, the one scope its token carries, and
    whether its department holds an approved grant on that scope's (conditional) resource."""

    department: str
    resource: str  # the exchange resource code; the token's scope is `exchange:<resource>`
    granted: bool

    @property
    def scope(self) -> str:
        return f"exchange:{self.resource}"


@dataclass(frozen=True)
class Persona:
    name: str
    label: str
    short: str  # a column heading of docs/permissions.md
    attribute: str | None  # on tongban.testing.Cast; None for the anonymous caller and for clients
    kind: str
    client: ClientSpec | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"persona {self.name!r}: unknown kind {self.kind!r}; one of {KINDS}")
        if (self.kind == CLIENT) != (self.client is not None):
            raise ValueError(f"persona {self.name!r}: a client persona, and only one, has a ClientSpec")
        if (self.attribute is None) != (self.kind in (ANONYMOUS, CLIENT)):
            raise ValueError(f"persona {self.name!r}: users have a Cast attribute, anonymous and clients none")

    def user(self, cast: Any) -> Any:
        return getattr(cast, self.attribute) if self.attribute else None

    @property
    def is_staff(self) -> bool:
        return self.kind == STAFF

    @property
    def is_applicant(self) -> bool:
        return self.kind == APPLICANT

    @property
    def is_client(self) -> bool:
        return self.kind == CLIENT


PERSONAS: tuple[Persona, ...] = (
    Persona("anonymous", "匿名", "匿名", None, ANONYMOUS),
    Persona("citizen_a", "公民甲", "公民甲", "citizen", APPLICANT),
    Persona("citizen_b", "公民乙", "公民乙", "other_citizen", APPLICANT),
    Persona("agent", "企业经办人", "经办人", "agent", APPLICANT),
    Persona("window", "窗口人员（市场监管局）", "窗口", "window", STAFF),
    Persona("officer_a", "审批人员（市场监管局）", "审批A", "officer_a", STAFF),
    Persona("officer_b", "审批人员（公安局）", "审批B", "officer_b", STAFF),
    Persona("officer_other_region", "审批人员（中山区）", "区审批", "district_officer", STAFF),
    Persona("head", "部门负责人（市场监管局）", "负责人", "head", STAFF),
    Persona("supervisor", "监督人员（全市）", "监督", "supervisor", STAFF),
    Persona("editor", "内容编辑（全市）", "编辑", "editor", STAFF),
    Persona("hotline", "12345话务员", "话务员", "hotline", STAFF),
    Persona("admin", "系统管理员", "管理员", "admin", STAFF),
    # external systems with a client-credentials token of one scope each (issue 10 item 2)
    Persona("client_granted", "外部客户端（市人社局，exchange:resident-identity，已获共享授权）", "客户端授权",
            None, CLIENT, ClientSpec("hrss", "resident-identity", granted=True)),
    Persona("client_ungranted", "外部客户端（市税务局，exchange:resident-identity，无共享授权）", "客户端无授权",
            None, CLIENT, ClientSpec("tax", "resident-identity", granted=False)),
    Persona("client_other_scope", "外部客户端（市税务局，exchange:enterprise-registration）", "客户端他域",
            None, CLIENT, ClientSpec("tax", "enterprise-registration", granted=False)),
)
BY_NAME = {p.name: p for p in PERSONAS}
USER_PERSONAS = tuple(p for p in PERSONAS if not p.is_client)  # anonymous and the cast's users
CLIENT_PERSONAS = tuple(p for p in PERSONAS if p.is_client)


def persona(name: str) -> Persona:
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown persona {name!r}; known: {', '.join(BY_NAME)}") from None
