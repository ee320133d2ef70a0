"""The message centre: notices reach the addressee (page, API, SMS), only the addressee reads
them, and attachments download."""

import pytest
from django.test import Client

from tongban.core.models import AuditRecord
from tongban.core.pdf import PdfBuilder
from tongban.identity import actions
from tongban.identity.models import SmsMessage
from tongban.testing import api_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}


@pytest.fixture
def notice(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return actions.deliver(cast.citizen, kind="case.accepted", title="受理通知书",
                               body="您的申请已受理。", link="/accounts/me/", sms="您的申请已受理",
                               attachment=PdfBuilder("受理通知书").render(), attachment_name="受理通知书.pdf")


def test_delivered_message_is_listed_unread_and_texted(cast, notice):
    response = api_client(cast.citizen).get("/api/me/messages")
    body = response.json()
    assert response.status_code == 200 and body["unread"] == 1
    [item] = body["items"]
    assert item["title"] == "受理通知书" and item["read"] is False
    assert item["attachment"] == f"/api/me/messages/{notice.pk}/attachment"
    assert SmsMessage.objects.get(phone=cast.citizen.phone).text == "【通办】您的申请已受理"
    assert AuditRecord.objects.filter(action="identity.message.deliver", subject_id=cast.citizen.pk).exists()


def test_attachment_downloads_for_the_addressee_only(cast, notice):
    response = api_client(cast.citizen).get(f"/api/me/messages/{notice.pk}/attachment")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    assert api_client(cast.other_citizen).get(f"/api/me/messages/{notice.pk}/attachment").status_code == 404
    assert api_client(None).get(f"/api/me/messages/{notice.pk}/attachment").status_code == 401


def test_mark_read_once(cast, notice):
    client = api_client(cast.citizen)
    assert client.post(f"/api/me/messages/{notice.pk}/read").json()["read"] is True
    client.post(f"/api/me/messages/{notice.pk}/read")
    assert AuditRecord.objects.filter(action="identity.message.read").count() == 1
    assert client.get("/api/me/messages?unread=true").json()["items"] == []
    assert api_client(cast.other_citizen).post(f"/api/me/messages/{notice.pk}/read").status_code == 404


def test_others_never_see_the_message(cast, notice):
    assert api_client(cast.other_citizen).get("/api/me/messages").json()["items"] == []
    assert api_client(cast.officer_a).get("/api/me/messages").json()["items"] == []


def test_page_lists_and_reads(cast, notice):
    browser = Client()
    browser.force_login(cast.citizen)
    page = browser.get("/accounts/me/messages/").content.decode()
    assert "受理通知书" in page and "未读" in page
    response = browser.post(f"/accounts/me/messages/{notice.pk}/read/")
    assert response.status_code == 302 and response["Location"] == "/accounts/me/"
    download = browser.get(f"/accounts/me/messages/{notice.pk}/attachment/")
    assert download.status_code == 200
    stranger = Client()
    stranger.force_login(cast.other_citizen)
    assert stranger.get(f"/accounts/me/messages/{notice.pk}/attachment/").status_code == 404
    assert "受理通知书" not in stranger.get("/accounts/me/messages/").content.decode()


def test_message_without_phone_or_attachment(cast):
    cast.citizen.phone = ""
    cast.citizen.save()
    message = actions.deliver(cast.citizen, kind="case.reminder", title="补正提醒", body="请补正", sms="请补正")
    assert message.attachment == ""
    assert not SmsMessage.objects.exists()
    assert api_client(cast.citizen).get(f"/api/me/messages/{message.pk}/attachment").status_code == 404
