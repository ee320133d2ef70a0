"""How API callers prove who they are: a personal API token, an access token from our own
OpenID Connect provider, or a browser session (with CSRF). Every API route requires one of
them unless it is explicitly public (`auth=None`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from tongban.core import audit
from tongban.core.errors import NotFound

from . import tokens
from .models import ApiToken
from .permissions import is_staff_member

ACTING_HEADER = "HTTP_X_ACTING_FOR"


class BearerAuth(HttpBearer):
    openapi_description = "个人 API 令牌（./tongban token create）或本平台 OIDC 签发的访问令牌"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = self._personal(token) if token.startswith(tokens.PREFIX) else self._oauth(request)
        if user is not None:
            bind_request_user(request, user)
        return user

    def _personal(self, token: str) -> Any:
        now = timezone.now()
        entry = (ApiToken.objects.select_related("user")
                 .filter(digest=tokens.digest(token), revoked_at__isnull=True).first())
        if entry is None or (entry.expires_at and entry.expires_at <= now) or not entry.user.is_active:
            return None
        if entry.last_used_at is None or (now - entry.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=entry.pk).update(last_used_at=now)
        return entry.user

    def _oauth(self, request: HttpRequest) -> Any:
        from oauth2_provider.oauth2_backends import get_oauthlib_core

        valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
        # a client-credentials token has no user: it is for the exchange's own endpoints, not these
        if valid and oauth_request.user is not None and oauth_request.user.is_active:
            return oauth_request.user
        return None


class SessionAuth(APIKeyCookie):
    """Django's session, with the CSRF check on unsafe methods."""

    openapi_description = "浏览器会话（门户登录后）"

    def __init__(self) -> None:
        from django.conf import settings

        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if is_staff_member(user) and not user.is_verified():
            return None  # staff sessions count only after the second factor
        return user


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def bind_request_user(request: HttpRequest, user: Any) -> None:
    """Make a token-authenticated user the request's user and the audit trail's actor."""
    request.user = user
    acting_for = request.META.get(ACTING_HEADER, "").strip().upper()
    if acting_for:
        from .selectors import active_membership

        try:
            active_membership(user, acting_for)
        except NotFound:
            raise PermissionDenied("您未获授权代表该企业办事") from None
    audit.bind(audit.context_for_user(user, ip=client_ip(request), on_behalf_of=acting_for))


def api_auth() -> list[Any]:
    return [BearerAuth(), SessionAuth()]
