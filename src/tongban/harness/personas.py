"""The personas of issue 10, mapped onto the shared cast of `tongban.testing`.

One ordered list, used by the permission matrix (its columns), the fuzz (one run each) and
`docs/permissions.md`. A persona is a name, a Chinese label and the `Cast` attribute that
holds its user (None: anonymous)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Persona:
    name: str
    label: str
    short: str  # a column heading of docs/permissions.md
    attribute: str | None  # on tongban.testing.Cast; None for the anonymous caller

    def user(self, cast: Any) -> Any:
        return getattr(cast, self.attribute) if self.attribute else None

    @property
    def is_staff(self) -> bool:
        return self.name not in {"anonymous", "citizen_a", "citizen_b", "agent"}


PERSONAS: tuple[Persona, ...] = (
    Persona("anonymous", "匿名", "匿名", None),
    Persona("citizen_a", "公民甲", "公民甲", "citizen"),
    Persona("citizen_b", "公民乙", "公民乙", "other_citizen"),
    Persona("agent", "企业经办人", "经办人", "agent"),
    Persona("window", "窗口人员（市场监管局）", "窗口", "window"),
    Persona("officer_a", "审批人员（市场监管局）", "审批A", "officer_a"),
    Persona("officer_b", "审批人员（公安局）", "审批B", "officer_b"),
    Persona("officer_other_region", "审批人员（中山区）", "区审批", "district_officer"),
    Persona("head", "部门负责人（市场监管局）", "负责人", "head"),
    Persona("supervisor", "监督人员（全市）", "监督", "supervisor"),
    Persona("editor", "内容编辑（全市）", "编辑", "editor"),
    Persona("hotline", "12345话务员", "话务员", "hotline"),
    Persona("admin", "系统管理员", "管理员", "admin"),
)
BY_NAME = {p.name: p for p in PERSONAS}


def persona(name: str) -> Persona:
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown persona {name!r}; known: {', '.join(BY_NAME)}") from None
