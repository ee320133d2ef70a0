"""Uploads of case materials (issue 5 item 4; R11, R12): the applicant uploads the file of a
material of the case's list while the case is submitted or in correction; the file is judged by
its content, recorded with its hash and audited in one transaction; a licence material the
holder holds is fetched, never uploaded; whoever sees the case may download it."""

import datetime as dt
import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from tongban.cases import actions, file_actions
from tongban.cases.models import Case, CaseFile, CaseMaterial
from tongban.catalog.models import LicenceHolding
from tongban.core.audit import AuditRecord
from tongban.core.pdf import PdfBuilder
from tongban.testing import api_client

from .conftest import ENTERPRISE_ITEM, file

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


PDF = PdfBuilder("医师资格证书扫描件").render()


def pdf() -> bytes:
    return PDF


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "PNG")
    return out.getvalue()


def upload(client, number, position, data, name="扫描件.pdf"):
    blob = io.BytesIO(data)
    blob.name = name
    return client.post(f"/api/cases/{number}/materials/{position}/file", data={"file": blob})


def applicant_material(case: Case) -> CaseMaterial:
    return case.materials.filter(source="applicant").order_by("position").first()


def licence_material(case: Case) -> CaseMaterial:
    return case.materials.filter(source="licence").exclude(licence_type="").order_by("position").first()


def hold(user, material: CaseMaterial) -> LicenceHolding:
    return LicenceHolding.objects.create(
        licence_type_id=material.licence_type, number="ZZ-TEST-0001", holder=user.id_number, holder_name=user.name,
        issuer_id="police", valid_from=dt.date(2020, 1, 1))


def test_applicant_uploads_a_material_and_downloads_it(clients, cast, media):
    number = file(clients.citizen).json()["number"]
    case = Case.objects.get(number=number)
    material = applicant_material(case)
    r = upload(clients.citizen, number, material.position, pdf(), name="资格证书.PDF")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["provision"] == "uploaded" and body["name"] == material.name
    assert body["file"]["kind"] == "pdf" and body["file"]["original_name"] == "资格证书.PDF"
    row = CaseFile.objects.get(pk=body["file"]["id"])
    assert row.case == case and row.material == material and row.uploaded_by == cast.citizen
    assert len(row.sha256) == 64 and row.size == len(pdf()) and default_storage.exists(row.storage_name)
    material.refresh_from_db()
    assert material.provision == "uploaded" and material.reference == f"file:{row.pk}" and not material.confirmed
    assert AuditRecord.objects.filter(action="cases.attach-file", object_id=str(case.pk)).count() == 1

    got = clients.citizen.get(f"/api/cases/{number}/materials/{material.position}/file")
    assert got.status_code == 200 and got["Content-Type"] == "application/pdf"
    assert b"".join(got.streaming_content) == pdf()
    # the case's officer reads it too, and that read of someone's file is recorded
    reads = AuditRecord.objects.filter(action="read:case-file").count()
    got = clients.officer.get(f"/api/cases/{number}/materials/{material.position}/file")
    assert got.status_code == 200
    assert AuditRecord.objects.filter(action="read:case-file").count() == reads + 1


def test_type_is_judged_by_content_not_name(clients):
    number = file(clients.citizen).json()["number"]
    position = applicant_material(Case.objects.get(number=number)).position
    r = upload(clients.citizen, number, position, png(), name="证书.pdf")
    assert r.status_code == 201 and r.json()["file"]["kind"] == "png"
    r = upload(clients.citizen, number, position, b"MZ\x90\x00" + b"\x00" * 200, name="setup.pdf")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "file"
    r = upload(clients.citizen, number, position, b"%PDF-1.4 broken", name="坏文件.pdf")
    assert r.status_code == 422
    assert CaseFile.objects.filter(case__number=number).count() == 1  # only the PNG


