"""The staff workspace: the member's roles and the colleagues within their reach."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import selectors
from ..permissions import is_staff_member


@require_GET
def workspace(request: HttpRequest) -> HttpResponse:
    if not is_staff_member(request.user):
        raise PermissionDenied
    return render(request, "identity/staff_workspace.html", {
        "roles": request.user.staff_roles.select_related("department", "region"),
        "colleagues": selectors.staff_visible_to(request.user).order_by("department_id", "user__username")[:200],
    })
