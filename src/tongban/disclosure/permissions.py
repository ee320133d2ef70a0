"""Who may do what in disclosure: named roles, no literals in views."""

from __future__ import annotations

from typing import Any

from tongban.identity.constants import Role
from tongban.identity.scoping import grants_of, is_admin

# The privacy check: the staff who publish or answer (editors, officers, heads, window staff,
# supervisors, hotline operators, administrators) — anyone of the staff, never an applicant.
PRIVACY_ROLES = frozenset(
    {Role.EDITOR, Role.OFFICER, Role.HEAD, Role.WINDOW, Role.SUPERVISOR, Role.HOTLINE_OPERATOR, Role.ADMIN}
)
# Officer actions on a request: officers and heads of the handling department, administrators.
HANDLER_ROLES = frozenset({Role.OFFICER, Role.HEAD})
# Moderating comments, answering opinions, publishing feedback: editors, officers, heads.
MODERATOR_ROLES = frozenset({Role.EDITOR, Role.OFFICER, Role.HEAD})


def roles(user: Any) -> set[str]:
    return {g.role for g in grants_of(user)}


def is_staff(user: Any) -> bool:
    return is_admin(user) or bool(roles(user))


def may_check_privacy(user: Any) -> bool:
    return is_admin(user) or bool(roles(user) & PRIVACY_ROLES)


def may_handle(user: Any, req: Any) -> bool:
    if is_admin(user):
        return True
    return any(g.role in HANDLER_ROLES and g.department_id == req.department_id for g in grants_of(user))


def may_moderate(user: Any) -> bool:
    return is_admin(user) or bool(roles(user) & MODERATOR_ROLES)


# --- a site's message box and health dashboard -------------------------------------------------------


def may_moderate_site(user: Any, site: Any) -> bool:
    """The site's editors: its Wagtail editor and reviewer groups, platform editors whose region
    holds the site's, administrators."""
    from .tenancy import holds_site

    if is_admin(user) or holds_site(user, site):
        return True
    path = site.region_path()
    return any(g.role == Role.EDITOR and path.startswith(g.region_path) for g in grants_of(user))


def may_answer_site(user: Any, site: Any) -> bool:
    """The site's editors and the officers and heads of its department."""
    if may_moderate_site(user, site):
        return True
    return bool(site.department_id) and any(
        g.role in HANDLER_ROLES and g.department_id == site.department_id for g in grants_of(user)
    )
