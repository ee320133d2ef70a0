"""Consent before any fetch (issue 6 item 5) and the cases' reuse offer from the material vault
(R12): no consent → nothing fetched; the preview names the record, its fields, the department
and the case; consent is withdrawn until acceptance; the vault is the reuse source, expired
entries are refused with their date; the vault lookup stays within its query budget."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.cases import actions as cases
from tongban.cases import consents, file_actions, intake
from tongban.cases import materials as mats
from tongban.cases.models import Case, CaseMaterial, CaseStep
from tongban.catalog.models import LicenceType
from tongban.core import audit
from tongban.core.models import AuditRecord
from tongban.identity.models import Department
from tongban.licences.actions import issue_licence
from tongban.licences.models import VaultEntry
from tongban.testing import api_client

from .conftest import ITEM, post

pytestmark = pytest.mark.django_db
SFZ = "申请人居民身份证"  # ITEM's licence material (ZZ-SFZ)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def id_card(cast, catalog):
    police = Department.objects.get(pk="police")
    return issue_licence(None, licence_type=LicenceType.objects.get(pk="ZZ-SFZ"), holder_kind="person",
                         holder_id=cast.citizen.id_number, holder_name=cast.citizen.name, issuer=police,
                         region=police.region, holder_user=cast.citizen, fields={"住址": "大连市中山区"})


def _file(client, materials=None):
    return post(client, "/api/cases", {"item": ITEM, "region": "210200", "form": {}, "materials": materials or []})


def _sfz(number):
    return Case.objects.get(number=number).materials.get(name=SFZ)


def assert_every_fetch_has_its_consent():
    """The invariant: no licence material is fetched without a consent step of its case."""
    for m in CaseMaterial.objects.filter(source="licence", provision="fetched"):
        assert m.reference.startswith(consents.REFERENCE), m
        step = CaseStep.objects.get(pk=int(m.reference.removeprefix(consents.REFERENCE)))
        assert step.case_id == m.case_id and step.action == consents.CONSENT
        assert step.data["consent"]["material"] == m.name and step.data["consent"]["number"] == m.licence_number


def test_no_consent_nothing_fetched(cast, id_card):
    r = _file(api_client(cast.citizen))
    assert r.status_code == 201, r.content
    row = next(m for m in r.json()["materials"] if m["name"] == SFZ)
    assert row["provision"] == "missing" and row["licence_number"] is None  # awaiting consent, not fetched
    assert not AuditRecord.objects.filter(action="cases.consent").exists()
    # naming it as an upload is no consent either (and a held licence is never uploaded)
    r = _file(api_client(cast.citizen), [SFZ])
    assert next(m for m in r.json()["materials"] if m["name"] == SFZ)["provision"] == "missing"
    assert_every_fetch_has_its_consent()


def test_preview_names_record_fields_department_and_purpose(cast, id_card):
    r = post(api_client(cast.citizen), "/api/consents/preview", {"item": ITEM, "region": "210200"})
    assert r.status_code == 200, r.content
    (fetch,) = r.json()["items"]
    assert fetch["material"] == SFZ and fetch["number"] == id_card.number
    assert {"证照编号", "持证主体名称", "持证主体标识", "发证机关", "有效期", "住址"} <= set(fetch["fields"])
    assert fetch["department"] == "health" and "卫生健康" in fetch["department_name"]
    assert "医师执业注册" in fetch["purpose"] and fetch["case"] is None
    assert id_card.number in fetch["sentence"] and fetch["department_name"] in fetch["sentence"]
    # another person holds nothing: nothing to preview
    assert post(api_client(cast.other_citizen), "/api/consents/preview", {"item": ITEM})
    assert post(api_client(cast.other_citizen), "/api/consents/preview", {"item": ITEM}).json()["count"] == 0
    assert post(api_client(cast.citizen), "/api/consents/preview", {"item": "NO-SUCH"}).status_code == 422


def test_consent_at_filing_fetches_and_records_what_was_shared(cast, id_card):
    client = api_client(cast.citizen)
    digest = post(client, "/api/consents/preview", {"item": ITEM}).json()["items"][0]["digest"]
    before = Case.objects.count()
    r = _file(client, [{"name": SFZ, "provision": "fetched", "consent": "0" * 32}])  # not what was shown
    assert r.status_code == 422 and "重新查看调取预览" in str(r.json()) and Case.objects.count() == before
    r = _file(client, [{"name": SFZ, "provision": "fetched", "consent": digest}])
    assert r.status_code == 201, r.content
    m = _sfz(r.json()["number"])
    assert m.provision == "fetched" and m.licence_number == id_card.number and m.confirmed
    step = CaseStep.objects.get(case=m.case, action="consent")
    assert step.data["consent"]["case"] == m.case.number and step.data["consent"]["department"] == "health"
    record = AuditRecord.objects.get(action="cases.consent", object_id=str(m.case.pk))
    assert record.subject_id == cast.citizen.pk and record.data["licence_number"] == id_card.number
    assert_every_fetch_has_its_consent()


def test_consent_to_what_cannot_be_fetched_is_refused(cast, catalog):
    r = _file(api_client(cast.citizen), [{"name": SFZ, "provision": "fetched"}])  # holds no ID card licence
    assert r.status_code == 422 and "无法调取" in str(r.json())
    r = _file(api_client(cast.citizen), [{"name": "医师资格证书", "provision": "fetched"}])
    assert r.status_code == 422 and "不是电子证照" in str(r.json())


def test_consent_after_filing_and_withdrawal_until_acceptance(cast, id_card, health_officer):
    client = api_client(cast.citizen)
    number = _file(client).json()["number"]
    position = _sfz(number).position
    state = client.get(f"/api/cases/{number}/consents").json()["items"][0]
    assert state["state"] == "awaiting" and state["case"] == number and state["position"] == position
    assert api_client(cast.other_citizen).get(f"/api/cases/{number}/consents").status_code == 404
    assert post(api_client(health_officer), f"/api/cases/{number}/consents", {"material": SFZ}).status_code == 403
    assert post(client, f"/api/cases/{number}/consents", {"material": "不存在的材料"}).status_code == 422
    r = post(client, f"/api/cases/{number}/consents", {"material": SFZ})
    assert r.status_code == 201 and r.json()["state"] == "consented"
    assert _sfz(number).provision == "fetched"
    assert post(client, f"/api/cases/{number}/consents", {"material": SFZ}).status_code == 409  # already
    assert_every_fetch_has_its_consent()
    r = client.delete(f"/api/cases/{number}/consents/{position}")
    assert r.status_code == 200 and r.json()["provision"] == "missing"
    m = _sfz(number)
    assert m.provision == "missing" and m.licence_number == "" and not m.confirmed
    assert client.get(f"/api/cases/{number}/consents").json()["items"][0]["state"] == "withdrawn"
    assert client.delete(f"/api/cases/{number}/consents/{position}").status_code == 409  # nothing to withdraw
    assert AuditRecord.objects.filter(action="cases.consent-withdraw", object_id=str(m.case_id)).exists()
    # consent again, then acceptance: no more withdrawing
    assert post(client, f"/api/cases/{number}/consents", {"material": SFZ}).status_code == 201
    with audit.acting(audit.context_for_user(health_officer)):
        cases.accept(health_officer, Case.objects.get(number=number))
    r = client.delete(f"/api/cases/{number}/consents/{position}")
    assert r.status_code == 409 and "已受理" in r.json()["detail"]
    assert _sfz(number).provision == "fetched"
    assert_every_fetch_has_its_consent()


@pytest.fixture
def vaulted(cast, catalog, health_officer, django_capture_on_commit_callbacks):
    """The citizen's approved case with an uploaded 医师资格证书: a vault entry of theirs."""
    with audit.acting(audit.context_for_user(cast.citizen)):
        case = cases.submit(cast.citizen, item=ITEM, region="210200")
        m = case.materials.get(name="医师资格证书")
        file_actions.attach_file(cast.citizen, case, m.position,
                                 SimpleUploadedFile("cert.pdf", PDF, content_type="application/pdf"))
    with audit.acting(audit.context_for_user(health_officer)), django_capture_on_commit_callbacks(execute=True):
        cases.accept(health_officer, case)
        cases.approve(health_officer, case, basis="《医师法》第十四条")
    return VaultEntry.objects.get(source_material=m)


