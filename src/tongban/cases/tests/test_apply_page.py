"""The online application page (issue 5 items 2–4): one form with prefill provenance and locked
authoritative values, the eligibility pre-check and the material list, drafts that autosave and
resume on another device, inline errors that lose nothing, a double-clicked submit that files
once."""

from __future__ import annotations

import pytest
from django.test import Client

from tongban.cases.models import Case, CaseDraft
from tongban.identity.middleware import SESSION_ACTING_FOR
from tongban.testing import api_client

from .conftest import ITEM, post
from .test_form_schema import FIELDS, with_fields

pytestmark = pytest.mark.django_db


def _agent_browser(cast) -> Client:
    client = Client()
    client.force_login(cast.agent)
    session = client.session
    session[SESSION_ACTING_FOR] = cast.enterprise.uscc
    session.save()
    return client


def _person_browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_bundle_page_shows_the_enterprise_prefill_locked_with_its_provenance(cast, catalog):
    html = _agent_browser(cast).get("/cases/apply/YJS-001/").content.decode()
    assert "在线申请：我要开饭店" in html and f"代表 <strong>{cast.enterprise.name}</strong>" in html
    assert f'value="{cast.enterprise.name}"' in html and "来自：企业登记信息" in html and "权威来源，不可修改" in html
    assert 'name="contact.phone"' in html and "经营面积（平方米）" in html


def test_draft_autosaves_and_resumes_on_another_device(cast, catalog):
    first = _agent_browser(cast)
    saved = first.post("/cases/apply/YJS-001/draft/", {"region": "210202", "business.main_items": "川菜",
                                                       "enterprise.name": "别的公司"})
    assert saved.status_code == 200 and "草稿已自动保存" in saved.content.decode()
    draft = CaseDraft.objects.get(user=cast.agent, code="YJS-001")
    assert draft.form["business.main_items"] == "川菜" and "enterprise.name" not in draft.form  # locked: not kept
    assert draft.form["food.cold_raw"] is False and draft.holder == cast.enterprise.uscc  # unchecked box
    html = _agent_browser(cast).get("/cases/apply/YJS-001/").content.decode()  # a second device
    assert "已恢复您于" in html and "川菜" in html
    listed = api_client(cast.agent).get("/api/cases/drafts").json()
    assert listed["count"] == 1 and listed["items"][0]["form"]["business.main_items"] == "川菜"


def test_refused_form_comes_back_with_each_reason_and_nothing_lost(cast, catalog):
    with_fields(ITEM, FIELDS)
    browser = _person_browser(cast.citizen)
    page = browser.get(f"/cases/apply/{ITEM}/").content.decode()
    token = page.split('name="token" value="')[1].split('"')[0]
    posted = {"token": token, "region": "210200", "contact.phone": "", "premises.area_m2": "很大",
              "person.work_start_date": "2020-01-01"}
    refused = browser.post(f"/cases/apply/{ITEM}/", posted)
    html = refused.content.decode()
    assert refused.status_code == 422
    assert "请填写联系电话" in html and "2020-01-01" in html and "很大" in html
    assert not Case.objects.filter(applicant=cast.citizen).exists()


def test_submit_files_once_even_when_double_clicked_and_drops_the_draft(cast, catalog):
    browser = _person_browser(cast.citizen)
    browser.post(f"/cases/apply/{ITEM}/draft/", {"region": "210200"})
    assert CaseDraft.objects.filter(user=cast.citizen, code=ITEM).exists()
    page = browser.get(f"/cases/apply/{ITEM}/").content.decode()
    assert "申请条件预检" in page and "提交申请后在办件页上传" in page
    token = page.split('name="token" value="')[1].split('"')[0]
    first = browser.post(f"/cases/apply/{ITEM}/", {"token": token, "region": "210200"})
    second = browser.post(f"/cases/apply/{ITEM}/", {"token": token, "region": "210200"})
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert Case.objects.filter(applicant=cast.citizen).count() == 1
    assert not CaseDraft.objects.filter(user=cast.citizen, code=ITEM).exists()


def test_unknown_code_is_404_and_draft_api_names_bad_input(cast, catalog):
    browser = _person_browser(cast.citizen)
    assert browser.get("/cases/apply/NO-SUCH/").status_code == 404
    client = api_client(cast.citizen)
    r = client.put("/api/cases/drafts/NO-SUCH", data={"form": {}}, content_type="application/json")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "code"
    r = client.put(f"/api/cases/drafts/{ITEM}", data={"form": {}, "region": "999999"},
                   content_type="application/json")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "region"
    assert client.delete(f"/api/cases/drafts/{ITEM}").status_code == 404
    assert post(client, "/api/cases", {"item": ITEM, "region": "210200"}).status_code == 201


def test_guides_lead_to_the_application_page(cast, catalog):
    assert f'href="/cases/apply/{ITEM}/"' in Client().get(f"/services/{ITEM}/").content.decode()
    assert 'href="/cases/apply/YJS-001/"' in Client().get("/services/bundles/YJS-001/").content.decode()


def test_applicant_uploads_a_material_from_the_tracking_page(cast, catalog, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    browser = _person_browser(cast.citizen)
    number = post(api_client(cast.citizen), "/api/cases", {"item": ITEM, "region": "210200"}).json()["number"]
    case = Case.objects.get(number=number)
    material = case.materials.filter(source="applicant").order_by("position").first()
    html = browser.get(f"/cases/{number}/").content.decode()
    assert f'action="/cases/{number}/materials/{material.position}/upload/"' in html
    refused = browser.post(f"/cases/{number}/materials/{material.position}/upload/",
                           {"file": SimpleUploadedFile("证书.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")})
    assert refused.status_code == 422 and 'role="alert"' in refused.content.decode()
    assert not case.files.exists()
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    done = browser.post(f"/cases/{number}/materials/{material.position}/upload/",
                        {"file": SimpleUploadedFile("证书.pdf", pdf, "application/pdf")})
    assert done.status_code == 302 and case.files.count() == 1
    other = _person_browser(cast.other_citizen)
    assert other.post(f"/cases/{number}/materials/{material.position}/upload/", {}).status_code == 404
