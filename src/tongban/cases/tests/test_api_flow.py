"""The acceptance check's journey as pytest (shared/acceptance/C-cases): file, idempotent
repeat, provision states, isolation, accept, R5 deadlines, correction pauses (R7), the
correction resumes, approval, wrong state, bad input, lists."""

import uuid

import pytest

from tongban.cases.models import Case
from tongban.core.calendar import add_working_days
from tongban.core.models import AuditRecord

from .conftest import ITEM, file, post

pytestmark = pytest.mark.django_db


def test_citizen_files_and_officer_takes_the_case_through(clients, cast, health_officer):
    key = str(uuid.uuid4())
    body = {"item": ITEM, "region": "210200", "form": {}, "materials": []}
    r = post(clients.citizen, "/api/cases", body, **{"Idempotency-Key": key})
    assert r.status_code == 201, r.content
    case = r.json()
    number = case["number"]
    assert number.startswith("210200-")
    assert case["status"] == "submitted"
    assert case["deadline"] and case["promised_deadline"]
    assert {m["provision"] for m in case["materials"]} <= {"uploaded", "reused", "fetched", "missing", "promised"}

    again = post(clients.citizen, "/api/cases", body, **{"Idempotency-Key": key})
    assert again.status_code == 201 and again.json()["number"] == number
    assert Case.objects.filter(applicant=cast.citizen).count() == 1

    assert clients.officer.get(f"/api/cases/{number}").status_code == 200
    assert clients.other_officer.get(f"/api/cases/{number}").status_code == 404
    assert clients.agent.get(f"/api/cases/{number}").status_code == 404
    assert clients.anonymous.get(f"/api/cases/{number}").status_code == 401

    r = post(clients.officer, f"/api/cases/{number}/actions/accept")
    assert r.status_code == 200, r.content
    from django.utils import timezone

    today = timezone.localdate()
    got = clients.citizen.get(f"/api/cases/{number}").json()
    assert got["status"] == "accepted"
    assert got["clock"]["deadline"] == add_working_days(today, 20).isoformat()  # R5
    assert got["clock"]["promised_deadline"] == add_working_days(today, 3).isoformat()
    assert got["promised_deadline"] == got["clock"]["promised_deadline"]

    r = post(clients.officer, f"/api/cases/{number}/actions/request-correction",
             {"materials": ["医师资格证书"], "reason": "材料不清晰"})
    assert r.status_code == 200, r.content
    got = clients.citizen.get(f"/api/cases/{number}").json()
    assert got["clock"]["state"] == "paused"  # R7
    assert got["notices"][-1]["kind"] == "correction"
    assert "医师资格证书" in got["notices"][-1]["text"]

    r = post(clients.citizen, f"/api/cases/{number}/actions/submit-correction", {"materials": []})
    assert r.status_code == 200, r.content
    got = r.json()
    assert got["clock"]["state"] in ("running", "warned")
    assert got["status"] == "accepted"

    r = post(clients.officer, f"/api/cases/{number}/actions/approve")
    assert r.status_code == 200
    assert r.json()["status"] == "approved"
    assert r.json()["clock"]["state"] == "done"
    assert post(clients.officer, f"/api/cases/{number}/actions/approve").status_code == 409
    wrong = post(clients.officer, f"/api/cases/{number}/actions/accept")
    assert wrong.status_code == 409
    assert "准予许可" in wrong.json()["detail"]  # names the state

    mine = clients.citizen.get("/api/cases").json()
    assert any(x["number"] == number for x in mine["items"])
    steps = [s["action"] for s in got["steps"]]
    assert steps[:4] == ["submit", "accept", "request-correction", "submit-correction"]
    assert all(s["at"] for s in got["steps"])
    actions = set(AuditRecord.objects.filter(object_id=str(Case.objects.get(number=number).pk),
                                             object_type="cases.case").values_list("action", flat=True))
    assert {"cases.submit", "cases.accept", "cases.request-correction", "cases.submit-correction",
            "cases.approve", "read:case"} <= actions


def test_unknown_or_missing_item_and_unimplemented_region_are_422_naming_the_field(clients):
    r = file(clients.citizen, item="NO-SUCH-ITEM")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "item"
    assert "NO-SUCH-ITEM" in r.json()["detail"][0]["message"]
    r = post(clients.citizen, "/api/cases", {"region": "210200"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "item"
    r = file(clients.citizen, region="210224")  # 长海县: the city-level item is not implemented there
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "region"
    assert "未实施" in r.json()["detail"][0]["message"]
    r = post(clients.citizen, "/api/cases", {"item": ITEM, "region": "210200", "form": "x"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "form"
    r = post(clients.citizen, "/api/cases", {"item": ITEM, "region": "210200", "materials": ["营业执照"]})
    assert r.status_code == 422 and "R11" in r.json()["detail"][0]["message"]
    r = post(clients.citizen, "/api/cases", {"item": ITEM, "region": "210200", "answers": {"没有的问题": "是"}})
    assert r.status_code == 422 and r.json()["detail"][0]["field"].startswith("answers")
    assert not Case.objects.exists()


def test_actions_need_the_right_person(clients):
    number = file(clients.citizen).json()["number"]
    assert post(clients.citizen, f"/api/cases/{number}/actions/accept").status_code == 403
    assert post(clients.supervisor, f"/api/cases/{number}/actions/accept").status_code == 403
    assert post(clients.other_officer, f"/api/cases/{number}/actions/accept").status_code == 404
    assert post(clients.officer, f"/api/cases/{number}/actions/withdraw").status_code == 403
    assert post(clients.officer, f"/api/cases/{number}/actions/fly").status_code == 404
    assert post(clients.officer, f"/api/cases/{number}/actions/reject", {}).status_code == 422  # reason required
    r = post(clients.officer, f"/api/cases/{number}/actions/reject", {"reason": "不属于本部门职权范围",
                                                                       "basis": "《行政许可法》第三十二条"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert r.json()["decision"]["basis"] == "《行政许可法》第三十二条"
    assert r.json()["clock"]["state"] == "done"


def test_withdraw_before_decision_stops_the_clock(clients):
    number = file(clients.citizen).json()["number"]
    post(clients.officer, f"/api/cases/{number}/actions/accept")
    r = post(clients.citizen, f"/api/cases/{number}/actions/withdraw", {"reason": "不再需要"})
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert r.json()["clock"]["state"] == "done"
    assert post(clients.citizen, f"/api/cases/{number}/actions/withdraw").status_code == 409


def test_officer_queue_sorted_by_deadline_and_filtered(clients, cast):
    first = file(clients.citizen).json()["number"]
    second = file(clients.citizen).json()["number"]
    assert first != second
    post(clients.officer, f"/api/cases/{second}/actions/accept")
    queue = clients.officer.get("/api/cases").json()
    assert queue["count"] == 2
    assert [c["number"] for c in queue["items"]] == [second, first]  # a deadline first, the unaccepted after
    only = clients.officer.get("/api/cases?status=submitted").json()
    assert [c["number"] for c in only["items"]] == [first]
    assert clients.officer.get("/api/cases?overdue=true").json()["count"] == 0
    assert clients.other_officer.get("/api/cases").json()["count"] == 0
    assert clients.other.get("/api/cases").json()["count"] == 0
    assert clients.officer.get("/api/cases?status=nonsense").status_code == 422
    assert clients.officer.get("/api/cases?page_size=1000").status_code == 422