def test_refused_upload_leaves_no_row_no_file_and_the_case_unchanged(clients, media):
    number = file(clients.citizen).json()["number"]
    material = applicant_material(Case.objects.get(number=number))
    r = upload(clients.citizen, number, material.position, b"not a document at all", name="x.pdf")
    assert r.status_code == 422
    material.refresh_from_db()
    assert material.provision == "missing" and not CaseFile.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_failed_transaction_removes_the_stored_file(clients, media, monkeypatch):
    number = file(clients.citizen).json()["number"]
    material = applicant_material(Case.objects.get(number=number))

    def broken(*args, **kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(file_actions, "_record", broken)
    with pytest.raises(RuntimeError):
        file_actions.attach_file(material.case.applicant, material.case, material.position, pdf())
    assert not CaseFile.objects.exists() and not [p for p in media.rglob("*") if p.is_file()]


def test_R11_material_outside_the_list_is_refused(clients):
    number = file(clients.citizen).json()["number"]
    r = upload(clients.citizen, number, 99, pdf())
    assert r.status_code == 422
    detail = r.json()["detail"][0]
    assert detail["field"] == "position" and "R11" in detail["message"] and "第 99 项" in detail["message"]


def test_R12_licence_material_is_fetched_not_uploaded(clients, cast):
    # held when filing: the material is fetched, an upload is refused naming it
    case = Case.objects.get(number=file(clients.citizen).json()["number"])
    material = licence_material(case)
    holding = hold(cast.citizen, material)
    fetched = Case.objects.get(number=file(clients.citizen, materials=[
        {"name": material.name, "provision": "fetched"}]).json()["number"])
    fetched_material = fetched.materials.get(name=material.name)
    assert fetched_material.provision == "fetched"
    r = upload(clients.citizen, fetched.number, fetched_material.position, pdf())
    assert r.status_code == 422
    assert material.name in r.json()["detail"][0]["message"] and "R12" in r.json()["detail"][0]["message"]
    # held since filing: the provider is asked again at upload time
    assert material.provision == "missing"
    r = upload(clients.citizen, case.number, material.position, pdf())
    assert r.status_code == 422 and holding.number in r.json()["detail"][0]["message"]
    # not held: the applicant may upload it
    holding.delete()
    assert upload(clients.citizen, case.number, material.position, pdf()).status_code == 201


def test_only_who_speaks_for_the_applicant_uploads(clients, cast):
    number = file(clients.citizen).json()["number"]
    position = applicant_material(Case.objects.get(number=number)).position
    assert upload(clients.officer, number, position, pdf()).status_code == 403  # sees it, may not upload
    assert upload(clients.other, number, position, pdf()).status_code == 404  # does not see it
    assert upload(clients.other_officer, number, position, pdf()).status_code == 404
    assert upload(clients.anonymous, number, position, pdf()).status_code == 401
    assert clients.other.get(f"/api/cases/{number}/materials/{position}/file").status_code == 404
    assert not CaseFile.objects.exists()


def test_agent_uploads_for_the_enterprise_case(cast, catalog):
    agent = api_client(cast.agent)
    r = file(agent, ENTERPRISE_ITEM, on_behalf_of=cast.enterprise.uscc)
    assert r.status_code == 201, r.content
    case = Case.objects.get(number=r.json()["number"])
    assert upload(agent, case.number, applicant_material(case).position, pdf()).status_code == 201


def test_upload_only_while_submitted_or_in_correction(clients, health_officer):
    number = file(clients.citizen).json()["number"]
    case = Case.objects.get(number=number)
    position = applicant_material(case).position
    missing = [m.name for m in case.materials.filter(required=True).exclude(provision="fetched")]
    actions.request_correction(health_officer, case, materials=missing[:1], reason="请上传清晰的扫描件")
    assert upload(clients.citizen, number, position, pdf()).status_code == 201  # in correction
    actions.withdraw(case.applicant, Case.objects.get(pk=case.pk), reason="不再申请")
    r = upload(clients.citizen, number, position, pdf())
    assert r.status_code == 409 and "已撤回" in r.json()["detail"]


def test_download_of_a_material_without_file_is_404(clients):
    number = file(clients.citizen).json()["number"]
    position = applicant_material(Case.objects.get(number=number)).position
    assert clients.citizen.get(f"/api/cases/{number}/materials/{position}/file").status_code == 404


def test_missing_file_field_is_422(clients):
    number = file(clients.citizen).json()["number"]
    position = applicant_material(Case.objects.get(number=number)).position
    r = clients.citizen.post(f"/api/cases/{number}/materials/{position}/file", data={})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "file"
