"""Consent before any fetch, beyond one item (issue 6 item 5): a 一件事 bundle shows one preview
of every fetch of all its items, by receiving department, and is consented to once; a material
a department shares (部门共享) is a fetch too — previewed, fetched only with consent, withdrawable
until acceptance."""

import uuid

import pytest
from django.test import Client

from tongban.cases.models import Case, CaseMaterial, CaseStep
from tongban.catalog.models import LicenceType
from tongban.core.models import AuditRecord
from tongban.identity.middleware import SESSION_ACTING_FOR
from tongban.identity.models import Department
from tongban.licences.actions import issue_licence
from tongban.testing import api_client

from .conftest import post
from .test_consent_and_reuse import assert_every_fetch_has_its_consent

pytestmark = pytest.mark.django_db
RESTAURANT = "YJS-001"  # 我要开饭店: 营业执照 in six of its items, five departments
BIRTH = "WJW-GG-001"  # 出生医学证明首次签发: 新生儿住院分娩记录 shared by the health commission
RECORD = "新生儿住院分娩记录"


@pytest.fixture
def business_licence(cast, catalog):
    market = Department.objects.get(pk="market")
    return issue_licence(None, licence_type=LicenceType.objects.get(pk="ZZ-YYZZ"), holder_kind="enterprise",
                         holder_id=cast.enterprise.uscc, holder_name=cast.enterprise.name, issuer=market,
                         region=market.region, holder_enterprise=cast.enterprise, fields={"住所": "大连市中山区"})


def _preview(client, uscc, **body):
    return post(client, "/api/consents/preview", {"bundle": RESTAURANT, "region": "210202", "on_behalf_of": uscc,
                                                  **body})


def _file_bundle(client, uscc, materials=None):
    return post(client, "/api/cases", {"bundle": RESTAURANT, "region": "210202", "on_behalf_of": uscc, "form": {},
                                       "materials": materials or []})


def _licence_rows(parent_number):
    return CaseMaterial.objects.filter(case__parent__number=parent_number, licence_type="ZZ-YYZZ")


def assert_every_shared_fetch_has_its_consent():
    """No department-shared material is fetched without a consent step of its own case."""
    for m in CaseMaterial.objects.filter(source="department", provision="fetched"):
        step = CaseStep.objects.get(pk=int(m.reference.removeprefix("consent:")))
        assert step.case_id == m.case_id and step.data["consent"]["material"] == m.name


def test_bundle_preview_lists_every_fetch_by_department(cast, business_licence):
    r = _preview(api_client(cast.agent), cast.enterprise.uscc)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["bundle"] == {"code": RESTAURANT, "name": "我要开饭店"} and len(body["digest"]) == 32
    licences = [f for f in body["items"] if f["material"] == "营业执照"]
    assert len(licences) == 6 and all(f["number"] == business_licence.number for f in licences)
    assert {d["department"] for d in body["departments"]} == {"market", "fire", "urban-mgmt", "tax", "hrss"}
    urban = next(d for d in body["departments"] if d["department"] == "urban-mgmt")
    assert {f["item"] for f in urban["items"]} == {"CG-XK-005", "CG-XK-001"}  # two items, one department
    assert all("一件事“我要开饭店”" in f["purpose"] and "住所" in f["fields"] for f in body["items"])
    assert sum(len(d["items"]) for d in body["departments"]) == body["count"] == len(body["items"])
    # the enterprise's licence is not the agent's own: acting for nobody previews nothing
    assert _preview(api_client(cast.agent), None).json()["count"] == 0
    assert _preview(api_client(cast.other_citizen), cast.enterprise.uscc).status_code in (403, 422)
    assert post(api_client(cast.agent), "/api/consents/preview", {"bundle": "NO-SUCH"}).status_code == 422
    both = post(api_client(cast.agent), "/api/consents/preview", {"bundle": RESTAURANT, "item": BIRTH})
    assert both.status_code == 422


def test_bundle_consented_once_fetches_in_every_child(cast, business_licence):
    client, uscc = api_client(cast.agent), cast.enterprise.uscc
    preview = _preview(client, uscc).json()
    before = Case.objects.count()
    stale = [{"name": "营业执照", "provision": "fetched", "consent": "0" * 32}]
    r = _file_bundle(client, uscc, stale)
    assert r.status_code == 422 and "重新查看调取预览" in str(r.json()) and Case.objects.count() == before
    r = _file_bundle(client, uscc, [{"name": "营业执照", "provision": "fetched", "consent": preview["digest"]}])
    assert r.status_code == 201, r.content
    parent = Case.objects.get(number=r.json()["number"])
    rows = list(_licence_rows(parent.number))
    assert len(rows) == 6 and all(m.provision == "fetched" and m.licence_number == business_licence.number
                                  for m in rows)
    (once,) = CaseStep.objects.filter(case=parent, action="consent")  # one consent for the bundle
    assert once.data["bundle_consent"]["digest"] == preview["digest"] and "一次同意" in once.note
    child_step = CaseStep.objects.get(pk=int(rows[0].reference.removeprefix("consent:")))
    assert child_step.data["consent"]["bundle"] == RESTAURANT and child_step.case_id == rows[0].case_id
    assert AuditRecord.objects.filter(action="cases.consent", object_id=str(parent.pk)).count() == 1
    assert AuditRecord.objects.filter(action="cases.consent", object_id__in=[str(m.case_id) for m in rows]).count() == 6
    assert_every_fetch_has_its_consent()


