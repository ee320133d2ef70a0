"""Tongban as an OpenID Connect provider, end to end with the test client: authorisation code
with PKCE, the ID token checked against the published keys, userinfo and the API with the
access token — and the requests that must be refused."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from jwcrypto import jwk, jwt
from oauth2_provider.models import AccessToken, Application, Grant

from tongban.identity.oidc_clients import DEMO_REDIRECT_URI, ensure_demo_client
from tongban.testing import PASSWORD

pytestmark = pytest.mark.django_db

REDIRECT = "http://rp.example.test/callback"
SECRET = "rp-secret-for-tests-0123456789"


def make_app(**fields) -> Application:
    app = Application(name="测试业务系统", client_type=Application.CLIENT_CONFIDENTIAL,
                      authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
                      redirect_uris=REDIRECT, algorithm=Application.RS256_ALGORITHM,
                      client_secret=SECRET, **fields)
    app.save()
    return app


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_params(app: Application, challenge: str | None, **overrides: str) -> dict[str, str]:
    params = {"response_type": "code", "client_id": app.client_id, "redirect_uri": REDIRECT,
              "scope": "openid profile", "state": "st-123", "nonce": "n-456"}
    if challenge is not None:
        params.update(code_challenge=challenge, code_challenge_method="S256")
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def consent(client: Client, response) -> dict[str, list[str]]:
    """Approve on the consent page; the query of the redirect back to the relying party."""
    assert response.status_code == 200, response.content[:500]
    assert "同意并登录" in response.content.decode()
    form = response.context["form"]
    data = {name: (form.initial.get(name) or "") for name in form.fields if name != "allow"}
    answer = client.post("/oauth/authorize/", {**data, "allow": "on"})
    assert answer.status_code == 302
    assert answer["Location"].startswith(REDIRECT)
    return parse_qs(urlsplit(answer["Location"]).query)


def get_code(client: Client, app: Application, challenge: str) -> str:
    query = consent(client, client.get("/oauth/authorize/", authorize_params(app, challenge)))
    assert query["state"] == ["st-123"]
    return query["code"][0]


def basic(app: Application) -> dict[str, str]:
    raw = f"{app.client_id}:{SECRET}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def exchange(app: Application, code: str, verifier: str):
    return Client().post("/oauth/token/", {"grant_type": "authorization_code", "code": code,
                                           "redirect_uri": REDIRECT, "code_verifier": verifier},
                         headers=basic(app))


def discovery() -> dict:
    response = Client().get("/.well-known/openid-configuration")
    assert response.status_code == 200
    return response.json()


def path_of(url: str) -> str:
    return urlsplit(url).path


def totp_now(device: TOTPDevice) -> str:
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{code:0{device.digits}d}"


# --- discovery ------------------------------------------------------------------------------------

def test_discovery_lists_s256_and_endpoints_under_one_issuer():
    doc = discovery()
    assert "S256" in doc["code_challenge_methods_supported"]
    assert "RS256" in doc["id_token_signing_alg_values_supported"]
    issuer = doc["issuer"]
    assert not issuer.endswith("/")
    # A relying party appends /.well-known/openid-configuration to the issuer: the same document.
    assert urlsplit(issuer).path == ""
    for key, path in [("authorization_endpoint", "/oauth/authorize/"), ("token_endpoint", "/oauth/token/"),
                      ("userinfo_endpoint", "/oauth/userinfo/"), ("jwks_uri", "/oauth/.well-known/jwks.json")]:
        assert doc[key] == issuer + path
    assert Client().get("/oauth/.well-known/openid-configuration").json()["issuer"] == issuer
    assert Client().get(path_of(doc["jwks_uri"])).status_code == 200


def test_application_management_pages_are_not_published(cast):
    client = Client()
    client.force_login(cast.citizen)
    assert client.get("/oauth/applications/register/").status_code == 404
    assert client.get("/oauth/applications/").status_code == 404


# --- the happy path -------------------------------------------------------------------------------

def test_citizen_signs_in_to_relying_party_with_code_and_pkce(cast):
    app = make_app()
    verifier, challenge = pkce()
    browser = Client()
    browser.force_login(cast.citizen)
    code = get_code(browser, app, challenge)

    response = exchange(app, code, verifier)
    assert response.status_code == 200, response.content
    tokens = response.json()
    assert tokens["token_type"] == "Bearer"
    assert tokens["access_token"] and tokens["id_token"]

    doc = discovery()
    keys = jwk.JWKSet.from_json(Client().get(path_of(doc["jwks_uri"])).content)
    id_token = jwt.JWT(jwt=tokens["id_token"], key=keys, algs=["RS256"])  # verifies the signature
    assert json.loads(id_token.header)["alg"] == "RS256"
    claims = json.loads(id_token.claims)
    assert claims["iss"] == doc["issuer"]
    assert claims["aud"] == app.client_id
    assert claims["nonce"] == "n-456"
    assert claims["sub"] == str(cast.citizen.pk)
    assert claims["name"] == "张晓明"
    assert claims["id_number_masked"] == cast.citizen.id_number[:4] + "*" * 10 + cast.citizen.id_number[-4:]
    assert "phone_number" not in claims  # the phone scope was not asked for

    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    userinfo = Client().get(path_of(doc["userinfo_endpoint"]), headers=bearer)
    assert userinfo.status_code == 200
    assert userinfo.json()["sub"] == str(cast.citizen.pk)
    me = Client().get("/api/me", headers=bearer)
    assert me.status_code == 200
    assert me.json()["username"] == cast.citizen.username


def test_authorization_response_names_the_issuer(cast):
    """RFC 9207: the `iss` parameter lets a relying party that talks to several providers
    tell which one answered (mix-up attacks)."""
    app = make_app()
    _, challenge = pkce()
    browser = Client()
    browser.force_login(cast.citizen)
    query = consent(browser, browser.get("/oauth/authorize/", authorize_params(app, challenge)))
    assert query["iss"] == [discovery()["issuer"]]
    assert discovery()["authorization_response_iss_parameter_supported"] is True


def test_id_token_signed_by_another_key_does_not_verify(cast):
    app = make_app()
    verifier, challenge = pkce()
    browser = Client()
    browser.force_login(cast.citizen)
    tokens = exchange(app, get_code(browser, app, challenge), verifier).json()
    stranger = jwk.JWK.generate(kty="RSA", size=2048)
    with pytest.raises(Exception):  # noqa: B017 — jwcrypto raises its own signature error types
        jwt.JWT(jwt=tokens["id_token"], key=stranger, algs=["RS256"])


def test_skip_authorization_app_redirects_with_code_at_once(cast):
    app = make_app(skip_authorization=True)
    verifier, challenge = pkce()
    browser = Client()
    browser.force_login(cast.citizen)
    response = browser.get("/oauth/authorize/", authorize_params(app, challenge))
    assert response.status_code == 302
    code = parse_qs(urlsplit(response["Location"]).query)["code"][0]
    assert exchange(app, code, verifier).status_code == 200


def test_anonymous_authorize_goes_to_login_and_back(cast):
    app = make_app()
    verifier, challenge = pkce()
    browser = Client()
    params = authorize_params(app, challenge)
    response = browser.get("/oauth/authorize/", params)
    assert response.status_code == 302
    login_url = urlsplit(response["Location"])
    assert login_url.path == "/accounts/login/"
    next_url = parse_qs(login_url.query)["next"][0]
    assert next_url.startswith("/oauth/authorize/?")
    response = browser.post("/accounts/login/", {"username": cast.citizen.username, "password": PASSWORD,
                                                 "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url
    query = consent(browser, browser.get(next_url))
    assert exchange(app, query["code"][0], verifier).status_code == 200


# --- refusals -------------------------------------------------------------------------------------

def test_wrong_redirect_uri_issues_no_code_and_does_not_redirect(cast):
    app = make_app()
    _, challenge = pkce()
    browser = Client()
    browser.force_login(cast.citizen)
    response = browser.get("/oauth/authorize/", authorize_params(app, challenge,
                                                                   redirect_uri="http://evil.example.test/cb"))
    assert response.status_code == 400
    assert "Location" not in response
    assert "无法完成授权登录" in response.content.decode()
    # Nor does a consent form forged with that URI.
    forged = authorize_params(app, challenge, redirect_uri="http://evil.example.test/cb")
    response = browser.post("/oauth/authorize/", {**forged, "allow": "on"})
    assert response.status_code in (400, 401)
    assert "evil.example.test" not in response.get("Location", "")
    assert not Grant.objects.exists()


def test_unknown_client_is_refused_without_server_error(cast):
    browser = Client()
    browser.force_login(cast.citizen)
    _, challenge = pkce()
    fake = Application(client_id="no-such-client")
    response = browser.get("/oauth/authorize/", authorize_params(fake, challenge))
    assert response.status_code in (400, 401)
    response = browser.post("/oauth/authorize/", {**authorize_params(fake, challenge), "allow": "on"})
    assert response.status_code == 400
    assert not Grant.objects.exists()


def test_empty_consent_post_is_not_a_server_error(cast):
    browser = Client()
    browser.force_login(cast.citizen)
    response = browser.post("/oauth/authorize/", {})
    assert response.status_code < 500
    assert not Grant.objects.exists()


def test_wrong_code_verifier_is_invalid_grant(cast):
    app = make_app()
    _, challenge = pkce()
    browser = Client()
    browser.force_login(cast.citizen)
    code = get_code(browser, app, challenge)
    other_verifier, _ = pkce()
    response = exchange(app, code, other_verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert not AccessToken.objects.exists()


def test_missing_code_challenge_is_refused_because_pkce_is_required(cast):
    app = make_app()
    browser = Client()
    browser.force_login(cast.citizen)
    response = browser.get("/oauth/authorize/", authorize_params(app, None))
    # The redirect URI is registered, so the error goes back to it — without a code.
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["error"] == ["invalid_request"]
    assert "code" not in query
    assert not Grant.objects.exists()


def test_plain_code_challenge_is_refused(cast):
    app = make_app()
    verifier, _ = pkce()
    browser = Client()
    browser.force_login(cast.citizen)
    params = authorize_params(app, verifier, code_challenge_method="plain")
    response = browser.get("/oauth/authorize/", params)
    if response.status_code == 200:  # the consent form was offered: approving must still fail
        query = consent(browser, response)
        assert "code" not in query
    else:
        assert "code" not in parse_qs(urlsplit(response.get("Location", "")).query)


def test_code_used_twice_is_refused_the_second_time(cast):
    app = make_app()
    verifier, challenge = pkce()
    browser = Client()
    browser.force_login(cast.citizen)
    code = get_code(browser, app, challenge)
    assert exchange(app, code, verifier).status_code == 200
    again = exchange(app, code, verifier)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_token_endpoint_refuses_wrong_client_secret(cast):
    app = make_app()
    verifier, challenge = pkce()
    browser = Client()
    browser.force_login(cast.citizen)
    code = get_code(browser, app, challenge)
    raw = base64.b64encode(f"{app.client_id}:wrong".encode()).decode()
    response = Client().post("/oauth/token/", {"grant_type": "authorization_code", "code": code,
                                               "redirect_uri": REDIRECT, "code_verifier": verifier},
                             headers={"Authorization": f"Basic {raw}"})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_garbage_at_token_and_userinfo_is_not_a_server_error():
    assert Client().post("/oauth/token/", {}).status_code == 400
    assert Client().post("/oauth/token/", {"grant_type": "x" * 5000}).status_code in (400, 401)
    assert Client().get("/oauth/userinfo/", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    assert Client().get("/api/me", headers={"Authorization": "Bearer nonsense"}).status_code == 401


# --- staff: the second factor comes before any code -----------------------------------------------

def test_officer_must_pass_totp_before_a_code_is_issued(cast):
    app = make_app()
    verifier, challenge = pkce()
    browser = Client()
    authorize_url = "/oauth/authorize/?" + urlencode(authorize_params(app, challenge))

    response = browser.post("/accounts/login/", {"username": "officer-a", "password": PASSWORD,
                                                 "next": authorize_url})
    assert response.status_code == 302
    otp_url = response["Location"]
    assert urlsplit(otp_url).path == "/accounts/otp/"
    assert parse_qs(urlsplit(otp_url).query)["next"] == [authorize_url]

    # Password alone: the authorize endpoint sends the officer to the second factor (and back
    # to the whole authorisation request afterwards), no code.
    response = browser.get(authorize_url)
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == "/accounts/otp/"
    assert parse_qs(urlsplit(response["Location"]).query)["next"] == [authorize_url]
    assert not Grant.objects.exists()

    page = browser.get(otp_url)
    assert page.context["enrolling"]
    device = TOTPDevice.objects.get(user=cast.officer_a)
    response = browser.post(otp_url, {"code": totp_now(device), "next": authorize_url})
    assert response.status_code == 302
    assert response["Location"] == authorize_url

    query = consent(browser, browser.get(authorize_url))
    tokens = exchange(app, query["code"][0], verifier).json()
    me = Client().get("/api/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.json()["username"] == "officer-a"


# --- the demo relying party -----------------------------------------------------------------------

def test_demo_client_is_registered_once_and_keeps_its_secret(cast):
    first = ensure_demo_client()
    second = ensure_demo_client()
    assert first == second
    app = Application.objects.get(client_id=first.client_id)
    assert Application.objects.filter(name=app.name).count() == 1
    assert app.name == "大连市公共资源交易平台（演示）"
    assert app.client_type == Application.CLIENT_CONFIDENTIAL
    assert app.algorithm == Application.RS256_ALGORITHM
    assert app.redirect_uris == DEMO_REDIRECT_URI
    # The returned secret is the one the token endpoint accepts.
    verifier, challenge = pkce()
    browser = Client()
    browser.force_login(cast.citizen)
    params = {"response_type": "code", "client_id": first.client_id, "redirect_uri": DEMO_REDIRECT_URI,
              "scope": "openid", "state": "s", "code_challenge": challenge, "code_challenge_method": "S256"}
    page = browser.get("/oauth/authorize/", params)
    form = page.context["form"]
    data = {name: (form.initial.get(name) or "") for name in form.fields if name != "allow"}
    answer = browser.post("/oauth/authorize/", {**data, "allow": "on"})
    code = parse_qs(urlsplit(answer["Location"]).query)["code"][0]
    response = Client().post("/oauth/token/", {
        "grant_type": "authorization_code", "code": code, "redirect_uri": DEMO_REDIRECT_URI,
        "code_verifier": verifier, "client_id": first.client_id, "client_secret": first.client_secret})
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("field", ["client_id", "redirect_uri", "scope", "state", "code_challenge", "nonce"])
def test_nul_bytes_in_the_authorisation_request_are_not_a_server_error(cast, field):
    app = make_app()
    _, challenge = pkce()
    browser = Client()
    browser.force_login(cast.citizen)
    params = authorize_params(app, challenge, **{field: "a\x00b"})
    assert browser.get("/oauth/authorize/", params).status_code < 500
    assert browser.post("/oauth/authorize/", {**params, "allow": "on"}).status_code < 500


@pytest.mark.parametrize("field", ["code", "client_id", "code_verifier", "redirect_uri", "grant_type"])
def test_nul_bytes_at_the_token_endpoint_are_not_a_server_error(cast, field):
    app = make_app()
    body = {"grant_type": "authorization_code", "code": "c", "redirect_uri": REDIRECT, "code_verifier": "v" * 43,
            "client_id": app.client_id, "client_secret": SECRET, field: "a\x00b"}
    assert Client().post("/oauth/token/", body).status_code in (400, 401)
