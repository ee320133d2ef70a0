"""R27 "the reviewer asked again": when a rectification closes, the reviewer answers for
themselves — an identified reviewer on their portal page (or the API), a reviewer who rated
anonymously or by SMS link, kiosk or 12345 callback by an SMS with a one-time link (stored
hashed, expiring, bound to the rectification) to a page with the re-rating form alone. One
re-rating per rectification; the department never records it for them; the new rating stands
beside the first and counts in the public "satisfied when asked again"."""

import datetime as dt
import hashlib
import re

import pytest
from django.test import Client
from django.utils import timezone

from tongban.cases.tests.helpers import staff_client
from tongban.identity.constants import Role
from tongban.identity.models import SmsMessage
from tongban.reviews.models import Rectification, ReRatingToken, Review
from tongban.testing import api_client, make_staff

from .conftest import post
from .test_tickets import callback, closed_ticket

pytestmark = pytest.mark.django_db

LINK = re.compile(r"/reviews/re-rate/([\w-]+)/")


def _act(user, rid, action, **body):
    return post(api_client(user), f"/api/reviews/{rid}/rectification/actions/{action}", body)


def _close(head, rid, action="rectify"):
    assert _act(head, rid, "verify", finding="true", evidence="调阅记录").status_code == 200
    assert _act(head, rid, "contact", how="电话", what="致歉").status_code == 200
    r = _act(head, rid, action, outcome="实行一次性告知清单")
    assert r.status_code == 200, r.content
    return r.json()


def _sms_token(phone):
    texts = SmsMessage.objects.filter(phone=phone, text__contains="/reviews/re-rate/").values_list("text", flat=True)
    return [LINK.search(t).group(1) for t in texts]


def _by_sms_link(approved, officer, citizen, level=2):
    """A review given through the SMS link of the case (channel sms)."""
    r = post(api_client(officer), "/api/reviews/invitations", {"case": approved.number, "kind": "sms"})
    token = r.json()["token"]
    assert post(Client(), f"/api/reviews/t/{token}", {"level": level, "comment": "跑了三次"}).status_code == 201
    return Review.objects.get(case=approved, reviewer=citizen)


@pytest.fixture
def asked_by_sms(cast, approved, health_officer, health_head, django_capture_on_commit_callbacks):
    """A bad review given through the case's SMS link, its rectification closed: (review, the
    re-rating link's token from the SMS sent)."""
    review = _by_sms_link(approved, health_officer, cast.citizen)
    with django_capture_on_commit_callbacks(execute=True):
        _close(health_head, review.pk)
    [token] = _sms_token(cast.citizen.phone)
    return review, token


