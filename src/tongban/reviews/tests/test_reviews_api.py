"""R26 一事一评: one review per event and reviewer (409), someone else's case (404), level out of
range and a tag not of the level (422), append once, the level never edited, staff cannot
review for the applicant, an unfinished case cannot be reviewed yet."""

import pytest

from tongban.reviews.models import Rectification, Review
from tongban.testing import api_client

from .conftest import decided_case, post

pytestmark = pytest.mark.django_db


def test_R26_review_in_words_then_second_is_409(cast, approved):
    client = api_client(cast.citizen)
    r = post(client, "/api/reviews", {"case": approved.number, "level": 9})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "level"
    r = post(client, "/api/reviews", {"case": approved.number, "level": 4, "comment": "很好", "tags": ["一次办成"]})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["level_words"] == "满意" and body["tags"] == [{"code": "one-visit", "name": "一次办成"}]
    assert body["department"]["id"] == "health"
    review = Review.objects.get(pk=body["id"])
    assert review.staff is not None and review.channel == "portal"
    r = post(client, "/api/reviews", {"case": approved.number, "level": 5})
    assert r.status_code == 409
    assert Review.objects.filter(case=approved).count() == 1
    assert not Rectification.objects.exists()  # a good review opens nothing


def test_R26_tag_of_another_level_is_422(cast, approved):
    r = post(api_client(cast.citizen), "/api/reviews", {"case": approved.number, "level": 5, "tags": ["态度生硬"]})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "tags.0"
    r = post(api_client(cast.citizen), "/api/reviews", {"case": approved.number, "level": 5, "tags": ["无此标签"]})
    assert r.status_code == 422
    assert not Review.objects.exists()


def test_R26_someone_elses_case_is_404(cast, approved):
    for user in (cast.other_citizen, cast.agent):
        assert post(api_client(user), "/api/reviews", {"case": approved.number, "level": 5}).status_code == 404
    assert post(api_client(cast.citizen), "/api/reviews", {"case": "NO-SUCH", "level": 5}).status_code == 404


def test_R26_staff_cannot_review_for_the_applicant(cast, approved, health_officer):
    assert post(api_client(health_officer), "/api/reviews", {"case": approved.number, "level": 5}).status_code == 403


def test_R26_an_unfinished_case_cannot_be_reviewed_yet(cast, catalog, health_officer):
    case = decided_case(cast.citizen, health_officer, approve=False)
    assert post(api_client(cast.citizen), "/api/reviews", {"case": case.number, "level": 5}).status_code == 409


def test_R26_enterprise_agent_reviews_the_enterprise_case(cast, catalog, officer_market):
    case = decided_case(cast.agent, officer_market, item="SCJG-XK-001", on_behalf_of=cast.enterprise.uscc)
    assert post(api_client(cast.citizen), "/api/reviews", {"case": case.number, "level": 5}).status_code == 404
    assert post(api_client(cast.agent), "/api/reviews", {"case": case.number, "level": 5}).status_code == 201


@pytest.fixture
def officer_market(cast):
    return cast.officer_a


def test_R26_append_once_and_level_never_edited(cast, approved):
    client = api_client(cast.citizen)
    rid = post(client, "/api/reviews", {"case": approved.number, "level": 3}).json()["id"]
    r = post(client, f"/api/reviews/{rid}/append", {"comment": "补充：后来很快办好了"})
    assert r.status_code == 200 and r.json()["append"]["comment"] == "补充：后来很快办好了"
    assert r.json()["level"] == 3
    assert post(client, f"/api/reviews/{rid}/append", {"comment": "再追一次"}).status_code == 409
    assert post(api_client(cast.other_citizen), f"/api/reviews/{rid}/append", {"comment": "x"}).status_code == 404


def test_R26_lists_mine_and_staff_in_scope(cast, approved, health_officer):
    post(api_client(cast.citizen), "/api/reviews", {"case": approved.number, "level": 2, "comment": "慢"})
    assert api_client(cast.citizen).get("/api/reviews").json()["count"] == 1
    assert api_client(cast.other_citizen).get("/api/reviews").json()["count"] == 0
    assert api_client(health_officer).get("/api/reviews").json()["count"] == 1
    assert api_client(cast.officer_a).get("/api/reviews").json()["count"] == 0  # another department
    assert api_client(cast.supervisor).get("/api/reviews").json()["count"] == 1


def test_R26_unreviewed_event_stays_unreviewed(cast, approved):
    assert not Review.objects.filter(case=approved).exists()
    tags = api_client().get("/api/reviews/tags").json()
    assert [t["words"] for t in tags] == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    assert {"多次跑动", "材料繁琐", "超时办理", "态度生硬", "指南外要求材料", "未办成"} <= {
        t["name"] for t in tags[-1]["tags"]}
