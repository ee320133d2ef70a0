"""The pages: the review form of a finished case (keyboard-usable radios, the words of every
level), my reviews with the append form, the head's rectification queue with both clocks, and
a rectification handled from its page."""

import pytest
from django.test import Client

from tongban.cases.tests.helpers import staff_client
from tongban.reviews.models import Review

pytestmark = pytest.mark.django_db


def _person(user):
    client = Client()
    client.force_login(user)
    return client


def test_R26_review_form_and_my_reviews(cast, approved):
    client = _person(cast.citizen)
    page = client.get(f"/reviews/new?case={approved.number}")
    html = page.content.decode()
    assert page.status_code == 200 and all(w in html for w in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"))
    assert 'type="radio" name="level"' in html
    bad = client.post(f"/reviews/new?case={approved.number}", {"case": approved.number, "level": "5",
                                                               "tags": ["rude"]})
    assert bad.status_code == 422 and "不适用" in bad.content.decode()
    r = client.post(f"/reviews/new?case={approved.number}", {"case": approved.number, "level": "2",
                                                             "tags": ["overdue"], "comment": "超时了"})
    assert r.status_code == 302 and Review.objects.get().level == 2
    again = client.post(f"/reviews/new?case={approved.number}", {"case": approved.number, "level": "5"})
    assert again.status_code == 409
    mine = client.get("/reviews/mine/").content.decode()
    assert "不满意" in mine and "超时办理" in mine and "追评" in mine
    assert _person(cast.other_citizen).get(f"/reviews/new?case={approved.number}").status_code == 404


def test_R27_head_queue_shows_both_clocks_and_acts_from_the_page(cast, approved, health_head):
    Client().logout()
    _person(cast.citizen).post(f"/reviews/new?case={approved.number}", {"case": approved.number, "level": "1"})
    review = Review.objects.get()
    head = staff_client(health_head)
    queue = head.get("/reviews/rectifications/").content.decode()
    assert "核实联系（1个工作日）" in queue and "整改解释（15个工作日）" in queue
    r = head.post(f"/reviews/rectifications/{review.pk}/verify/", {"finding": "true"})
    assert r.status_code == 422
    r = head.post(f"/reviews/rectifications/{review.pk}/verify/", {"finding": "true", "evidence": "调阅记录"})
    assert r.status_code == 302
    assert "属实" in head.get(f"/reviews/rectifications/{review.pk}/").content.decode()
    assert staff_client(cast.head).get(f"/reviews/rectifications/{review.pk}/").status_code == 404
