"""Who may review, and who may act on a rectification. Seeing is the selectors' business
(scope); acting needs more."""

from __future__ import annotations

from typing import Any

from tongban.identity.constants import Role
from tongban.identity.permissions import is_staff_member
from tongban.identity.scoping import grants_of, is_admin

DEPARTMENT_ROLES = frozenset({Role.HEAD, Role.OFFICER})


def is_staff(user: Any) -> bool:
    return is_staff_member(user) or bool(getattr(user, "is_superuser", False))


def _covers(grant: Any, department_id: str, region_path: str) -> bool:
    return grant.department_id == department_id and region_path.startswith(grant.region_path)


def serves(user: Any, rect: Any) -> bool:
    """Heads and officers of the department that served, in its region and above."""
    return any(g.role in DEPARTMENT_ROLES and _covers(g, rect.department_id, rect.region.path)
               for g in grants_of(user))


def supervises(user: Any, rect: Any) -> bool:
    return is_admin(user) or any(g.role == Role.SUPERVISOR and rect.region.path.startswith(g.region_path)
                                 for g in grants_of(user))


def is_supervisor(user: Any) -> bool:
    return any(g.role == Role.SUPERVISOR for g in grants_of(user))


def sees_statistics(user: Any) -> bool:
    """The overview: supervisors, department heads and administrators (others 403)."""
    return is_admin(user) or any(g.role in (Role.SUPERVISOR, Role.HEAD) for g in grants_of(user))


def is_window(user: Any) -> bool:
    return any(g.role in (Role.WINDOW, Role.OFFICER, Role.HEAD) for g in grants_of(user))
