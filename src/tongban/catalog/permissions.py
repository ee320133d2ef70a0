"""Who may change the catalogue. Reading it is public; changing it is for officers and heads
of the implementing department (their region and below), content editors (their region and
below) and administrators — each only through the grants that carry an editing role."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.db.models import QuerySet

from tongban.identity.constants import Role
from tongban.identity.scoping import grants_of, is_admin

EDIT_ROLES = frozenset({Role.OFFICER, Role.HEAD, Role.EDITOR})
# Synonyms change the whole city's search: content editors and administrators keep them.
SEARCH_CURATOR_ROLES = frozenset({Role.EDITOR, Role.ADMIN})


def can_edit_catalog(user: Any) -> bool:
    return is_admin(user) or any(g.role in EDIT_ROLES for g in grants_of(user))


def can_curate_search(user: Any) -> bool:
    """May keep the synonym table and close no-result queries (the editors' dashboard)."""
    return is_admin(user) or any(g.role in SEARCH_CURATOR_ROLES for g in grants_of(user))


def editable_by(qs: QuerySet, user: Any) -> QuerySet:
    """`qs` limited to the rows `user` may edit. The scope is the one mechanism of
    `identity.scoping`, applied to the user's editing grants only, so that a supervisor's
    city-wide reading grant never widens what the same person may edit as an officer."""
    if is_admin(user):
        return qs
    editor = SimpleNamespace(is_authenticated=True, is_superuser=False,
                             _tongban_grants=[g for g in grants_of(user) if g.role in EDIT_ROLES])
    return qs.visible_to(editor)
