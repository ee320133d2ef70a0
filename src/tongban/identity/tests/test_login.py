"""Password sign-in, the staff second factor (TOTP) and failed-login throttling."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.core.models import AuditRecord
from tongban.identity.demo import make_id_number
from tongban.identity.models import User
from tongban.testing import PASSWORD, make_person

pytestmark = pytest.mark.django_db


def person_with_x() -> User:
    """A person whose ID number ends in the check character X (RULES R1)."""
    number = next(n for n in (make_id_number("210211", "19920305", seq) for seq in range(1, 200))
                  if n.endswith("X"))
    return make_person("赵一鸣", number, "13900000031")


def login(client: Client, username: str, password: str = PASSWORD, **extra: str):
    return client.post("/accounts/login/", {"username": username, "password": password, **extra})


def totp_now(device: TOTPDevice) -> str:
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{code:0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    right = int(totp_now(device))
    return f"{(right + 500_000) % 1_000_000:06d}"


def signed_in_user(client: Client) -> User | None:
    response = client.get("/api/me")
    return User.objects.get(username=response.json()["username"]) if response.status_code == 200 else None


def enrol(client: Client, user: User) -> str:
    """Sign a staff member in with password and TOTP (enrolling on first use); the code used."""
    assert login(client, user.username).status_code == 302
    client.get("/accounts/otp/")
    code = totp_now(TOTPDevice.objects.get(user=user))
    assert client.post("/accounts/otp/", {"code": code}).status_code == 302
    return code


# --- citizens -------------------------------------------------------------------------------------

def test_R1_citizen_signs_in_with_lower_case_x_in_the_id_number(db):
    person = person_with_x()
    client = Client()
    response = login(client, person.username.lower())
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user(client) == person  # the session works for the API
    assert AuditRecord.objects.filter(action="identity.login.password", actor_id=person.pk).exists()


def test_citizen_goes_where_next_says_but_never_off_site(cast):
    client = Client()
    assert login(client, cast.citizen.username, next="/accounts/me/")["Location"] == "/accounts/me/"
    client = Client()
    assert login(client, cast.citizen.username, next="https://evil.example.test/")["Location"] == "/"
    client = Client()
    assert login(client, cast.citizen.username, next="//evil.example.test/x")["Location"] == "/"


def test_wrong_password_shows_the_form_again_with_a_chinese_message(cast):
    client = Client()
    response = login(client, cast.citizen.username, "not-the-password")
    assert response.status_code == 200
    assert "账号或密码错误" in response.content.decode()
    assert signed_in_user(client) is None


def test_citizen_has_no_second_factor(cast):
    client = Client()
    login(client, cast.citizen.username)
    response = client.get("/accounts/otp/?next=/accounts/me/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/me/"
    assert not TOTPDevice.objects.filter(user=cast.citizen).exists()
    assert client.get("/accounts/me/").status_code == 200


def test_logout_needs_post_and_ends_the_session(cast):
    client = Client()
    login(client, cast.citizen.username)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert signed_in_user(client) is None


# --- staff: password, then TOTP -------------------------------------------------------------------

def test_officer_is_sent_to_the_second_factor_and_kept_there(cast):
    client = Client()
    response = login(client, "officer-a", next="/staff/")
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == "/accounts/otp/"
    assert parse_qs(target.query)["next"] == ["/staff/"]
    # Nothing else until the second factor: pages redirect, the session API does not count.
    assert urlsplit(client.get("/staff/")["Location"]).path == "/accounts/otp/"
    assert urlsplit(client.get("/accounts/me/")["Location"]).path == "/accounts/otp/"
    assert client.get("/api/me").status_code == 401
    assert client.get("/api/staff").status_code == 401


def test_enrolment_shows_a_secret_and_qr_and_a_right_code_verifies(cast):
    client = Client()
    login(client, "officer-a", next="/staff/")
    page = client.get("/accounts/otp/?next=/staff/")
    assert page.status_code == 200
    assert page.context["enrolling"]
    device = TOTPDevice.objects.get(user=cast.officer_a)
    assert not device.confirmed
    html = page.content.decode()
    assert page.context["secret"] in html
    assert 'data-testid="totp-secret"' in html and "data:image/svg+xml;base64," in html
    # The secret shown is the device's key, so an authenticator app computes the same codes.
    assert base64.b32decode(page.context["secret"]) == device.bin_key

    response = client.post("/accounts/otp/", {"code": totp_now(device), "next": "/staff/"})
    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    device.refresh_from_db()
    assert device.confirmed
    # Remembered for the session: the workspace and the session API now answer.
    assert client.get("/staff/").status_code == 200
    assert client.get("/staff/").status_code == 200
    assert client.get("/api/me").json()["username"] == "officer-a"
    assert AuditRecord.objects.filter(action="identity.login.otp", actor_id=cast.officer_a.pk).exists()


def test_second_sign_in_asks_for_the_code_without_showing_the_secret(cast):
    enrol(Client(), cast.officer_a)
    client = Client()
    login(client, "officer-a")
    page = client.get("/accounts/otp/")
    assert not page.context["enrolling"]
    assert "secret" not in page.context
    assert 'data-testid="totp-secret"' not in page.content.decode()
    assert TOTPDevice.objects.filter(user=cast.officer_a).count() == 1


def test_wrong_code_shows_an_inline_error(cast):
    client = Client()
    login(client, "officer-a")
    client.get("/accounts/otp/")
    device = TOTPDevice.objects.get(user=cast.officer_a)
    response = client.post("/accounts/otp/", {"code": wrong_code(device)})
    assert response.status_code == 200
    assert "动态口令错误" in response.content.decode()
    assert response.context["form"].errors["code"]
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/api/me").status_code == 401


@pytest.mark.parametrize("code", ["", "12345", "abcdef", "１２３４５６", "1234567", "9" * 5000])
def test_malformed_code_is_an_inline_error_not_a_server_error(cast, code):
    client = Client()
    login(client, "officer-a")
    client.get("/accounts/otp/")
    response = client.post("/accounts/otp/", {"code": code})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]


def test_replayed_totp_code_is_refused(cast):
    used = enrol(Client(), cast.officer_a)
    # The same code again, from another browser within its 30 seconds: django-otp remembers
    # the last time step it accepted.
    client = Client()
    login(client, "officer-a")
    response = client.post("/accounts/otp/", {"code": used})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert client.get("/api/me").status_code == 401


def test_staff_session_api_writes_need_the_second_factor_too(cast):
    client = Client()
    login(client, "officer-a")
    response = client.post("/api/me/tokens", {"name": "x", "days": 1}, content_type="application/json")
    assert response.status_code == 401


# --- bad input ------------------------------------------------------------------------------------

@pytest.mark.parametrize("data", [
    {},
    {"username": "", "password": ""},
    {"username": "x" * 5000, "password": "y"},
    {"username": "21020219850312002", "password": "p" * 5000},
    {"username": "\x00", "password": "\x00"},
    {"username": "张三", "password": "密码"},
])
def test_bad_login_input_is_never_a_server_error(cast, data):
    response = Client().post("/accounts/login/", data)
    assert response.status_code == 200
    assert response.context["form"].errors


def test_login_page_is_public_and_chinese():
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "统一身份认证登录" in html and "短信验证码登录" in html


# --- throttling (django-axes) ---------------------------------------------------------------------

@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True


def test_five_wrong_passwords_lock_the_account_on_this_address(cast, axes_on):
    client = Client()
    for _ in range(4):
        assert login(client, cast.citizen.username, "wrong-password").status_code == 200
    locked = login(client, cast.citizen.username, "wrong-password")
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    # The right password during the lockout is refused as well.
    again = login(client, cast.citizen.username)
    assert again.status_code == 429
    assert signed_in_user(client) is None


def test_lockout_counts_the_id_number_however_it_is_typed(db, axes_on):
    person = person_with_x()
    client = Client()
    for i in range(5):
        typed = person.username.lower() if i % 2 else f" {person.username} "
        login(client, typed, "wrong-password")
    assert login(client, person.username).status_code == 429


def test_lockout_is_per_address(cast, axes_on):
    for _ in range(5):
        login(Client(REMOTE_ADDR="10.0.0.1"), cast.citizen.username, "wrong-password")
    assert login(Client(REMOTE_ADDR="10.0.0.1"), cast.citizen.username).status_code == 429
    other = Client(REMOTE_ADDR="10.0.0.2")
    assert login(other, cast.citizen.username).status_code == 302
    assert signed_in_user(other) == cast.citizen


def test_a_success_before_the_limit_resets_the_count(cast, axes_on):
    client = Client()
    for _ in range(4):
        login(client, cast.citizen.username, "wrong-password")
    assert login(client, cast.citizen.username).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        assert login(client, cast.citizen.username, "wrong-password").status_code == 200
    assert login(client, cast.citizen.username).status_code == 302
