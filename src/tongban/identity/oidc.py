"""Tongban as an OpenID Connect provider (django-oauth-toolkit): the claims other government
systems receive when they sign a citizen or staff member in through us, the issuer they
trust, and the consent page they send people to.

The issuer is the site's root, so that discovery lives where INTERFACES.md promises it
(`/.well-known/openid-configuration`) and a relying party that appends that path to the
issuer finds the same document the ID tokens point to. Production may pin it with
OAUTH2_PROVIDER["OIDC_ISS_ENDPOINT"]; otherwise it follows the host the request came to.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from oauth2_provider.models import get_application_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.views import AuthorizationView as BaseAuthorizationView
from oauth2_provider.views import ConnectDiscoveryInfoView

from tongban.core.masking import mask_id_number


def issuer_for(request: Any) -> str:
    """The issuer URL for a Django or an oauthlib request."""
    if oauth2_settings.OIDC_ISS_ENDPOINT:
        return oauth2_settings.OIDC_ISS_ENDPOINT
    # django-oauth-toolkit derives "<root>/oauth" from the mount point of its own discovery
    # view; the platform's discovery is at the root, so the issuer is the root.
    parts = urlsplit(oauth2_settings.oidc_issuer(request))
    return f"{parts.scheme}://{parts.netloc}"


def _has_nul(request: HttpRequest) -> bool:
    for data in (request.GET, request.POST):
        for key, values in data.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return True
    return False


def refuse_nul_bytes(view: Callable[..., HttpResponse], *, page: bool = False) -> Callable[..., HttpResponse]:
    """A NUL byte in a parameter is never valid OAuth input, and PostgreSQL refuses it in a
    query: answer `invalid_request` before the toolkit looks anything up."""

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _has_nul(request):
            return view(request, *args, **kwargs)
        if page:
            return render(request, "identity/oidc_authorize.html",
                          {"error": {"error": "invalid_request"}}, status=400)
        return JsonResponse({"error": "invalid_request", "error_description": "NUL byte in a parameter"},
                            status=400)

    return guarded


class TongbanOIDCValidator(OAuth2Validator):
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "name": "profile",
        "preferred_username": "profile",
        "real_name_level": "profile",
        "id_number_masked": "profile",
        "user_kind": "profile",
        "phone_number": "phone",
    }

    def get_oidc_issuer_endpoint(self, request) -> str:
        return issuer_for(request)

    def get_additional_claims(self, request) -> dict:
        user = request.user
        return {
            "name": user.name or user.username,
            "preferred_username": user.username,
            "real_name_level": user.real_name_level,
            "id_number_masked": mask_id_number(user.id_number),
            "user_kind": user.kind,
            "phone_number": user.phone,
        }


class DiscoveryView(ConnectDiscoveryInfoView):
    """OpenID Provider metadata with the platform's issuer (the endpoints are unchanged)."""

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        data = json.loads(response.content)
        data["issuer"] = issuer_for(request)
        answer = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
        answer["Access-Control-Allow-Origin"] = "*"
        return answer


class AuthorizationView(BaseAuthorizationView):
    """The consent page, in Chinese. A tampered form naming an unknown client is a 400 page,
    never a server error."""

    template_name = "identity/oidc_authorize.html"

    def form_valid(self, form):
        if not get_application_model().objects.filter(client_id=form.cleaned_data["client_id"]).exists():
            return self.render_to_response({"error": {"error": "invalid_client",
                                                      "description": "未知的接入应用"}}, status=400)
        return super().form_valid(form)
