"""Who may do what in identity. Permissions are named here, not spelled out in views."""

from __future__ import annotations

from typing import Any

from .constants import STAFF_ROLES
from .models import Enterprise, EnterpriseMembership
from .scoping import grants_of, is_admin


def is_staff_member(user: Any) -> bool:
    return any(g.role in STAFF_ROLES for g in grants_of(user))


def has_role(user: Any, *roles: str) -> bool:
    return is_admin(user) or any(g.role in roles for g in grants_of(user))


def can_manage_enterprise(user: Any, enterprise: Enterprise) -> bool:
    if is_admin(user):
        return True
    return EnterpriseMembership.objects.filter(
        enterprise=enterprise, user=user, role=EnterpriseMembership.Role.LEGAL_REPRESENTATIVE,
        status=EnterpriseMembership.Status.ACTIVE).exists()
