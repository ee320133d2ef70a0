from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from tongban.core import audit
from tongban.core.errors import NotFound

from .authentication import client_ip
from .permissions import is_staff_member

SESSION_ACTING_FOR = "acting_for"


class AuditContextMiddleware:
    """Everything recorded while serving a request names who acted, from where, and for
    which enterprise they acted."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        acting_for = session_acting_for(request)
        ctx = audit.context_for_user(getattr(request, "user", None), ip=client_ip(request), on_behalf_of=acting_for)
        with audit.acting(ctx):
            return self.get_response(request)


def session_acting_for(request: HttpRequest) -> str:
    """The enterprise the session acts for, re-checked on every request: a membership revoked
    or suspended since the switch ends acting for that enterprise at once (and is recorded)."""
    session = getattr(request, "session", None)
    acting_for = session.get(SESSION_ACTING_FOR, "") if session is not None else ""
    if not acting_for:
        return ""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from .selectors import active_membership

        try:
            active_membership(user, acting_for)
            return acting_for
        except NotFound:
            pass
    session.pop(SESSION_ACTING_FOR, None)
    with audit.acting(audit.context_for_user(user, ip=client_ip(request))):
        audit.record("identity.acting_for.ended", reason="代办授权已失效", data={"uscc": acting_for})
    return ""


class StaffSecondFactorMiddleware:
    """A staff member signed in with a password alone may only finish the second factor:
    enrol a TOTP device or enter its code. Applicants are not affected."""

    ALLOWED_PREFIXES = ("/accounts/otp/", "/accounts/logout/", "/static/", "/api/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and not user.is_verified()
                and not request.path.startswith(self.ALLOWED_PREFIXES) and is_staff_member(user)):
            return redirect(f"{reverse('identity:otp')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
