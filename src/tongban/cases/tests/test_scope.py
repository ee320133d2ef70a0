"""Isolation (404, never a hint), enterprise agents, window filing (帮办代办), bundles
(一件事: a parent case and a child per item, routed to each item's department)."""

import pytest

from tongban.cases.models import Case
from tongban.core.models import AuditRecord
from tongban.identity.constants import Role
from tongban.testing import api_client, make_staff

from .conftest import ENTERPRISE_ITEM, ITEM, file, post

pytestmark = pytest.mark.django_db


def test_isolation_between_applicants_and_departments(clients, cast):
    number = file(clients.citizen).json()["number"]
    for client in (clients.other_officer, clients.other, clients.agent):
        assert client.get(f"/api/cases/{number}").status_code == 404
        assert post(client, f"/api/cases/{number}/actions/withdraw").status_code == 404
    assert clients.anonymous.get(f"/api/cases/{number}").status_code == 401
    assert clients.anonymous.get("/api/cases").status_code == 401
    assert post(clients.anonymous, "/api/cases", {"item": ITEM}).status_code == 401
    district = api_client(cast.district_officer)
    assert district.get(f"/api/cases/{number}").status_code == 404
    seen = clients.supervisor.get(f"/api/cases/{number}")  # a city supervisor sees, masked (R4)
    assert seen.status_code == 200
    assert seen.json()["applicant"]["id_number"] != cast.citizen.id_number
    assert "*" in seen.json()["applicant"]["id_number"]
    handled = clients.officer.get(f"/api/cases/{number}").json()
    assert handled["applicant"]["id_number"] == cast.citizen.id_number
    reads = AuditRecord.objects.filter(action="read:case", subject_id=cast.citizen.pk)
    assert reads.count() == 2  # the supervisor's and the officer's, not the applicant's own


def test_enterprise_case_is_seen_by_its_agent_only(cast):
    agent = api_client(cast.agent)
    market = api_client(cast.officer_a)
    r = post(agent, "/api/cases", {"item": ENTERPRISE_ITEM, "region": "210200",
                                   "on_behalf_of": cast.enterprise.uscc, "form": {}, "materials": []})
    assert r.status_code == 201, r.content
    assert r.json()["on_behalf_of"]["uscc"] == cast.enterprise.uscc
    number = r.json()["number"]
    assert market.get(f"/api/cases/{number}").status_code == 200
    assert api_client(cast.citizen).get(f"/api/cases/{number}").status_code == 404
    # an enterprise item needs the enterprise; a stranger cannot act for it
    r = post(api_client(cast.citizen), "/api/cases", {"item": ENTERPRISE_ITEM, "region": "210200"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "on_behalf_of"
    r = post(api_client(cast.citizen), "/api/cases", {"item": ENTERPRISE_ITEM, "region": "210200",
                                                      "on_behalf_of": cast.enterprise.uscc})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "on_behalf_of"


def test_window_staff_file_for_a_walk_in(clients, cast):
    window = make_staff("window-t", Role.WINDOW, "business-env", "210200")
    staff = api_client(window)
    r = post(staff, "/api/cases", {"item": ITEM, "region": "210200", "applicant": cast.citizen.id_number})
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    assert r.json()["channel"] == "window" and r.json()["filed_by"] == window.name
    assert Case.objects.get(number=number).applicant == cast.citizen
    assert clients.citizen.get(f"/api/cases/{number}").status_code == 200  # the same case either way
    assert staff.get(f"/api/cases/{number}").status_code == 200
    # only window staff may file for someone else; staff cannot file for themselves
    r = post(clients.officer, "/api/cases", {"item": ITEM, "region": "210200", "applicant": cast.citizen.id_number})
    assert r.status_code == 403
    r = post(staff, "/api/cases", {"item": ITEM, "region": "210200", "applicant": "110101199003070000"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "applicant"


def test_bundle_files_a_parent_and_a_child_per_department(cast, catalog):
    agent = api_client(cast.agent)
    r = post(agent, "/api/cases", {"bundle": "YJS-001", "region": "210202", "on_behalf_of": cast.enterprise.uscc,
                                   "form": {"enterprise.name": "大连海韵餐饮有限公司"}, "materials": []})
    assert r.status_code == 201, r.content
    parent = r.json()
    assert parent["bundle"]["code"] == "YJS-001" and parent["status"] == "in_progress"
    children = parent["children"]
    assert len(children) == 7
    assert {c["department"]["id"] for c in children} >= {"market", "hrss"}
    assert all(c["number"].startswith(parent["number"] + "-") for c in children)
    # each department's officer sees its own children only
    market = api_client(cast.officer_a)
    police = api_client(cast.officer_b)
    market_children = [c["number"] for c in children if c["department"]["id"] == "market"]
    other_children = [c["number"] for c in children if c["department"]["id"] != "market"]
    assert all(market.get(f"/api/cases/{n}").status_code == 200 for n in market_children)
    assert all(market.get(f"/api/cases/{n}").status_code == 404 for n in other_children)
    assert all(police.get(f"/api/cases/{n}").status_code == 404 for n in [parent["number"], *market_children])
    # the applicant's list shows the bundle once
    mine = agent.get("/api/cases").json()
    assert [c["number"] for c in mine["items"]] == [parent["number"]]
    # withdrawing the bundle withdraws every child
    r = post(agent, f"/api/cases/{parent['number']}/actions/withdraw")
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert {c["status"] for c in r.json()["children"]} == {"withdrawn"}


def test_bundle_children_finish_the_parent(cast, catalog):
    agent = api_client(cast.agent)
    parent = post(agent, "/api/cases", {"bundle": "YJS-001", "region": "210202",
                                        "on_behalf_of": cast.enterprise.uscc}).json()
    for child in Case.objects.filter(parent__number=parent["number"]):
        officer = make_staff(f"o-{child.number}", Role.OFFICER, child.department_id, child.region_id)
        client = api_client(officer)
        assert post(client, f"/api/cases/{child.number}/actions/accept").status_code == 200
        assert post(client, f"/api/cases/{child.number}/actions/approve").status_code == 200
    assert Case.objects.get(number=parent["number"]).status == "completed"


def test_unknown_bundle_is_422(clients):
    r = post(clients.citizen, "/api/cases", {"bundle": "NO-SUCH", "region": "210200"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "bundle"
