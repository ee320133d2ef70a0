"""Sign-in with a code sent by SMS: the outbox backend, single use, expiry, guess limit,
resend interval, and no way to learn who is registered."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from tongban.core.errors import FieldError
from tongban.identity import actions
from tongban.identity.models import SmsCode, SmsMessage, User

pytestmark = pytest.mark.django_db

UNKNOWN_PHONE = "13712345678"


@pytest.fixture
def outbox(django_capture_on_commit_callbacks, monkeypatch):
    """Messages are handed to the gateway when the transaction commits. Inside a test's
    transaction nothing commits, so each request's callbacks are run as it ends."""
    def run_with_commit_callbacks(request):
        with django_capture_on_commit_callbacks(execute=True):
            return request()

    monkeypatch.setattr(f"{__name__}.deliver", run_with_commit_callbacks)
    return SmsMessage.objects


def deliver(request):
    """Run one request (replaced by the `outbox` fixture so that its messages are sent)."""
    return request()


def post_json(client: Client, path: str, body: dict):
    return client.post(path, data=json.dumps(body), content_type="application/json")


def send(phone: str):
    return deliver(lambda: post_json(Client(), "/api/auth/sms/send", {"phone": phone}))


def send_page(phone: str, *, htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    return deliver(lambda: Client().post("/accounts/login/sms/send/", {"phone": phone}, headers=headers))


def code_in(message: SmsMessage) -> str:
    return re.search(r"验证码为(\d{6})", message.text).group(1)


def last_code(phone: str) -> str:
    return code_in(SmsMessage.objects.filter(phone=phone).latest("created_at"))


def sms_login(phone: str, code: str, client: Client | None = None, **extra: str):
    client = client or Client()
    return client, client.post("/accounts/login/sms/", {"phone": phone, "code": code, **extra})


def signed_in(client: Client) -> str | None:
    response = client.get("/api/me")
    return response.json()["username"] if response.status_code == 200 else None


def test_code_is_sent_to_the_outbox_and_logs_in_once(cast, outbox):
    assert send(cast.citizen.phone).status_code == 200
    message = outbox.get()
    assert message.phone == cast.citizen.phone
    assert "【通办】" in message.text
    code = code_in(message)
    # Only a digest of the code is kept.
    assert code not in SmsCode.objects.get(phone=cast.citizen.phone).digest

    client, response = sms_login(cast.citizen.phone, code, next="/accounts/me/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/me/"
    assert signed_in(client) == cast.citizen.username

    # The same code again is refused.
    client, response = sms_login(cast.citizen.phone, code)
    assert response.status_code == 200
    assert "验证码错误或已失效" in response.content.decode()
    assert signed_in(client) is None


def test_api_login_with_code_opens_a_session(cast, outbox):
    send(cast.citizen.phone)
    client = Client()
    response = post_json(client, "/api/auth/sms/login", {"phone": cast.citizen.phone,
                                                          "code": last_code(cast.citizen.phone)})
    assert response.status_code == 200
    assert response.json()["phone"] == "139****0001"
    assert signed_in(client) == cast.citizen.username
    again = post_json(Client(), "/api/auth/sms/login", {"phone": cast.citizen.phone,
                                                         "code": last_code(cast.citizen.phone)})
    assert again.status_code == 422
    assert again.json()["detail"][0]["field"] == "code"


def test_expired_code_is_refused(cast, outbox):
    send(cast.citizen.phone)
    SmsCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    client, response = sms_login(cast.citizen.phone, last_code(cast.citizen.phone))
    assert response.status_code == 200
    assert signed_in(client) is None


def test_five_wrong_guesses_kill_the_code(cast, outbox):
    send(cast.citizen.phone)
    code = last_code(cast.citizen.phone)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        with pytest.raises(FieldError):
            actions.verify_login_code(cast.citizen.phone, wrong)
    assert SmsCode.objects.get().attempts == 5
    client, _ = sms_login(cast.citizen.phone, code)
    assert signed_in(client) is None
    with pytest.raises(FieldError):
        actions.verify_login_code(cast.citizen.phone, code)


def test_resend_within_the_interval_is_refused(cast, outbox):
    assert send(cast.citizen.phone).status_code == 200
    response = send(cast.citizen.phone)
    assert response.status_code == 409
    assert "秒后再试" in response.json()["detail"]
    # On the page (htmx), an inline message rather than an error status htmx would not show.
    page = send_page(cast.citizen.phone, htmx=True)
    assert page.status_code == 200
    assert "秒后再试" in page.content.decode()
    assert outbox.count() == 1
    # After the interval a new code may be sent.
    SmsCode.objects.update(created_at=timezone.now() - dt.timedelta(seconds=61))
    assert send(cast.citizen.phone).status_code == 200
    assert outbox.count() == 2


def test_page_without_javascript_gets_the_whole_login_page(cast, outbox):
    response = send_page(cast.citizen.phone)
    assert response.status_code == 200
    html = response.content.decode()
    assert "统一身份认证登录" in html and "验证码已发送" in html
    assert response.context["sms_form"]["phone"].value() == cast.citizen.phone
    again = send_page(cast.citizen.phone)
    assert "秒后再试" in again.content.decode()


def test_unknown_phone_gets_the_same_answer_and_no_sms(cast, outbox):
    known, unknown = send(cast.citizen.phone), send(UNKNOWN_PHONE)
    assert (unknown.status_code, unknown.json()) == (known.status_code, known.json())
    assert not outbox.filter(phone=UNKNOWN_PHONE).exists()
    # The resend interval applies alike, so it gives nothing away either.
    assert send(UNKNOWN_PHONE).status_code == 409
    page = send_page(UNKNOWN_PHONE, htmx=True)
    assert "秒后再试" in page.content.decode()
    # And no code can sign anyone in with it.
    for guess in ("000000", "123456"):
        client, _ = sms_login(UNKNOWN_PHONE, guess)
        assert signed_in(client) is None


def test_unknown_phone_page_answer_matches_a_known_one(cast, outbox):
    known = send_page(cast.citizen.phone, htmx=True)
    unknown = send_page(UNKNOWN_PHONE, htmx=True)
    assert known.content == unknown.content


def test_staff_get_no_sms_code(cast, outbox):
    User.objects.filter(pk=cast.officer_a.pk).update(phone="13900000099")
    assert send("13900000099").status_code == 200
    assert not outbox.filter(phone="13900000099").exists()


def test_phone_written_with_country_code_is_the_same_number(cast, outbox):
    assert send("+86 139-0000-0001").status_code == 200
    client, response = sms_login("139 0000 0001", last_code(cast.citizen.phone))
    assert response.status_code == 302
    assert signed_in(client) == cast.citizen.username


# --- bad input ------------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [{}, {"phone": ""}, {"phone": "abc"}, {"phone": "1" * 5000},
                                  {"phone": 13900000001.5}, {"phone": None}, {"phone": "139\x0000000001"}])
