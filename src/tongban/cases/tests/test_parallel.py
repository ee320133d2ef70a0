"""并联审批 (issue 5 item 7): a process with parallel departments on SpiffWorkflow, saved with
the case; the lead department decides only when every parallel department has given its
opinion (the gateway's join); the parallel department sees the case, a third one does not."""

from __future__ import annotations

import pytest

from tongban.cases import process
from tongban.cases.models import Case, CaseParallelReview
from tongban.identity.constants import Role
from tongban.testing import api_client, make_staff

from .conftest import file, post

pytestmark = pytest.mark.django_db

ITEM = "BDC-QR-001"  # 不动产转移登记: 市不动产登记中心 decides, 市税务局 reviews in parallel


@pytest.fixture
def people(cast, catalog):
    from types import SimpleNamespace

    lead = make_staff("officer-bdc-t", Role.OFFICER, "real-estate-reg", "210200")
    tax = make_staff("officer-tax-t", Role.OFFICER, "tax", "210200")
    return SimpleNamespace(citizen=api_client(cast.citizen), lead=api_client(lead), tax=api_client(tax),
                           third=api_client(cast.officer_a), lead_user=lead)


def _accepted(people) -> str:
    r = file(people.citizen, item=ITEM)
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    assert post(people.lead, f"/api/cases/{number}/actions/accept").status_code == 200
    return number


def test_process_is_saved_with_the_case_and_has_a_parallel_branch(people):
    number = _accepted(people)
    case = Case.objects.get(number=number)
    definition = process.definition_for(case)
    assert case.process_state and case.process_digest == definition.digest
    assert process.parallel_departments(case) == ["tax"]
    progress = people.lead.get(f"/api/cases/{number}").json()["process"]
    assert "受理" in progress["completed"]
    assert any(name.startswith("并联审查") for name in progress["ready"]) and "审查" in progress["ready"]


def test_lead_cannot_decide_before_the_parallel_opinion(people):
    number = _accepted(people)
    early = post(people.lead, f"/api/cases/{number}/actions/approve")
    assert early.status_code == 409 and "税务" in early.json()["detail"]
    # the parallel department sees the case and gives its opinion, once
    assert people.tax.get(f"/api/cases/{number}").status_code == 200
    assert any(c["number"] == number for c in people.tax.get("/api/cases").json()["items"])
    ok = post(people.tax, f"/api/cases/{number}/actions/review", {"opinion": "agree", "note": "已核税"})
    assert ok.status_code == 200, ok.content
    again = post(people.tax, f"/api/cases/{number}/actions/review", {"opinion": "agree"})
    assert again.status_code == 409
    # the parallel department does not decide for the lead
    assert post(people.tax, f"/api/cases/{number}/actions/approve").status_code == 403
    done = post(people.lead, f"/api/cases/{number}/actions/approve")
    assert done.status_code == 200, done.content
    detail = people.lead.get(f"/api/cases/{number}").json()
    assert detail["status"] == "approved" and detail["process"]["ready"] == []
    assert {"决定", "送达"} <= set(detail["process"]["completed"])
    assert detail["parallel_reviews"][0]["opinion"] == "agree"


def test_a_third_department_sees_nothing(people):
    number = _accepted(people)
    assert people.third.get(f"/api/cases/{number}").status_code == 404
    assert post(people.third, f"/api/cases/{number}/actions/review", {"opinion": "agree"}).status_code == 404
    assert number not in str(people.third.get("/api/cases").json())


def test_disagreement_blocks_approval_but_not_denial(people):
    number = _accepted(people)
    missing_reason = post(people.tax, f"/api/cases/{number}/actions/review", {"opinion": "disagree"})
    assert missing_reason.status_code == 422 and missing_reason.json()["detail"][0]["field"] == "note"
    bad = post(people.tax, f"/api/cases/{number}/actions/review", {"opinion": "maybe"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "opinion"
    assert post(people.tax, f"/api/cases/{number}/actions/review",
                {"opinion": "disagree", "note": "存在欠税"}).status_code == 200
    refused = post(people.lead, f"/api/cases/{number}/actions/approve")
    assert refused.status_code == 409 and "不同意" in refused.json()["detail"]
    assert post(people.lead, f"/api/cases/{number}/actions/deny", {"reason": "税务部门审查不通过"}).status_code == 200


def test_review_before_acceptance_is_refused(people):
    r = file(people.citizen, item=ITEM)
    number = r.json()["number"]
    early = post(people.tax, f"/api/cases/{number}/actions/review", {"opinion": "agree"})
    assert early.status_code == 409
    assert CaseParallelReview.objects.get(case__number=number).opinion == ""


def test_the_parallel_officer_gives_the_opinion_on_the_staff_page(people, cast):
    from tongban.identity.models import User

    from .helpers import staff_client

    number = _accepted(people)
    page = staff_client(User.objects.get(username="officer-tax-t"))
    html = page.get(f"/staff/cases/{number}/").content.decode()
    assert "提交并联审查意见" in html and "准予许可</button>" not in html
    missing = page.post(f"/staff/cases/{number}/review/", {"opinion": "disagree", "note": ""})
    assert missing.status_code == 422 and "不同意的理由" in missing.content.decode()
    assert page.post(f"/staff/cases/{number}/review/", {"opinion": "agree"}).status_code == 302
    lead_html = staff_client(people.lead_user).get(f"/staff/cases/{number}/").content.decode()
    assert "准予许可</button>" in lead_html
