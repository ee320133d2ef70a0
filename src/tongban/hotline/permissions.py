"""Who may do what with tickets."""

from __future__ import annotations

from typing import Any

from tongban.identity.constants import DEPARTMENT_ROLES, Role
from tongban.identity.scoping import grants_of, is_admin

from .constants import HEAD_LEVELS

OPERATOR_ACTIONS = {"dispatch", "reroute", "decide-extension", "accept-reply", "send-back", "callback",
                    "link-duplicate", "unlink", "urge"}
DEPARTMENT_ACTIONS = {"sign", "return", "request-extension", "reply"}
ACTIONS = OPERATOR_ACTIONS | DEPARTMENT_ACTIONS


def is_operator(user: Any) -> bool:
    return is_admin(user) or any(g.role == Role.HOTLINE_OPERATOR for g in grants_of(user))


def is_supervisor(user: Any) -> bool:
    return any(g.role == Role.SUPERVISOR for g in grants_of(user))


def department_ids(user: Any) -> set[str]:
    return {g.department_id for g in grants_of(user) if g.role in DEPARTMENT_ROLES and g.department_id}


def is_staff_reader(user: Any) -> bool:
    """Staff who see tickets at all: operators, supervisors, department staff."""
    return is_operator(user) or is_supervisor(user) or bool(department_ids(user))


def may_act(user: Any, action: str, ticket: Any) -> bool:
    if action in DEPARTMENT_ACTIONS:
        return is_admin(user) or (ticket.department_id is not None and ticket.department_id in department_ids(user))
    if action == "urge":
        return is_operator(user) or is_supervisor(user)
    return is_operator(user)


def may_add_co_department(user: Any, ticket: Any) -> bool:
    """联办: the centre (operators) or the lead department's staff add co-departments."""
    return is_operator(user) or (ticket.department_id is not None and ticket.department_id in department_ids(user))


def may_reply_as_co_department(user: Any, co: Any) -> bool:
    return is_admin(user) or co.department_id in department_ids(user)


def may_reply_urging(user: Any, urging: Any) -> bool:
    """督办 replies: 催办 by the department's staff; 督办 and 通报 by its head (administrators always)."""
    if is_admin(user):
        return True
    if urging.level in HEAD_LEVELS:
        return any(g.role == Role.HEAD and g.department_id == urging.department_id for g in grants_of(user))
    return urging.department_id in department_ids(user)


def may_edit_knowledge(user: Any) -> bool:
    """Knowledge-base authors and reviewers: operators, content editors, administrators."""
    return is_operator(user) or any(g.role == Role.EDITOR for g in grants_of(user))


def may_see_stats(user: Any) -> bool:
    """The hotline dashboard: operators, supervisors, department heads (their region's figures)."""
    return is_operator(user) or is_supervisor(user) or any(g.role == Role.HEAD for g in grants_of(user))