def test_R12_reuse_offer_comes_from_the_vault(cast, vaulted):
    client = api_client(cast.citizen)
    r = _file(client, [{"name": "医师资格证书", "provision": "reused"}])
    assert r.status_code == 201, r.content
    m = Case.objects.get(number=r.json()["number"]).materials.get(name="医师资格证书")
    assert m.provision == "reused" and m.reused_from_id == vaulted.source_material_id
    assert m.reference == f"vault:{vaulted.pk}"
    # a deleted entry is no longer offered
    VaultEntry.objects.filter(pk=vaulted.pk).update(deleted_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    r = _file(client, [{"name": "医师资格证书", "provision": "reused"}])
    assert r.status_code == 422 and "没有可复用" in str(r.json())


def test_R12_expired_vault_entry_refused_with_its_date(cast, vaulted):
    VaultEntry.objects.filter(pk=vaulted.pk).update(valid_until=dt.date(2025, 3, 31))
    r = _file(api_client(cast.citizen), [{"name": "医师资格证书", "provision": "reused", "reuse_from": vaulted.pk}])
    assert r.status_code == 422 and "2025-03-31" in str(r.json()) and "过期" in str(r.json())


def test_R12_nobody_reuses_another_holders_entry(cast, vaulted):
    r = _file(api_client(cast.other_citizen), [{"name": "医师资格证书", "provision": "reused",
                                                 "reuse_from": vaulted.pk}])
    assert r.status_code == 422
    r = _file(api_client(cast.citizen), [{"name": "医师资格证书", "provision": "reused", "reuse_from": 10**9}])
    assert r.status_code == 422 and str(10**9) in str(r.json())


def test_vault_lookup_for_ten_materials_within_ten_queries(cast, vaulted, django_assert_max_num_queries):
    from tongban.catalog import selectors as catalog
    from tongban.catalog.models import MaterialType, ServiceItem

    rows = mats.material_list(catalog.version_in_force(ServiceItem.objects.get(code=ITEM)), {})
    extra = list(MaterialType.objects.exclude(code__in=[(r.get("material_type") or {}).get("code") for r in rows])
                 .order_by("code")[:10])
    rows = rows + [{"name": t.name, "source": "applicant", "material_type": {"code": t.code}} for t in extra]
    rows = [r for r in rows if r["source"].startswith("applicant")][:10]
    assert len(rows) == 10
    with django_assert_max_num_queries(10):
        offers = intake.reusable_uploads(cast.citizen, None, rows)
    assert [o.entry_id for o in offers["医师资格证书"]] == [vaulted.pk]


def test_demo_restaurant_holds_a_food_licence_once(catalog):
    from tongban.identity.demo import DEMO_ENTERPRISE, make_uscc
    from tongban.identity.models import Enterprise
    from tongban.licences import demo

    assert demo.food_licence() is None or demo.food_licence().licence_type_id == "ZZ-SPJY"
    uscc = make_uscc(DEMO_ENTERPRISE["region"], DEMO_ENTERPRISE["org"])
    if not Enterprise.objects.filter(uscc=uscc).exists():
        Enterprise.objects.create(uscc=uscc, name=DEMO_ENTERPRISE["name"], legal_representative="王建国",
                                  region_id=DEMO_ENTERPRISE["region"])
    first = demo.food_licence()
    assert first.licence_type_id == "ZZ-SPJY" and first.holder_id == uscc and "经营场所" in first.data
    assert demo.food_licence().pk == first.pk  # idempotent


def test_apply_page_shows_the_preview_and_fetches_only_what_was_ticked(cast, id_card):
    import uuid

    from django.test import Client

    browser = Client()
    browser.force_login(cast.citizen)
    html = browser.get(f"/cases/apply/{ITEM}/").content.decode()
    assert 'data-testid="consent-preview"' in html and id_card.number in html and "住址" in html
    digest = post(api_client(cast.citizen), "/api/consents/preview", {"item": ITEM}).json()["items"][0]["digest"]
    assert f'name="consent" value="{digest}"' in html and f'value="{digest}" checked' not in html  # never pre-ticked
    before = Case.objects.count()
    r = browser.post(f"/cases/apply/{ITEM}/", {"region": "210200", "token": uuid.uuid4().hex, "consent": "f" * 32})
    assert r.status_code == 422 and "重新查看调取预览" in r.content.decode() and Case.objects.count() == before
    r = browser.post(f"/cases/apply/{ITEM}/", {"region": "210200", "token": uuid.uuid4().hex})
    assert r.status_code == 302
    assert Case.objects.order_by("-id").first().materials.get(name=SFZ).provision == "missing"  # not ticked
    r = browser.post(f"/cases/apply/{ITEM}/", {"region": "210200", "token": uuid.uuid4().hex, "consent": digest})
    assert r.status_code == 302
    case = Case.objects.order_by("-id").first()
    assert case.materials.get(name=SFZ).provision == "fetched"
    page = browser.get(f"/licences/consents/{case.number}/").content.decode()
    assert 'data-state="consented"' in page and "撤回同意" in page
    position = case.materials.get(name=SFZ).position
    r = browser.post(f"/licences/consents/{case.number}/", {"position": position, "action": "withdraw"})
    assert r.status_code == 200 and "已撤回同意" in r.content.decode()
    assert case.materials.get(name=SFZ).provision == "missing"
    assert_every_fetch_has_its_consent()
