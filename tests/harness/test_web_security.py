"""Web security defaults (issue 10, item 5), each proved: security headers, CSRF on every
form, no stack traces, a current password hasher, throttling with Retry-After, sessions that
end on sign-out and password change, tokens that stop working the moment they are revoked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tongban.harness import routes
from tongban.testing import PASSWORD, api_client

pytestmark = pytest.mark.django_db


def _production_setting(*names: str, **env: str) -> list:
    """Settings as a production process computes them (not TONGBAN_TESTING), in a child process."""
    code = ("import json, tongban.settings as s; "
            f"print(json.dumps([getattr(s, n) for n in {list(names)!r}], default=str))")
    environ = {k: v for k, v in os.environ.items() if k != "TONGBAN_TESTING"} | env
    source = str(Path(django_settings.PROJECT_DIR) / "src")  # this checkout's code, however pytest was started
    environ["PYTHONPATH"] = os.pathsep.join(p for p in (source, environ.get("PYTHONPATH", "")) if p)
    out = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


# --- headers -------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/api/regions", "/services/"])
def test_pages_and_api_send_the_security_headers(client, path):
    response = client.get(path)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    csp = response["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert directives["frame-ancestors"] == ["'none'"] and directives["object-src"] == ["'none'"]


def test_hsts_on_secure_requests_once_https_is_on(client, settings):
    hsts, secure_cookie, csrf_cookie = _production_setting(
        "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", TONGBAN_SECURE_COOKIES="1")
    assert int(hsts) >= 31536000 and secure_cookie and csrf_cookie
    settings.SECURE_HSTS_SECONDS = int(hsts)
    assert "max-age=31536000" in client.get("/", secure=True)["Strict-Transport-Security"]
    assert not client.get("/").has_header("Strict-Transport-Security")  # never over plain http


def test_session_cookie_is_http_only():
    assert django_settings.SESSION_COOKIE_HTTPONLY


# --- CSRF ------------------------------------------------------------------------------------------

# Protocol endpoints whose caller authenticates inside the request (client credentials, PKCE,
# a bearer token), never with a browser cookie: CSRF does not apply. The API checks CSRF itself
# for session callers (SessionAuth(csrf=True)); bearer callers carry no ambient authority.
# Wagtail's admin API (Django REST framework, csrf_exempt at the view) is read-only and DRF's
# SessionAuthentication enforces CSRF itself; a signed-in applicant is sent to the sign-in page.
CSRF_EXEMPT_PREFIXES = ("oauth/token/", "oauth/revoke_token/", "oauth/introspect/", "oauth/userinfo/", "cms/api/")


def test_every_form_post_without_a_csrf_token_is_refused(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.citizen)
    accepted = []
    for r in routes.django_routes():
        if r.route.startswith(("api/", "^api/", *CSRF_EXEMPT_PREFIXES)):
            continue
        response = client.post(r.path, {"x": "1"})
        if response.status_code != 403:
            accepted.append(f"POST {r.path} ({r.route!r}): {response.status_code}")
    assert not accepted, "POSTs accepted without a CSRF token:\n" + "\n".join(accepted)


def test_api_session_callers_need_the_csrf_token(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.citizen)
    response = client.post("/api/me/tokens", data="{}", content_type="application/json")
    assert response.status_code == 403
    assert "detail" in response.json()


# --- no stack traces ----------------------------------------------------------------------------

def test_api_error_reveals_no_internals(monkeypatch):
    from tongban.identity import selectors

    def explode():
        raise RuntimeError("secret-internal-detail /work/main/src")

    monkeypatch.setattr(selectors, "region_tree", explode)
    response = Client(raise_request_exception=False).get("/api/regions")
    assert response.status_code == 500
    body = response.content.decode()
    assert response.json() == {"detail": "服务器内部错误，已记录，请稍后重试"}
    assert "secret-internal-detail" not in body and "Traceback" not in body


def test_page_error_reveals_no_internals(monkeypatch, cast):
    from tongban.identity import selectors

    def explode(user):
        raise RuntimeError("secret-internal-detail /work/main/src")

    monkeypatch.setattr(selectors, "tokens_of", explode)
    client = Client(raise_request_exception=False)
    client.force_login(cast.citizen)
    response = client.get("/accounts/me/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "secret-internal-detail" not in body and "Traceback" not in body and "/work/" not in body
    assert not django_settings.DEBUG


def test_debug_is_off_unless_asked_for():
    assert _production_setting("DEBUG") == [False]


# --- passwords ------------------------------------------------------------------------------------

def test_production_hashes_passwords_with_a_current_algorithm():
    (hashers,) = _production_setting("PASSWORD_HASHERS")
    assert hashers[0].rsplit(".", 1)[-1] in {"Argon2PasswordHasher", "PBKDF2PasswordHasher", "ScryptPasswordHasher"}
    assert not any(weak in h for h in hashers for weak in ("MD5", "SHA1", "Unsalted", "Crypt"))


# --- throttling -----------------------------------------------------------------------------------

def test_password_login_lockout_is_429_with_retry_after(cast, settings):
    settings.AXES_ENABLED = True
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/accounts/login/", {"username": cast.citizen.username, "password": "wrong"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_sms_sending_is_throttled_per_address_with_retry_after(cast):
    client = Client()
    statuses = []
    for n in range(12):  # different numbers: the per-number resend interval is not what is tested
        response = client.post("/api/auth/sms/send", data=json.dumps({"phone": f"1390000{n:04d}"}),
                               content_type="application/json")
        statuses.append(response.status_code)
    assert 429 in statuses, statuses
    assert int(response["Retry-After"]) > 0
    assert response.json() == {"detail": "请求过于频繁，请稍后再试"}


def test_sms_code_guessing_is_throttled(cast):
    client = Client()
    statuses = [client.post("/api/auth/sms/login", data=json.dumps({"phone": cast.citizen.phone, "code": "000000"}),
                            content_type="application/json").status_code for _ in range(22)]
    assert statuses[-1] == 429 and set(statuses[:5]) == {422}, statuses


# --- sessions and tokens -----------------------------------------------------------------------

def test_sign_out_ends_the_session_even_for_a_copied_cookie(cast):
    client = Client()
    assert client.post("/accounts/login/", {"username": cast.citizen.username, "password": PASSWORD}).status_code == 302
    stolen = Client()
    stolen.cookies = client.cookies.__class__(client.cookies)
    assert stolen.get("/accounts/me/").status_code == 200
    client.post("/accounts/logout/")
    assert stolen.get("/accounts/me/").status_code == 302  # back to the sign-in page
    assert stolen.get("/api/me").status_code == 401


def test_password_change_ends_other_sessions(cast):
    other_device = Client()
    other_device.force_login(cast.citizen)
    assert other_device.get("/accounts/me/").status_code == 200
    cast.citizen.set_password("Changed-2026!")
    cast.citizen.save()
    assert other_device.get("/accounts/me/").status_code == 302
    assert other_device.get("/api/me").status_code == 401


def test_revoked_token_stops_working_at_once(cast):
    from tongban.identity.models import ApiToken

    client = api_client(cast.citizen)
    assert client.get("/api/me").status_code == 200
    token = ApiToken.objects.filter(user=cast.citizen).latest("pk")
    assert client.delete(f"/api/me/tokens/{token.pk}").status_code == 200
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "未登录或令牌无效"}
