"""Who may act on a case. Seeing a case is the selectors' business (scope); acting needs more:
officer actions are for officers and heads of the case's department in its region, applicant
actions for the applicant, an active agent of the enterprise filed for, or the window staff
member who filed it."""

from __future__ import annotations

from typing import Any

from tongban.identity.constants import Role
from tongban.identity.models import EnterpriseMembership
from tongban.identity.scoping import grants_of

from .models import Case, CaseParallelReview

HANDLER_ROLES = frozenset({Role.OFFICER, Role.HEAD})
# 受理 is the window's step (catalog STEP_ROLES): window staff of the department may also
# accept, ask for a correction and refuse to accept; deciding is for officers and heads.
RECEIVING_ROLES = frozenset({Role.WINDOW, Role.OFFICER, Role.HEAD})


def _covers(grant, case: Case) -> bool:
    return grant.department_id == case.department_id and case.region.path.startswith(grant.region_path)


def handles(user: Any, case: Case, roles: frozenset[str] = HANDLER_ROLES) -> bool:
    """Staff in one of `roles` (officers and heads by default) of the case's department whose
    region contains the case's."""
    return any(g.role in roles and _covers(g, case) for g in grants_of(user))


def receives(user: Any, case: Case) -> bool:
    """Window staff, officers or heads of the case's department and region (受理 stage)."""
    return handles(user, case, RECEIVING_ROLES)


def heads(user: Any, case: Case) -> bool:
    return any(g.role == Role.HEAD and _covers(g, case) for g in grants_of(user))


def is_window_staff(user: Any) -> bool:
    return any(g.role == Role.WINDOW for g in grants_of(user))


def speaks_for_applicant(user: Any, case: Case) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if case.applicant_id == user.pk or (case.filed_by_id is not None and case.filed_by_id == user.pk):
        return True
    return bool(case.on_behalf_of_id) and EnterpriseMembership.objects.filter(
        enterprise_id=case.on_behalf_of_id, user=user, status=EnterpriseMembership.Status.ACTIVE).exists()


def parallel_departments_of(user: Any) -> list[str]:
    """The departments in which the user may give parallel opinions (officers and heads)."""
    return sorted({g.department_id for g in grants_of(user) if g.role in HANDLER_ROLES and g.department_id})


def parallel_slot(user: Any, case: Case) -> CaseParallelReview | None:
    """The opinion slot of a parallel department of the case the user reviews for, if any."""
    departments = parallel_departments_of(user)
    if not departments:
        return None
    return (CaseParallelReview.objects.filter(case=case, department_id__in=departments)
            .select_related("department").order_by("opinion", "department_id").first())