def test_bundle_without_consent_fetches_nothing_then_consents_once_after_filing(cast, business_licence):
    client, uscc = api_client(cast.agent), cast.enterprise.uscc
    number = _file_bundle(client, uscc).json()["number"]
    assert {m.provision for m in _licence_rows(number)} == {"missing"}
    state = client.get(f"/api/cases/{number}/consents").json()
    assert state["pending"] == 6 and len(state["departments"]) == 5 and state["digest"]
    assert api_client(cast.other_citizen).get(f"/api/cases/{number}/consents").status_code == 404
    r = post(client, f"/api/cases/{number}/consents", {"material": "营业执照"})
    assert r.status_code == 422 and "all=true" in str(r.json())  # a bundle's parent lists no materials itself
    r = post(client, f"/api/cases/{number}/consents", {"all": True, "consent": "1" * 32})
    assert r.status_code == 422 and {m.provision for m in _licence_rows(number)} == {"missing"}
    r = post(client, f"/api/cases/{number}/consents", {"all": True, "consent": state["digest"]})
    assert r.status_code == 201, r.content
    assert r.json()["count"] == 6 and {m.provision for m in _licence_rows(number)} == {"fetched"}
    assert post(client, f"/api/cases/{number}/consents", {"all": True}).status_code == 409  # nothing left
    # each child's fetch is still withdrawn on its own
    child = _licence_rows(number).first()
    r = client.delete(f"/api/cases/{child.case.number}/consents/{child.position}")
    assert r.status_code == 200 and r.json()["provision"] == "missing"
    assert client.get(f"/api/cases/{number}/consents").json()["pending"] == 1
    assert_every_fetch_has_its_consent()


def test_bundle_apply_page_shows_one_preview_and_consents_once(cast, business_licence):
    browser = Client()
    browser.force_login(cast.agent)
    session = browser.session
    session[SESSION_ACTING_FOR] = cast.enterprise.uscc
    session.save()
    html = browser.get(f"/cases/apply/{RESTAURANT}/?region=210202").content.decode()
    assert 'data-testid="bundle-consent-preview"' in html and business_licence.number in html
    assert html.count('data-testid="bundle-consent-department"') >= 5
    r = browser.post(f"/cases/apply/{RESTAURANT}/", {"region": "210202", "token": uuid.uuid4().hex,
                                                     "bundle_consent": "f" * 32})
    assert r.status_code == 422 and "重新查看调取预览" in r.content.decode()
    digest = _preview(api_client(cast.agent), cast.enterprise.uscc).json()["digest"]
    assert f'name="bundle_consent" value="{digest}"' in html and f'value="{digest}" checked' not in html
    r = browser.post(f"/cases/apply/{RESTAURANT}/", {"region": "210202", "token": uuid.uuid4().hex,
                                                     "bundle_consent": digest})
    assert r.status_code == 302, r.content.decode()[:2000]
    parent = Case.objects.filter(parent__isnull=True, bundle__code=RESTAURANT).order_by("-id").first()
    assert {m.provision for m in _licence_rows(parent.number)} == {"fetched"}
    page = browser.get(f"/licences/consents/{parent.number}/").content.decode()
    assert page.count('data-testid="consent-department"') == 5 and 'data-state="consented"' in page
    assert_every_fetch_has_its_consent()


# --- department-shared records (部门共享) ---------------------------------------------------------

def test_department_shared_record_is_previewed_and_not_fetched_without_consent(cast, catalog):
    client = api_client(cast.citizen)
    r = post(client, "/api/consents/preview", {"item": BIRTH, "region": "210202"})
    assert r.status_code == 200, r.content
    shared = next(f for f in r.json()["items"] if f["material"] == RECORD)
    assert shared["kind"] == "department" and shared["provider"] == "health"
    assert "卫生健康" in shared["record"] and "记录内容" in shared["fields"]
    assert shared["department_name"] in shared["sentence"] and "出生医学证明首次签发" in shared["purpose"]
    r = post(client, "/api/cases", {"item": BIRTH, "region": "210202", "form": {}, "materials": []})
    assert r.status_code == 201, r.content
    row = next(m for m in r.json()["materials"] if m["name"] == RECORD)
    assert row["provision"] == "missing"  # awaiting consent: nothing fetched
    assert client.get(f"/api/cases/{r.json()['number']}/consents").json()["pending"] >= 1
    assert_every_shared_fetch_has_its_consent()


def test_department_shared_record_fetched_with_consent_and_withdrawn(cast, catalog):
    client = api_client(cast.citizen)
    digest = next(f["digest"] for f in post(client, "/api/consents/preview", {"item": BIRTH, "region": "210202"})
                  .json()["items"] if f["material"] == RECORD)
    r = post(client, "/api/cases", {"item": BIRTH, "region": "210202", "form": {},
                                    "materials": [{"name": RECORD, "provision": "fetched", "consent": digest}]})
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    m = CaseMaterial.objects.get(case__number=number, name=RECORD)
    assert m.provision == "fetched" and m.reference.startswith("consent:") and m.confirmed
    step = CaseStep.objects.get(pk=int(m.reference.removeprefix("consent:")))
    assert step.data["consent"]["kind"] == "department" and "卫生健康" in step.note
    r = client.delete(f"/api/cases/{number}/consents/{m.position}")
    assert r.status_code == 200 and r.json()["provision"] == "missing"
    step = CaseStep.objects.filter(case__number=number, action="withdraw-consent").get()
    assert "部门共享" in step.note
    r = post(client, f"/api/cases/{number}/consents", {"material": RECORD})
    assert r.status_code == 201 and r.json()["kind"] == "department"
    assert_every_shared_fetch_has_its_consent()