def test_bad_phone_at_the_api_is_422(cast, outbox, body):
    response = post_json(Client(), "/api/auth/sms/send", body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] in ("phone", "body")
    assert not outbox.exists()


@pytest.mark.parametrize("body", [{}, {"phone": "13900000001"}, {"phone": "13900000001", "code": "abc"},
                                  {"phone": "13900000001", "code": "1" * 5000}, {"phone": "x", "code": "123456"},
                                  {"phone": "13900000001", "code": "12\x003456"}])
def test_bad_login_body_at_the_api_is_422(cast, body):
    assert post_json(Client(), "/api/auth/sms/login", body).status_code == 422


@pytest.mark.parametrize("data", [{}, {"phone": ""}, {"phone": "abc"}, {"phone": "1" * 5000}, {"phone": "\x00"}])
def test_bad_phone_on_the_page_is_an_inline_message(cast, outbox, data):
    for headers in ({}, {"HX-Request": "true"}):
        response = Client().post("/accounts/login/sms/send/", data, headers=headers)
        assert response.status_code == 200
        assert "手机号" in response.content.decode()
    assert not outbox.exists()


@pytest.mark.parametrize("data", [
    {}, {"phone": "", "code": ""}, {"phone": "13900000001", "code": "abcdef"},
    {"phone": "13900000001", "code": "１２３４５６"}, {"phone": "13900000001", "code": "1" * 5000},
    {"phone": "x" * 5000, "code": "123456"}, {"phone": "abc", "code": "123456"},
])
def test_bad_login_form_is_an_inline_error(cast, outbox, data):
    send(cast.citizen.phone)
    client, response = sms_login(data.get("phone", ""), data.get("code", ""))
    assert response.status_code == 200
    assert response.context["sms_form"].errors
    assert signed_in(client) is None
    # A malformed code is not a guess: it does not use up the code's attempts.
    assert SmsCode.objects.get(phone=cast.citizen.phone).attempts == 0


def test_sms_send_needs_post(cast):
    assert Client().get("/accounts/login/sms/send/").status_code == 405
