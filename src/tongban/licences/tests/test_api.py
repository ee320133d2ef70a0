"""The licences API by persona: own licences, public verification (statuses, masking, 404,
429), verification by upload, the PDF, officer actions, the data-use tracker, materials stats."""

import io
import json

import pytest

from tongban.licences.models import Licence
from tongban.testing import api_client

from .conftest import post


def _licence(case):
    return Licence.objects.get(source_case=case)


def test_citizen_lists_own_licence_others_see_nothing(approved, cast, health_officer):
    r = api_client(cast.citizen).get("/api/licences")
    item = r.json()["items"][0]
    assert r.status_code == 200 and item["type"] == "ZZ-YSZY" and item["status"] == "valid"
    assert {"type_name", "number", "verification_code", "issuer", "valid_until", "version"} <= set(item)
    assert api_client(cast.other_citizen).get("/api/licences").json()["count"] == 0
    holder = cast.citizen.id_number
    assert api_client(cast.other_citizen).get(f"/api/licences?holder={holder}").status_code == 404
    assert api_client(cast.officer_a).get(f"/api/licences?holder={holder}").status_code == 404  # not their case
    assert api_client(health_officer).get(f"/api/licences?holder={holder}").json()["count"] == 1


def test_R4_public_verification_says_valid_without_the_full_id_number(approved, cast, client):
    code = _licence(approved).verification_code
    r = client.get(f"/api/licences/verify/{code}")
    body = r.json()
    assert r.status_code == 200 and body["status"] == "valid" and body["signature_valid"] is True
    assert body["signature"]["algorithm"] == "sm2" and body["signature"]["result"] == "valid"
    assert cast.citizen.id_number not in json.dumps(body, ensure_ascii=False) and "张*" in body["holder"]
    page = client.get(f"/verify/{code}")
    assert page.status_code == 200 and "有效" in page.content.decode()


def test_revoked_licence_verifies_as_revoked_with_date_and_reason(approved, health_officer, client):
    licence = _licence(approved)
    path = f"/api/licences/{licence.pk}/actions/revoke"
    assert post(api_client(health_officer), path, {"reason": "", "basis": ""}).status_code == 422
    r = post(api_client(health_officer), path, {"reason": "以欺骗手段取得", "basis": "《行政许可法》第六十九条"})
    assert r.status_code == 200 and r.json()["status"] == "revoked"
    again = post(api_client(health_officer), path, {"reason": "再次", "basis": "同上"})
    assert again.status_code == 409
    body = client.get(f"/api/licences/verify/{licence.verification_code}").json()
    assert body["status"] == "revoked" and body["reason"] == "以欺骗手段取得" and body["revoked_at"]
    assert body["version"] == 2 and body["signature_valid"] is True


def test_officer_of_another_department_cannot_act(approved, cast):
    licence = _licence(approved)
    r = post(api_client(cast.officer_a), f"/api/licences/{licence.pk}/actions/revoke", {"reason": "x", "basis": "y"})
    assert r.status_code == 404


def test_unknown_code_is_404_and_repeated_guessing_is_429(db, client, settings):
    settings.TONGBAN_VERIFY_MISSES = 5
    codes = [client.get(f"/api/licences/verify/{i:032x}").status_code for i in range(7)]
    assert codes[:5] == [404] * 5 and codes[-1] == 429
    assert client.get(f"/verify/{1:032x}").status_code == 429


def test_upload_names_altered_fields_superseded_versions_and_unknown_keys(approved, health_officer, client):
    licence = _licence(approved)
    reader = api_client(approved.applicant)
    v1 = reader.get(f"/api/licences/{licence.pk}/document").json()
    ok = post(client, "/api/licences/verify", v1).json()
    assert ok["valid"] and ok["result"] == "valid"
    altered = json.loads(json.dumps(v1))
    altered["licence"]["valid_until"] = "2099-12-31"
    bad = post(client, "/api/licences/verify", altered).json()
    assert not bad["valid"] and bad["result"] == "altered" and "licence.valid_until" in bad["differing_fields"]
    assert "valid_until" in bad["reason"]
    unknown = json.loads(json.dumps(v1))
    unknown["seal"]["key_id"] = "no-such-key"
    answer = post(client, "/api/licences/verify", unknown).json()
    assert answer["result"] == "unknown_key" and "no-such-key" in answer["reason"]
    post(api_client(health_officer), f"/api/licences/{licence.pk}/actions/suspend", {"reason": "整改", "basis": "依据"})
    old = post(client, "/api/licences/verify", v1).json()
    assert old["valid"] and old["result"] == "superseded" and "第 1 版（共 2 版）" in old["reason"]


def test_pdf_carries_the_qr_payload_the_chinese_text_and_the_signed_json(approved, cast, client):
    from pdfminer.high_level import extract_text
    from pypdf import PdfReader

    licence = _licence(approved)
    r = api_client(cast.citizen).get(f"/api/licences/{licence.pk}.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = extract_text(io.BytesIO(r.content))
    assert f"/verify/{licence.verification_code}" in text and licence.licence_type.name in text
    attached = json.loads(PdfReader(io.BytesIO(r.content)).attachments["licence.json"][0])
    assert attached["licence"]["number"] == licence.number
    upload = client.post("/api/licences/verify", {"file": io.BytesIO(r.content)})
    assert upload.json()["result"] == "valid"
    assert api_client(cast.other_citizen).get(f"/api/licences/{licence.pk}.pdf").status_code == 404


def test_data_uses_show_who_read_and_why_and_nothing_to_another_citizen(approved, cast, health_officer):
    api_client(health_officer).get(f"/api/cases/{approved.number}")  # a read with its reason
    uses = api_client(cast.citizen).get("/api/me/data-uses").json()
    assert uses["count"] >= 2 and approved.number in json.dumps(uses, ensure_ascii=False)
    read = next(u for u in uses["items"] if u["kind"] == "read")
    assert read["who"]["username"] == health_officer.username and read["department"] == "大连市卫生健康委员会"
    assert approved.number in read["why"]
    assert api_client(cast.other_citizen).get("/api/me/data-uses").json()["count"] == 0
    page = api_client(cast.citizen).get("/licences/data-uses/")
    assert page.status_code in (200, 302)


@pytest.mark.parametrize(("who", "status"), [("supervisor", 200), ("head", 200), ("citizen", 403),
                                             ("officer_a", 403)])
def test_R12_materials_stats_by_persona(approved, cast, who, status):
    r = api_client(getattr(cast, who)).get("/api/stats/materials")
    assert r.status_code == status
    if status == 200:
        assert {"uploaded", "reused", "fetched", "avoided", "avoided_share"} <= set(r.json())


def test_materials_stats_counts_and_bad_input(approved, cast):
    client = api_client(cast.supervisor)
    body = client.get("/api/stats/materials?group_by=department").json()
    assert body["total"] == approved.materials.count() and body["groups"][0]["key"] == "health"
    assert body["avoided"] == body["reused"] + body["fetched"]
    bad = client.get("/api/stats/materials?from=2026-13-01")
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "from"
    assert client.get("/api/stats/materials?from=2026-03-01&to=2026-02-01").json()["detail"][0]["field"] == "to"
