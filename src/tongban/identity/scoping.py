"""Row-level scope, one mechanism for every app (after NetBox's RestrictedQuerySet).

A model declares where its department, region and owner live::

    class Case(models.Model):
        objects = ScopedQuerySet.as_manager()
        scope = Scope(department="department", region="region", owner="applicant")

and every read starts from ``Case.objects.visible_to(user)``:

* administrators see everything;
* window staff, officers and heads see rows of *their* department in their region and below;
* supervisors, editors and hotline operators see every row in their region and below (a
  model may narrow this to some of them: `Scope(region_roles=…)`);
* applicants see the rows they own (when the model has an owner);
* anyone else sees nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q

from .constants import DEPARTMENT_ROLES, REGION_ROLES, Role


@dataclass(frozen=True)
class Scope:
    department: str | None = None
    region: str | None = None
    owner: str | None = None
    # Which region-wide roles reach the rows: all by default; a model holding personal data
    # no editor or hotline operator needs (a case) names only the supervisors.
    region_roles: frozenset[str] = REGION_ROLES


@dataclass(frozen=True)
class Grant:
    role: str
    department_id: str | None
    region_path: str


def grants_of(user: Any) -> list[Grant]:
    """The user's staff roles, read once per user object (a request keeps its user)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_tongban_grants", None)
    if cached is None:
        cached = [
            Grant(r.role, r.department_id, r.region.path)
            for r in user.staff_roles.select_related("region").only("role", "department_id", "region__path")
        ]
        user._tongban_grants = cached
    return cached


def is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or any(g.role == Role.ADMIN for g in grants_of(user))


def _regions_under(user: Any, path: str) -> list[str] | None:
    """The codes of a region and every region below it (read once per user object, like the
    grants): the scoped row is then filtered on its own region column, which an index serves
    and the planner can estimate, not joined to the regions."""
    from .models import Region  # here: the models import this module

    cached = getattr(user, "_tongban_regions", None)
    if cached is None:
        cached = {}
        user._tongban_regions = cached
    if path not in cached:
        codes = list(Region.objects.filter(path__startswith=path).values_list("pk", flat=True))
        # the whole city: no condition at all, so the row's other indexed columns decide alone
        cached[path] = None if len(codes) == Region.objects.count() else codes
    return cached[path]


def scope_filter(model: type[models.Model], user: Any, *, owner: bool = True) -> Q | None:
    """The Q that limits `model` to `user`; None means unrestricted (administrators). With
    `owner=False` the rows the user owns are not added (staff queues)."""
    if is_admin(user):
        return None
    scope: Scope = getattr(model, "scope", Scope())
    nothing = Q(pk__in=[])
    condition = nothing
    for grant in grants_of(user):
        codes = _regions_under(user, grant.region_path) if scope.region else None
        in_region = Q(**{f"{scope.region}__in": codes}) if codes is not None else None
        if grant.role in DEPARTMENT_ROLES and scope.department:
            # no `pk IS NOT NULL` filler: it would keep PostgreSQL off an index-only count of the queue
            in_department = Q(**{scope.department: grant.department_id})
            condition |= in_department & in_region if in_region is not None else in_department
        elif grant.role in scope.region_roles and scope.region:
            # every region: a condition that holds for every row (an empty Q would vanish in an OR)
            condition |= in_region if in_region is not None else Q(pk__isnull=False)
    if owner and scope.owner and getattr(user, "is_authenticated", False):
        condition |= Q(**{scope.owner: user})
    return condition


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> ScopedQuerySet:
        condition = scope_filter(self.model, user)
        return self if condition is None else self.filter(condition)
