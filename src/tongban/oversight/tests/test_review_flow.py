"""The review flow end to end through the API, as the acceptance walks it: a citizen files, the
officer accepts and approves, level 9 → 422, 非常不满意 → 201 and a rectification, a second →
409, someone else → 404, and the supervisor's overview counts it for the department at once."""

import uuid

import pytest

from tongban.reviews.models import Rectification
from tongban.reviews.tests.conftest import ITEM
from tongban.testing import api_client

from .helpers import post

pytestmark = pytest.mark.django_db


def test_R26_R27_R28_review_flow_through_the_api(cast, catalog, health_officer):
    citizen, officer = api_client(cast.citizen), api_client(health_officer)
    r = post(citizen, "/api/cases", {"item": ITEM, "region": "210200", "form": {}, "materials": []},
             **{"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201
    number = r.json()["number"]
    for action in ("accept", "approve"):
        assert post(officer, f"/api/cases/{number}/actions/{action}").status_code == 200
    assert post(citizen, "/api/reviews", {"case": number, "level": 9}).status_code == 422
    r = post(citizen, "/api/reviews", {"case": number, "level": 1, "comment": "等了很久没人处理"})
    assert r.status_code == 201 and Rectification.objects.filter(review_id=r.json()["id"]).exists()
    assert post(citizen, "/api/reviews", {"case": number, "level": 5}).status_code == 409
    assert post(api_client(cast.agent), "/api/reviews", {"case": number, "level": 5}).status_code == 404
    overview = api_client(cast.supervisor).get("/api/stats/overview").json()
    dept = next(d for d in overview["departments"] if d["id"] == "health")
    assert int(dept["reviews"]["1"]) >= 1
