"""The material vault (R12) and objections to data uses (the tracker)."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tongban.core.errors import FieldError
from tongban.licences import vault, vault_actions
from tongban.licences.models import Objection, VaultEntry
from tongban.testing import api_client

from .conftest import ITEM, post


@pytest.fixture
def with_upload(cast, catalog, health_officer, django_capture_on_commit_callbacks):
    """A citizen's case of ITEM with one uploaded file, accepted (confirmed) and approved."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tongban.cases import actions as cases
    from tongban.cases import file_actions
    from tongban.core import audit

    with audit.acting(audit.context_for_user(cast.citizen)):
        case = cases.submit(cast.citizen, item=ITEM, region="210200")
        m = case.materials.order_by("position").filter(source="applicant").first() or case.materials.first()
        pdf = SimpleUploadedFile("diploma.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                                 content_type="application/pdf")
        file_actions.attach_file(cast.citizen, case, m.position, pdf)
    with audit.acting(audit.context_for_user(health_officer)), django_capture_on_commit_callbacks(execute=True):
        case = cases.accept(health_officer, case)
        case = cases.approve(health_officer, case, basis="《医师法》第十四条")
    return case, m


def test_R12_approval_fills_the_vault_with_confirmed_uploads(with_upload, cast, health_officer):
    case, material = with_upload
    entries = VaultEntry.objects.filter(source_case=case)
    assert entries.count() == case.materials.filter(confirmed=True, provision="uploaded").count() >= 1
    entry = entries.get(source_material=material)
    assert entry.holder_user == cast.citizen and entry.confirmer == health_officer and len(entry.sha256) == 64
    assert entry.valid_until and entry.material_type_id == material.material_type_id
    body = api_client(cast.citizen).get("/api/me/vault").json()
    assert entry.pk in [r["id"] for r in body["items"]]
    assert api_client(cast.other_citizen).get("/api/me/vault").json()["count"] == 0
    r = api_client(cast.citizen).get(f"/api/me/vault/{entry.pk}/file")
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    assert api_client(cast.other_citizen).get(f"/api/me/vault/{entry.pk}/file").status_code == 404
    from tongban.core.models import AuditRecord

    assert AuditRecord.objects.filter(action="licences.vault.download", object_id=str(entry.pk)).exists()
    # the receiver is idempotent
    assert vault_actions.collect_from_case(case) == []


def test_R12_vault_delete_is_soft_and_the_case_keeps_its_material(with_upload, cast, client):
    case, material = with_upload
    entry = VaultEntry.objects.get(source_material=material)
    assert api_client(cast.other_citizen).delete(f"/api/me/vault/{entry.pk}").status_code == 404
    assert api_client(cast.citizen).delete(f"/api/me/vault/{entry.pk}").status_code == 204
    assert api_client(cast.citizen).delete(f"/api/me/vault/{entry.pk}").status_code == 404
    entry.refresh_from_db()
    assert entry.deleted_at and case.files.filter(material=material).exists()
    assert api_client(cast.citizen).get("/api/me/vault").json()["count"] == \
        VaultEntry.objects.filter(holder_user=cast.citizen, deleted_at__isnull=True).count()
    client.force_login(cast.citizen)
    page = client.get("/licences/vault/")
    assert page.status_code == 200 and "我的材料库" in page.content.decode()


def _entry(cast, case, material, mtype, until):
    return VaultEntry.objects.create(holder_user=cast.citizen, material_type=mtype, name=mtype.name,
                                     source_case=case, source_material=material, confirmed_at=timezone.now(),
                                     valid_until=until)


def test_R12_expired_vault_entry_is_refused_with_its_date(with_upload, cast):
    _case, material = with_upload
    entry = VaultEntry.objects.get(source_material=material)
    if entry.material_type is None:
        pytest.skip("the item's material has no catalogue type")
    entry.valid_until = dt.date(2024, 5, 31)
    entry.save()
    with pytest.raises(FieldError) as exc:
        vault.usable_entry(cast.citizen, entry.material_type, on=dt.date(2026, 1, 1))
    assert "2024-05-31" in str(exc.value)
    assert vault.usable_entry(cast.citizen, entry.material_type, on=dt.date(2024, 5, 31)) == entry
    assert vault.entries_for(cast.citizen, [entry.material_type], on=dt.date(2026, 1, 1)) == {}


def test_vault_lookup_for_ten_materials_takes_at_most_ten_queries(with_upload, cast):
    from tongban.catalog.models import MaterialType

    case, material = with_upload
    types = list(MaterialType.objects.order_by("code")[:10])
    assert len(types) == 10
    others = list(case.materials.exclude(pk=material.pk))
    VaultEntry.objects.filter(source_case=case).delete()
    for t, m in zip(types, [material, *others], strict=False):
        _entry(cast, case, m, t, dt.date(2099, 1, 1))
    with CaptureQueriesContext(connection) as ctx:
        found = vault.entries_for(cast.citizen, types)
        names = [e.name for e in found.values()]
    assert len(ctx.captured_queries) <= 10 and names


@pytest.fixture
def read_use(approved, cast, health_officer):
    """A data use of the citizen: the health officer read their licence."""
    from tongban.licences.models import Licence

    licence = Licence.objects.get(source_case=approved)
    assert api_client(health_officer).get(f"/api/licences/{licence.pk}").status_code == 200
    uses = api_client(cast.citizen).get("/api/me/data-uses").json()["items"]
    return next(u for u in uses if u["kind"] == "read")


def test_objection_reaches_the_supervision_queue_and_the_outcome_the_subject(read_use, cast, settings):
    settings.TONGBAN_OBJECTION_DAYS = 15
    path = f"/api/me/data-uses/{read_use['id']}/objection"
    assert post(api_client(cast.other_citizen), path, {"reason": "不是我的"}).status_code == 404
    assert post(api_client(cast.citizen), path, {"reason": ""}).status_code == 422
    r = post(api_client(cast.citizen), path, {"reason": "我没有办理任何业务，为何查看我的证照？"})
    assert r.status_code == 201 and r.json()["state"] == "open"
    from tongban.core.calendar import add_working_days

    assert r.json()["due"] == add_working_days(timezone.localdate(), 15).isoformat()
    assert post(api_client(cast.citizen), path, {"reason": "再次"}).status_code == 409
    oid = r.json()["id"]
    assert api_client(cast.citizen).get("/api/licences/objections").status_code == 403
    assert api_client(cast.officer_a).get("/api/licences/objections").status_code == 403
    queue = api_client(cast.supervisor).get("/api/licences/objections").json()
    assert [o["id"] for o in queue["items"]] == [oid]
    decide = f"/api/licences/objections/{oid}/decide"
    assert post(api_client(cast.officer_a), decide, {"outcome": "upheld", "reason": "x"}).status_code == 403
    assert post(api_client(cast.supervisor), decide, {"outcome": "upheld", "reason": ""}).status_code == 422
    assert post(api_client(cast.supervisor), decide, {"outcome": "maybe", "reason": "x"}).status_code == 422
    ok = post(api_client(cast.supervisor), decide, {"outcome": "upheld", "reason": "查看无办件依据，已责令整改"})
    assert ok.status_code == 200 and ok.json()["state"] == "upheld"
    assert post(api_client(cast.admin), decide, {"outcome": "dismissed", "reason": "x"}).status_code == 409
    mine = api_client(cast.citizen).get("/api/me/data-uses").json()["items"]
    seen = next(u for u in mine if u["id"] == read_use["id"])
    assert seen["objection"]["state"] == "upheld" and "整改" in seen["objection"]["decision_reason"]


def test_objection_sends_the_signal(read_use, cast, django_capture_on_commit_callbacks):
    from tongban.licences.signals import data_use_objected

    got = []

    def listener(sender, objection, **kwargs):
        got.append(objection.pk)

    data_use_objected.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            r = post(api_client(cast.citizen), f"/api/me/data-uses/{read_use['id']}/objection", {"reason": "异议"})
    finally:
        data_use_objected.disconnect(listener)
    assert got == [r.json()["id"]] and Objection.objects.get().state == "open"
    assert json.dumps(r.json(), ensure_ascii=False)


def test_objection_from_the_page_and_the_outcome_shown(read_use, cast, client):
    client.force_login(cast.citizen)
    page = client.post(f"/licences/data-uses/{read_use['id']}/objection/", {"reason": ""})
    assert page.status_code == 200 and "请填写异议理由" in page.content.decode() and not Objection.objects.exists()
    page = client.post(f"/licences/data-uses/{read_use['id']}/objection/", {"reason": "为何查看？"})
    assert "异议已提交" in page.content.decode() and Objection.objects.filter(subject=cast.citizen).count() == 1
    from tongban.licences import objection_actions

    objection_actions.decide(cast.supervisor, Objection.objects.get().pk, "dismissed", "依法履职查看，理由充分")
    shown = client.get("/licences/data-uses/").content.decode()
    assert "异议不成立" in shown and "依法履职查看" in shown
