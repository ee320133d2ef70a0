"""The OpenID Connect provider's routes under /oauth/.

Only what relying parties and resource servers need. django-oauth-toolkit's default URL list
also publishes application management pages (any signed-in user could register a client),
device authorisation, dynamic client registration and RP-initiated logout (both switched off),
and RFC 8414 metadata whose derived issuer ("<root>/oauth") would contradict the OpenID
Connect issuer. Relying parties are registered by administrators (oidc_clients.py)."""

from django.urls import path, re_path
from oauth2_provider import views as oauth_views

from . import oidc

app_name = "oauth2_provider"

guard = oidc.refuse_nul_bytes

urlpatterns = [
    path("authorize/", guard(oidc.AuthorizationView.as_view(), page=True), name="authorize"),
    path("token/", guard(oauth_views.TokenView.as_view()), name="token"),
    path("revoke_token/", guard(oauth_views.RevokeTokenView.as_view()), name="revoke-token"),
    # RFC 7662, for resource servers that check an access token with their client credentials.
    path("introspect/", guard(oauth_views.IntrospectTokenView.as_view()), name="introspect"),
    path("userinfo/", guard(oauth_views.UserInfoView.as_view()), name="user-info"),
    path(".well-known/jwks.json", oauth_views.JwksInfoView.as_view(), name="jwks-info"),
    # The toolkit finds its issuer by reversing this name; the same document as at the root.
    re_path(r"^\.well-known/openid-configuration/?$", oidc.DiscoveryView.as_view(),
            name="oidc-connect-discovery-info"),
]
