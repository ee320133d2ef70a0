"""Issue 6's acceptance flow in-process over HTTP: file → accept → approve (API) issues the
licence; verify by code and page; the tracker names the case; the supervisor's statistics."""

import json
import uuid

from tongban.testing import api_client

from .conftest import ITEM, post


def test_http_approval_issues_a_verifiable_licence_and_the_tracker_names_the_case(
        cast, catalog, health_officer, client, django_capture_on_commit_callbacks):
    citizen, officer = api_client(cast.citizen), api_client(health_officer)
    r = citizen.post("/api/cases", data=json.dumps({"item": ITEM, "region": "210200", "form": {}, "materials": []}),
                     content_type="application/json", headers={"Idempotency-Key": str(uuid.uuid4())})
    number = r.json()["number"]
    with django_capture_on_commit_callbacks(execute=True):
        for action in ("accept", "approve"):
            assert post(officer, f"/api/cases/{number}/actions/{action}").status_code == 200
    mine = citizen.get("/api/licences").json()["items"]
    assert [x["type"] for x in mine] == ["ZZ-YSZY"] and mine[0]["source_case"] == number
    v = client.get(f"/api/licences/verify/{mine[0]['verification_code']}").json()
    assert v["status"] == "valid" and v["signature_valid"] is True and cast.citizen.id_number not in str(v)
    assert client.get(f"/verify/{mine[0]['verification_code']}", headers={"Accept": "text/html"}).status_code == 200
    uses = citizen.get("/api/me/data-uses").json()
    assert any(number in str(u) for u in uses["items"])
    stats = api_client(cast.supervisor).get("/api/stats/materials").json()
    assert all(k in stats for k in ("uploaded", "reused", "fetched"))
