"""R27 差评整改: a bad review opens a rectification for the department that served, with a 1-wd
and a 15-wd clock (warned and overdue as R8); verify → contact (failed attempts recorded) →
rectify or explain with an outcome → the reviewer asked again, the new rating beside the first."""

import datetime as dt

import pytest
from django.utils import timezone

from tongban.core.calendar import add_working_days
from tongban.reviews import selectors
from tongban.reviews.models import Rectification, Review
from tongban.testing import api_client

from .conftest import post

pytestmark = pytest.mark.django_db


@pytest.fixture
def bad(cast, approved):
    r = post(api_client(cast.citizen), "/api/reviews", {"case": approved.number, "level": 1, "comment": "等了很久",
                                                        "tags": ["超时办理"]})
    assert r.status_code == 201
    return r.json()["id"]


def _act(user, rid, action, **body):
    return post(api_client(user), f"/api/reviews/{rid}/rectification/actions/{action}", body)


def test_R27_bad_review_opens_rectification_with_two_clocks(bad):
    rect = Rectification.objects.get(review_id=bad)
    assert rect.department_id == "health" and rect.state == "open"
    assert rect.verify_due == add_working_days(rect.opened_on, 1)
    assert rect.rectify_due == add_working_days(rect.opened_on, 15)
    c = selectors.clocks(rect)
    assert c["verify"]["state"] in ("running", "warned") and c["rectify"]["state"] == "running"


def test_R8_R27_rectification_clocks_warn_and_overdue(bad):
    rect = Rectification.objects.get(review_id=bad)
    later = add_working_days(rect.opened_on, 2)
    c = selectors.clocks(rect, later)
    assert c["verify"]["state"] == "overdue"
    assert selectors.rectification_row(rect, later)["flagged"]  # R27 100 % follow-up: no contact recorded
    assert not selectors.rectification_row(rect)["flagged"]
    assert selectors.clocks(rect, add_working_days(rect.opened_on, 13))["rectify"]["state"] == "warned"
    assert selectors.clocks(rect, add_working_days(rect.opened_on, 16))["rectify"]["state"] == "overdue"


def test_R27_full_cycle_and_re_rating_kept_beside_the_first(cast, bad, health_head):
    assert _act(health_head, bad, "rectify", outcome="已改").status_code == 422  # not verified, not contacted
    r = _act(health_head, bad, "verify", finding="maybe", evidence="x")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "finding"
    assert _act(health_head, bad, "verify", finding="partly", evidence="调阅记录，受理后等待较久").status_code == 200
    assert _act(health_head, bad, "contact-failed", how="电话", what="无人接听").status_code == 200
    assert _act(health_head, bad, "contact", how="电话", what="致歉并说明").status_code == 200
    r = _act(health_head, bad, "rectify", outcome="")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "outcome"
    r = _act(health_head, bad, "rectify", outcome="优化受理分派，限时办结")
    assert r.status_code == 200 and r.json()["state"] == "closed"
    assert r.json()["clocks"]["verify"]["state"] == "done"
    steps = [s["action"] for s in r.json()["steps"]]
    assert steps == ["open", "verify", "contact-failed", "contact", "rectify", "ask-again"]
    assert _act(health_head, bad, "re-rate", level=4).status_code == 403  # only the reviewer
    r = _act(cast.citizen, bad, "re-rate", level=4)
    assert r.status_code == 200 and r.json()["re_level_words"] == "满意" and r.json()["level_words"] == "非常不满意"
    assert _act(cast.citizen, bad, "re-rate", level=5).status_code == 409
    assert Review.objects.get(pk=bad).level == 1  # the first rating is never edited


def test_R27_head_of_another_department_gets_404(cast, bad):
    assert _act(cast.head, bad, "verify", finding="true", evidence="x").status_code == 404
    assert api_client(cast.head).get("/api/reviews/rectifications").json()["count"] == 0


def test_R27_supervisor_sends_back_and_decides_exclusion_with_reason(cast, bad, health_head):
    _act(health_head, bad, "verify", finding="untrue", evidence="与本部门无关")
    _act(health_head, bad, "contact", how="电话", what="说明")
    _act(health_head, bad, "explain", outcome="已解释")
    assert _act(health_head, bad, "send-back", reason="x").status_code == 403
    r = _act(cast.supervisor, bad, "send-back", reason="解释不充分")
    assert r.status_code == 200 and r.json()["state"] == "open" and r.json()["sent_back"] == 1
    assert _act(health_head, bad, "request-exclusion", reason="与服务无关").status_code == 200
    assert _act(cast.supervisor, bad, "decide-exclusion", decision="exclude").status_code == 422
    r = _act(cast.supervisor, bad, "decide-exclusion", decision="exclude", reason="核实与服务无关")
    assert r.status_code == 200 and r.json()["state"] == "excluded"
    review = Review.objects.get(pk=bad)
    assert review.excluded and review.level == 1  # counted as excluded, never deleted


def test_R27_supervisor_queue_shows_overdue_first(cast, catalog, health_officer, bad):
    from .conftest import decided_case

    second = decided_case(cast.citizen, health_officer)
    rid = post(api_client(cast.citizen), "/api/reviews", {"case": second.number, "level": 2}).json()["id"]
    Rectification.objects.filter(review_id=rid).update(
        opened_on=timezone.localdate() - dt.timedelta(days=40), verify_due=timezone.localdate() - dt.timedelta(days=39),
        rectify_due=timezone.localdate() - dt.timedelta(days=20))
    items = api_client(cast.supervisor).get("/api/reviews/rectifications").json()["items"]
    assert [i["review"] for i in items] == [rid, bad]
    assert items[0]["clocks"]["rectify"]["state"] == "overdue"


def test_R27_unknown_action_is_404(bad, health_head):
    assert _act(health_head, bad, "delete").status_code == 404