def test_R27_identified_reviewer_is_asked_on_their_page_and_answers_once(cast, approved, health_head,
                                                                         django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(cast.citizen)
    client.post(f"/reviews/new?case={approved.number}", {"case": approved.number, "level": "1"})
    review = Review.objects.get()
    assert "请您再次评价" not in client.get("/reviews/mine/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        row = _close(health_head, review.pk)
    assert row["state"] == "closed" and row["re_asked_at"] and row["steps"][-1]["action"] == "ask-again"
    assert not ReRatingToken.objects.exists()  # a portal reviewer: asked on their page, no SMS
    assert not SmsMessage.objects.filter(text__contains="/reviews/re-rate/").exists()
    listed = api_client(cast.citizen).get("/api/reviews").json()["items"][0]
    assert listed["re_rating_requested"] and listed["outcome_words"] == "已整改"
    mine = client.get("/reviews/mine/").content.decode()
    assert "请您再次评价" in mine and "实行一次性告知清单" in mine and "提交回访评价" in mine
    # the department that was rated cannot record the answer for the reviewer
    assert _act(health_head, review.pk, "re-rate", level=5).status_code == 403
    done = client.post(f"/reviews/rectifications/{review.pk}/re-rate/", {"level": "4"})
    again = client.post(f"/reviews/rectifications/{review.pk}/re-rate/", {"level": "5"})  # a double click
    assert done.status_code == 302 and again.status_code == 409
    rect = Rectification.objects.get()
    assert (rect.state, rect.re_level, rect.re_channel) == ("rerated", 4, "portal")
    assert Review.objects.get().level == 1  # kept beside the first, never edited
    assert "请您再次评价" not in client.get("/reviews/mine/").content.decode()


def test_R27_api_answer_is_marked_mobile(cast, approved, health_head):
    rid = post(api_client(cast.citizen), "/api/reviews", {"case": approved.number, "level": 2}).json()["id"]
    _close(health_head, rid, "explain")
    r = _act(cast.citizen, rid, "re-rate", level=9)
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "level"
    r = _act(cast.citizen, rid, "re-rate", level=3)
    assert r.status_code == 200 and r.json()["re_channel"] == "mobile" and r.json()["re_level_words"] == "基本满意"


def test_R27_sms_reviewer_gets_a_one_time_link_to_the_re_rating_form_alone(cast, approved, asked_by_sms):
    _, token = asked_by_sms
    stored = ReRatingToken.objects.get()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in stored.token_hash
    assert "****" in stored.phone_masked and cast.citizen.phone not in stored.phone_masked
    assert stored.expires_at - stored.created_at == dt.timedelta(days=7)
    page = Client().get(f"/reviews/re-rate/{token}/")
    html = page.content.decode()
    assert page.status_code == 200 and "整改后再次评价" in html and 'name="level"' in html
    assert 'name="tags"' not in html and 'name="comment"' not in html  # the re-rating form alone
    assert "实行一次性告知清单" in html and "不满意" in html
    info = Client().get(f"/api/reviews/re-rate/{token}").json()
    assert info["case"] == approved.number and info["level_words"] == "不满意" and len(info["levels"]) == 5
    assert Client().post(f"/reviews/re-rate/{token}/", {"level": "7"}).status_code == 422
    done = Client().post(f"/reviews/re-rate/{token}/", {"level": "4"})
    assert done.status_code == 200 and "感谢" in done.content.decode()
    rect = Rectification.objects.get()
    assert (rect.state, rect.re_level, rect.re_channel) == ("rerated", 4, "sms")
    assert rect.steps.last().actor_label == "评价人（短信链接）"
    used = Client().get(f"/reviews/re-rate/{token}/")
    assert used.status_code == 409 and 'name="level"' not in used.content.decode()
    assert "已经再次评价" in used.content.decode()
    assert post(Client(), f"/api/reviews/re-rate/{token}", {"level": 5}).status_code == 409
    assert Client().get(f"/api/reviews/re-rate/{token}").status_code == 409
    assert Review.objects.get().level == 2


def test_R27_anonymous_caller_is_asked_again_by_sms(cast, django_capture_on_commit_callbacks):
    head = make_staff("head-urban-rr", Role.HEAD, "urban-mgmt", "210202")
    ticket = closed_ticket("202612060101", phone="13904110101")
    callback(cast, ticket.number, level=1, resolved=False, comment="还是有油烟")
    review = Review.objects.get(ticket=ticket)
    assert review.reviewer is None
    with django_capture_on_commit_callbacks(execute=True):
        _close(head, review.pk)
    [token] = _sms_token("13904110101")
    text = SmsMessage.objects.get(phone="13904110101", text__contains="re-rate").text
    assert f"12345 工单 {ticket.number}" in text and "非常不满意" in text
    r = post(Client(), f"/api/reviews/re-rate/{token}", {"level": 5})
    assert r.status_code == 201 and r.json()["re_level_words"] == "非常满意" and r.json()["level"] == 1


def test_R27_expired_or_withdrawn_link_says_so_and_closing_again_asks_again(
        cast, approved, health_officer, health_head, django_capture_on_commit_callbacks):
    review = _by_sms_link(approved, health_officer, cast.citizen)
    with django_capture_on_commit_callbacks(execute=True):
        _close(health_head, review.pk, "explain")
    [first] = _sms_token(cast.citizen.phone)
    assert _act(cast.supervisor, review.pk, "send-back", reason="解释不充分").status_code == 200
    withdrawn = Client().get(f"/reviews/re-rate/{first}/")
    assert withdrawn.status_code == 409 and "撤回" in withdrawn.content.decode()
    assert post(Client(), f"/api/reviews/re-rate/{first}", {"level": 4}).status_code == 409
    assert Rectification.objects.get().re_asked_at is None
    with django_capture_on_commit_callbacks(execute=True):
        assert _act(health_head, review.pk, "rectify", outcome="重新整改").status_code == 200
    second = [t for t in _sms_token(cast.citizen.phone) if t != first]
    assert len(second) == 1
    ReRatingToken.objects.filter(used_at__isnull=True).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    expired = Client().get(f"/reviews/re-rate/{second[0]}/")
    assert expired.status_code == 409 and "过期" in expired.content.decode()
    assert Client().get("/reviews/re-rate/nonsense/").status_code == 404
    assert post(Client(), "/api/reviews/re-rate/nonsense", {"level": 4}).status_code == 404
    assert Rectification.objects.get().re_level is None


def test_R27_staff_cannot_answer_through_the_link_nor_another_citizen(cast, health_head, asked_by_sms):
    _, token = asked_by_sms
    assert staff_client(health_head).post(f"/reviews/re-rate/{token}/", {"level": "5"}).status_code == 403
    other = Client()
    other.force_login(cast.other_citizen)
    assert other.post(f"/reviews/re-rate/{token}/", {"level": "5"}).status_code == 404
    assert Rectification.objects.get().re_level is None


def test_R27_R28_satisfied_when_asked_again_counts_the_reviewers_answers(cast, approved, health_head):
    from tongban.oversight import stats

    rid = post(api_client(cast.citizen), "/api/reviews", {"case": approved.number, "level": 1}).json()["id"]
    _close(health_head, rid)
    today = timezone.localdate()
    asked = stats.figures(stats.rectification_figures(today, today, None)[("210200", "health", approved.item.code)])
    assert asked["rectification"]["asked_again"] == 1 and asked["rectification"]["answered_again"] == 0
    assert asked["rectification"]["satisfied_again_rate"] is None
    _act(cast.citizen, rid, "re-rate", level=4)
    answered = stats.figures(stats.rectification_figures(today, today, None)[("210200", "health",
                                                                               approved.item.code)])
    assert answered["rectification"]["answered_again"] == 1
    assert answered["rectification"]["satisfied_again_rate"] == 1.0
