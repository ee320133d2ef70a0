"""Deny by default, proved (after GOV.UK Notify's `tests/app/test_route_authentication.py`).

Every Django URL pattern and every django-ninja operation is walked. A route that is not in one
of the allow-lists below must turn an anonymous caller away: a Django view with a redirect to a
login page, an API operation with `401`. Adding a public route therefore fails this file until the
route is added to an allow-list here, with the reason anyone may call it; an allow-list entry that
no longer matches a public route fails too, so the lists stay true.

Dummy values stand in for path parameters (the first example a converter or regex accepts); a
route whose example path resolves to another route is reported, never skipped silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import resolve
from django.urls.exceptions import Resolver404
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.harness.matrix import APP_MODULES
from tongban.harness.routes import Route, all_routes
from tongban.testing import PASSWORD, api_client

pytestmark = pytest.mark.django_db

# The pages an anonymous caller may be sent to. Wagtail's and Django's admin views are guarded by
# LoginRequiredMiddleware like every other view (→ /accounts/login/); Django's admin site also
# guards itself (→ its own login form).
LOGIN_PAGES = {"/accounts/login/", "/cms/login/", "/django-admin/login/"}

# Django routes anyone may open, as the URLconf spells them (`resolve(path).route`).
PUBLIC_ROUTES: dict[str, str] = {
    "": "portal home page (Wagtail)",
    "^((?:[\\w\\-]+/)*)$": "portal pages served by Wagtail; unpublished or private pages are Wagtail's business",
    "accounts/login/": "password sign-in",
    "accounts/login/sms/": "SMS-code sign-in",
    "accounts/login/sms/send/": "sends the SMS sign-in code (throttled)",
    "accounts/register/": "natural-person registration",
    "accessibility/elder/": "elder-friendly mode toggle (a cookie)",
    "healthz": "health check for the load balancer",
    "services/forms/<str:name>": "sample and blank forms of the catalogue's materials (public files, A2)",
    # The catalogue's pages (办事指南) are public information; nothing personal is stored
    # (a guide view bumps an anonymous daily counter for hot services).
    "services/": "catalogue index: browse by theme, stage, department, special list",
    "services/search": "catalogue search page",
    "services/suggest": "search suggestions (HTML fragment for the search box)",
    "services/browse": "catalogue browsing",
    "services/region": "remembered region for guides (a cookie)",
    "services/bundles/": "one-thing bundles",
    "services/changes/": "the catalogue's public change log",
    "services/bundles/<str:code>/": "one-thing bundle guide",
    "services/bundles/<str:code>/situation": "bundle questionnaire (computed, not stored)",
    "services/<str:code>/": "service guide (printable)",
    "services/<str:code>/situation": "item questionnaire (computed, not stored)",
    "services/<str:code>/versions/": "published versions of an item",
    "services/<str:code>/versions/<int:number>/": "one published version of an item",
    "services/<str:code>/diff": "comparison of two published versions",
    "cms/login/": "Wagtail's sign-in form (staff then meet the TOTP middleware)",
    "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/":
        "the password form of a page under a password view restriction (the password is the grant)",
    "django-admin/login/": "Django admin's sign-in form (staff then meet the TOTP middleware)",
    # OpenID Connect / OAuth 2 protocol endpoints (django-oauth-toolkit): the client or the
    # bearer token is authenticated inside the request, never with a browser session.
    ".well-known/openid-configuration": "OIDC discovery",
    "oauth/\\.well-known/openid-configuration/?$": "OIDC discovery (DOT's own copy)",
    "oauth/.well-known/jwks.json": "OIDC signing keys",
    "oauth/token/": "token endpoint: client credentials or PKCE inside the request",
    "oauth/revoke_token/": "token revocation: client authenticates inside the request",
    # The API documents itself; its operations are checked one by one below.
    "api/openapi.json": "OpenAPI description",
    "api/docs": "OpenAPI browser",
    "api/": "django-ninja's root (404)",
    "^api/": "JSON 404 for unknown API paths",
}

# Routes that bypass the login middleware because they authenticate the caller themselves, or
# that are switched off: what an anonymous caller must get. Switching one on is a decision to
# record here.
SELF_AUTHENTICATING: dict[str, set[int]] = {
    "oauth/introspect/": {401, 403},  # resource servers authenticate
    "oauth/userinfo/": {401},  # bearer access token
}

# API operations anyone may call (`auth=None`), as "METHOD /path" with OpenAPI's {param}.
PUBLIC_OPERATIONS: dict[str, str] = {
    "GET /api/calendar/add": "working-day calendar (R5)",
    "GET /api/calendar/between": "working-day calendar (R5)",
    "GET /api/regions": "administrative divisions",
    "GET /api/departments": "departments",
    "POST /api/accounts/register": "natural-person registration (throttled)",
    "POST /api/auth/sms/send": "SMS sign-in code (throttled)",
    "POST /api/auth/sms/login": "SMS sign-in (throttled)",
    # The catalogue and its guides are public information (办事指南); nothing is stored.
    "GET /api/catalog/search": "catalogue search",
    "GET /api/catalog/suggest": "suggestions as you type (item and bundle names)",
    "GET /api/catalog/items": "catalogue browsing",
    "GET /api/catalog/items/{code}": "service guide",
    "POST /api/catalog/items/{code}/materials": "material list for the applicant's answers (computed, not stored)",
    "GET /api/catalog/items/{code}/versions": "published versions of an item",
    "GET /api/catalog/items/{code}/versions/{number}": "one published version of an item",
    "GET /api/catalog/items/{code}/diff": "comparison of two published versions",
    "GET /api/catalog/changes": "change announcements",
    "GET /api/catalog/bundles": "one-thing bundles",
    "GET /api/catalog/bundles/{code}": "one-thing bundle guide",
    "POST /api/catalog/bundles/{code}/materials": "bundle material list for the answers (computed, not stored)",
    "GET /api/catalog/export.jsonld": "the catalogue as linked open data (CPSV-AP)",
}


# the later apps declare theirs next to their permission-matrix rows (tongban/harness/matrix_<app>.py)
for _module in APP_MODULES.values():
    PUBLIC_ROUTES.update(_module.PUBLIC_ROUTES)
    PUBLIC_OPERATIONS.update(_module.PUBLIC_OPERATIONS)


# The walk of the URLconf and the example paths are the harness's (tongban.harness.routes), one
# copy for this deny-by-default walk and the permission matrix.


# --- checks ------------------------------------------------------------------------------------

def _sent_to_login(response, path: str) -> bool:
    if response.status_code != 302:
        return False
    target = urlsplit(response["Location"])
    return target.path in LOGIN_PAGES and parse_qs(target.query).get("next") == [path]


def _describe(response) -> str:
    where = f" → {response['Location']}" if response.has_header("Location") else ""
    return f"{response.status_code}{where}"


ROUTES = all_routes()
DJANGO_ROUTES = [r for r in ROUTES if r.path_view is None]
API_ROUTES = [r for r in ROUTES if r.path_view is not None]


def test_every_route_has_an_example_path_that_resolves_to_it():
    wrong = []
    for r in ROUTES:
        try:
            match = resolve(r.path)
        except Resolver404:
            wrong.append(f"{r.route!r}: example {r.path!r} does not resolve")
            continue
        if match.route != r.route and match.func is not r.pattern.callback:
            wrong.append(f"{r.route!r}: example {r.path!r} resolves to {match.route!r}")
    assert not wrong, "\n".join(wrong)


def test_walk_sees_the_whole_site():
    """Guard the walker itself: if it stopped descending, the proof below would be empty."""
    routes = {r.route for r in ROUTES}
    assert {"accounts/me/", "staff/", "cms/", "django-admin/", "api/me", "oauth/authorize/"} <= routes
    assert len(ROUTES) > 300


def test_anonymous_is_sent_to_login_from_every_django_route_not_allow_listed(client):
    """GET and POST, because a view that takes only POST answers GET with 405 before any login
    check of its own: the middleware must have turned the caller away first."""
    leaks = []
    for r in DJANGO_ROUTES:
        if r.route in PUBLIC_ROUTES or r.route in SELF_AUTHENTICATING:
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(r.path)
            if not _sent_to_login(response, r.path):
                leaks.append(f"{method.upper()} {r.path} ({r.route!r}): {_describe(response)}")
    assert not leaks, (
        "These routes answer an anonymous caller without sending them to the login page. Guard them "
        "(remove login_not_required), or add their route to PUBLIC_ROUTES with the reason:\n" + "\n".join(leaks))


def test_self_authenticating_routes_turn_anonymous_callers_away(client):
    wrong = []
    for r in DJANGO_ROUTES:
        expected = SELF_AUTHENTICATING.get(r.route)
        if expected is None:
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(r.path)
            if response.status_code not in expected:
                wrong.append(f"{method.upper()} {r.path}: {_describe(response)}, expected one of {sorted(expected)}")
    assert not wrong, "\n".join(wrong)


def test_allow_lists_name_only_existing_public_routes(client):
    """A stale entry would silently allow a future route of that name."""
    django_routes = {r.route: r for r in DJANGO_ROUTES}
    unknown = (set(PUBLIC_ROUTES) | set(SELF_AUTHENTICATING)) - set(django_routes)
    assert not unknown, f"allow-listed routes that do not exist: {sorted(unknown)}"
    guarded = []
    for route in PUBLIC_ROUTES:
        r = django_routes[route]
        if all(_sent_to_login(getattr(client, m)(r.path), r.path) for m in ("get", "post")):
            guarded.append(route)
    assert not guarded, f"allow-listed as public but they require a login: {guarded}"


def _operations() -> Iterator[tuple[str, str, bool, Route]]:
    """(METHOD, "/api/path/{param}", needs_auth, route) for every django-ninja operation."""
    seen = set()
    for r in API_ROUTES:
        for operation in r.path_view.operations:
            for method in operation.methods:
                key = (method, r.route)
                if key in seen:  # django-ninja adds one URL pattern per operation of a path
                    continue
                seen.add(key)
                openapi_path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", r.route)
                yield method, openapi_path, bool(operation.auth_callbacks), r


def test_walk_sees_the_api():
    ops = {f"{m} {p}" for m, p, _, _ in _operations()}
    assert {"GET /api/me", "GET /api/staff", "DELETE /api/me/tokens/{token_id}"} <= ops


def test_anonymous_gets_401_from_every_api_operation_not_allow_listed():
    anonymous = api_client()
    forged = api_client(HTTP_AUTHORIZATION="Bearer tb_not-a-real-token")
    leaks = []
    for method, path, needs_auth, r in _operations():
        key = f"{method} {path}"
        if key in PUBLIC_OPERATIONS:
            continue
        if not needs_auth:
            leaks.append(f"{key}: declared auth=None")
            continue
        for label, client in (("anonymous", anonymous), ("forged token", forged)):
            response = client.generic(method, r.path, data="{}", content_type="application/json")
            if response.status_code != 401:
                leaks.append(f"{key} ({label}): {response.status_code}")
            elif "detail" not in response.json():
                leaks.append(f"{key} ({label}): 401 without the error shape")
    assert not leaks, (
        "API operations reachable without authentication. Give them auth (the API default), or add "
        "them to PUBLIC_OPERATIONS with the reason:\n" + "\n".join(leaks))


def _operation_auths(r: Route, method: str) -> list:
    return [a for op in r.path_view.operations if method in op.methods for a in op.auth_callbacks]


def test_client_credentials_token_gets_401_from_every_api_operation_but_the_exchange_read_api(cast):
    """An external system's client-credentials token (a real one, from /oauth/token/, with a
    granted scope) is no user: every operation that authenticates users answers it 401 in the
    error shape — a token without a user once caused a 500 here. Operations that take such
    tokens are found by their auth class, not listed; public operations ignore the token."""
    from tongban.exchange.reads import ClientCredentialsAuth
    from tongban.harness import clients
    from tongban.harness.personas import persona

    external = api_client(**clients.headers(persona("client_granted"), grantor=cast.admin))
    wrong, own = [], []
    for method, path, _needs_auth, r in _operations():
        key = f"{method} {path}"
        response = external.generic(method, r.path, data="{}", content_type="application/json")
        if response.status_code >= 500:
            wrong.append(f"{key}: {response.status_code}")
        elif any(isinstance(a, ClientCredentialsAuth) for a in _operation_auths(r, method)):
            own.append(key)
            if response.status_code == 401:
                wrong.append(f"{key}: the client's own operation refused its token (401)")
        elif key in PUBLIC_OPERATIONS:
            if response.status_code in (401, 403):
                wrong.append(f"{key}: public, but {response.status_code}")
        elif response.status_code != 401 or "detail" not in response.json():
            wrong.append(f"{key}: {response.status_code}, expected 401 with the error shape")
    assert own == ["GET /api/exchange/resources/{code}/records"], own
    assert not wrong, "a client-credentials token on the users' API:\n" + "\n".join(wrong)


def test_public_api_allow_list_is_true():
    ops = {f"{m} {p}": (needs_auth, r) for m, p, needs_auth, r in _operations()}
    unknown = set(PUBLIC_OPERATIONS) - set(ops)
    assert not unknown, f"allow-listed operations that do not exist: {sorted(unknown)}"
    guarded = [key for key in PUBLIC_OPERATIONS if ops[key][0]]
    assert not guarded, f"allow-listed as public but they require authentication: {guarded}"
    anonymous = api_client()
    for key in PUBLIC_OPERATIONS:
        method = key.split()[0]
        response = anonymous.generic(method, ops[key][1].path, data="{}", content_type="application/json")
        assert response.status_code not in (401, 403) and response.status_code < 500, (key, response.status_code)


def test_openapi_marks_exactly_the_public_operations_as_unsecured(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    unsecured, secured = set(), set()
    for path, operations in response.json()["paths"].items():
        for method, operation in operations.items():
            (secured if operation.get("security") else unsecured).add(f"{method.upper()} {path}")
    assert unsecured == set(PUBLIC_OPERATIONS), "openapi.json: operations without `security` must be allow-listed"
    documented = {f"{m} {p}" for m, p, _, _ in _operations()}
    assert secured | unsecured == documented, f"undocumented operations: {sorted(documented - secured - unsecured)}"


# --- signed in, but not allowed ------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _verified(client: Client, user) -> Client:
    """Sign `user` in with the second factor done, as django_otp.login would."""
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


# API operations only staff may call: a citizen's valid token must get 403 (404 where the
# object itself is scoped). Add new staff-only operations here.
STAFF_OPERATIONS: dict[str, str] = {
    "GET /api/staff": "/api/staff",
    "GET /api/catalog/export.xlsx": "/api/catalog/export.xlsx",
}


def test_citizen_token_on_staff_api_is_403(cast):
    citizen = api_client(cast.citizen)
    known = {f"{m} {p}" for m, p, _, _ in _operations()}
    assert set(STAFF_OPERATIONS) <= known, f"unknown staff operations: {sorted(set(STAFF_OPERATIONS) - known)}"
    for key, path in STAFF_OPERATIONS.items():
        response = citizen.generic(key.split()[0], path, data="{}", content_type="application/json")
        assert response.status_code in (403, 404), (key, response.status_code)
    response = citizen.get("/api/staff")
    assert response.status_code == 403
    assert response.json() == {"detail": "无权执行此操作"}


def test_citizen_session_on_staff_workspace_is_403(client, cast):
    client.force_login(cast.citizen)
    assert client.get("/staff/").status_code == 403


@pytest.mark.parametrize("path", ["/cms/", "/cms/pages/", "/django-admin/", "/django-admin/auth/group/"])
def test_citizen_session_cannot_open_the_admin_sites(client, cast, path):
    client.force_login(cast.citizen)
    response = client.get(path)
    assert response.status_code in (302, 403), response.status_code
    if response.status_code == 302:
        assert urlsplit(response["Location"]).path in LOGIN_PAGES | {"/"}


def test_staff_password_login_is_sent_to_totp(client, cast):
    response = client.post("/accounts/login/", {"username": "officer-a", "password": PASSWORD, "next": "/staff/"})
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert (target.path, parse_qs(target.query)["next"]) == ("/accounts/otp/", ["/staff/"])


@pytest.mark.parametrize("path", ["/staff/", "/accounts/me/", "/cms/", "/django-admin/"])
def test_staff_session_without_totp_is_sent_to_totp(client, cast, path):
    client.force_login(cast.officer_a)
    response = client.get(path)
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == "/accounts/otp/"
    assert parse_qs(target.query)["next"] == [path]


def test_staff_session_without_totp_does_not_count_on_the_api(client, cast):
    client.force_login(cast.officer_a)
    assert client.get("/api/me").status_code == 401
    assert client.get("/api/staff").status_code == 401


def test_staff_session_with_totp_reaches_the_workspace(client, cast):
    _verified(client, cast.officer_a)
    assert client.get("/staff/").status_code == 200
    assert client.get("/api/staff").status_code == 200


def test_officer_api_lists_only_their_department(cast):
    body = api_client(cast.officer_a).get("/api/staff?page_size=100").json()
    assert {row["department"] for row in body["items"]} == {"market"}
    assert "officer-b" not in {row["username"] for row in body["items"]}
