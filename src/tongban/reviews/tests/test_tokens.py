"""One-time review tokens (SMS link, window kiosk): stored hashed, bound to one event, used or
expired → a page saying so (API 409), never the form; staff cannot submit for the applicant."""

import datetime as dt
import hashlib

import pytest
from django.test import Client
from django.utils import timezone

from tongban.identity.models import SmsMessage
from tongban.reviews import checks
from tongban.reviews.models import Review, ReviewInvitation
from tongban.testing import api_client

from .conftest import post

pytestmark = pytest.mark.django_db


def _invite(case, officer, kind="sms"):
    r = post(api_client(officer), "/api/reviews/invitations", {"case": case.number, "kind": kind})
    assert r.status_code == 201, r.content
    return r.json()["token"]


def test_R26_sms_link_is_stored_hashed_and_works_once(cast, approved, health_officer, settings,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        token = _invite(approved, health_officer)
    inv = ReviewInvitation.objects.get()
    assert inv.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in inv.token_hash
    assert (inv.expires_at - inv.created_at) == dt.timedelta(days=settings.TONGBAN_REVIEW_LINK_DAYS
                                                             if hasattr(settings, "TONGBAN_REVIEW_LINK_DAYS") else 7)
    assert SmsMessage.objects.filter(phone=cast.citizen.phone, text__contains=f"/reviews/t/{token}/").exists()
    page = Client().get(f"/reviews/t/{token}/")
    assert page.status_code == 200 and "非常不满意" in page.content.decode()
    r = Client().post(f"/reviews/t/{token}/", {"level": "5", "tags": ["fast"], "comment": "快"})
    assert r.status_code == 200 and "感谢" in r.content.decode()
    review = Review.objects.get()
    assert review.reviewer == cast.citizen and review.channel == "sms" and review.level == 5
    gone = Client().get(f"/reviews/t/{token}/")
    assert gone.status_code == 409 and 'name="level"' not in gone.content.decode()
    assert post(Client(), f"/api/reviews/t/{token}", {"level": 4}).status_code == 409


def test_R26_expired_kiosk_token_never_shows_the_form(cast, approved, health_officer):
    token = _invite(approved, health_officer, kind="kiosk")
    inv = ReviewInvitation.objects.get()
    assert inv.expires_at - inv.created_at <= dt.timedelta(hours=1)
    ReviewInvitation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    page = Client().get(f"/reviews/t/{token}/")
    assert page.status_code == 409 and "过期" in page.content.decode() and 'name="level"' not in page.content.decode()
    assert post(api_client(cast.citizen), "/api/reviews", {"level": 5, "token": token}).status_code == 409
    assert not Review.objects.exists()


def test_R26_staff_cannot_submit_for_the_applicant_at_the_kiosk(cast, approved, health_officer):
    from tongban.cases.tests.helpers import staff_client

    token = _invite(approved, health_officer, kind="kiosk")
    r = staff_client(health_officer).post(f"/reviews/t/{token}/", {"level": "5"})
    assert r.status_code == 403 and not Review.objects.exists()
    assert post(api_client(health_officer), "/api/reviews", {"level": 5, "token": token}).status_code == 403
    r = post(Client(), f"/api/reviews/t/{token}", {"level": 1, "comment": "排队太久", "tags": ["long-wait"]})
    assert r.status_code == 201 and Review.objects.get().channel == "kiosk"


def test_unknown_token_is_404_and_someone_elses_token_is_404(cast, approved, health_officer):
    assert Client().get("/reviews/t/nonsense/").status_code == 404
    assert post(Client(), "/api/reviews/t/nonsense", {"level": 5}).status_code == 404
    token = _invite(approved, health_officer)
    assert post(api_client(cast.other_citizen), "/api/reviews", {"level": 5, "token": token}).status_code == 404


def test_invitation_needs_the_serving_department(cast, approved):
    assert post(api_client(cast.citizen), "/api/reviews/invitations", {"case": approved.number}).status_code == 403
    assert post(api_client(cast.officer_a), "/api/reviews/invitations", {"case": approved.number}).status_code == 404


def test_token_digest_is_sha256():
    assert checks.digest("abc") == hashlib.sha256(b"abc").hexdigest()
