"""Site isolation in the Wagtail admin: an editor whose groups hold page permissions on site A
sees nothing of site B — not in the explorer, the page chooser or admin search — and a direct
URL to B's pages answers 404 (never a hint that they exist). Superusers see every site.

A site's reach is decided by Wagtail's own `GroupPagePermission` rows (the site's editor and
reviewer groups, made by `page_actions.ensure_site_groups`): the disclosure sites the user holds
no permission in, and which hold none of the user's permitted pages, are foreign."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from wagtail.models import GroupPagePermission, Page

from .models import DisclosureSiteRoot


def _permitted_paths(user: Any) -> list[str]:
    cached = getattr(user, "_tongban_page_roots", None)
    if cached is None:
        cached = list(
            GroupPagePermission.objects.filter(group__user=user).values_list("page__path", flat=True).distinct()
        )
        user._tongban_page_roots = cached
    return cached


def foreign_site_paths(user: Any) -> list[str] | None:
    """Tree paths of the disclosure sites `user` must not see; None for superusers."""
    if getattr(user, "is_superuser", False):
        return None
    mine = _permitted_paths(user)
    foreign = []
    for path in DisclosureSiteRoot.objects.values_list("path", flat=True):
        if any(p.startswith(path) or path.startswith(p) for p in mine):
            continue  # a permission inside this site, or above it (a cluster-wide editor)
        foreign.append(path)
    return foreign


def restrict(pages: QuerySet, user: Any) -> QuerySet:
    foreign = foreign_site_paths(user)
    if not foreign:
        return pages
    excluded = Q()
    for path in foreign:
        excluded |= Q(path__startswith=path)
    return pages.exclude(excluded)


def is_foreign(page: Page, user: Any) -> bool:
    foreign = foreign_site_paths(user)
    return bool(foreign) and any(page.path.startswith(path) for path in foreign)


def holds_site(user: Any, site: Page) -> bool:
    """The user holds a Wagtail page permission in `site` or above it (the site's editor and
    reviewer groups, a cluster-wide editor)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return any(p.startswith(site.path) or site.path.startswith(p) for p in _permitted_paths(user))
