"""Two pages of issue 5: window staff file a case for a walk-in (帮办代办: the same `Case`,
channel 窗口, who acted for whom, the paper materials received), and the applicant hands in a
correction from the tracking page once every material of the notice has a new file (R9, R7)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.cases import actions
from tongban.cases.constants import Channel, Provision, Status
from tongban.cases.models import Case
from tongban.core.pdf import PdfBuilder

from .conftest import ENTERPRISE_ITEM, ITEM
from .helpers import file_case, person_client, staff_client

pytestmark = pytest.mark.django_db

WALK_IN = "/staff/cases/new/"
KEY = f"{ENTERPRISE_ITEM}@210200"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}


@pytest.fixture
def window(cast, catalog):
    return staff_client(cast.window)


def walk_in(client, cast, **extra):
    body = {"implementation": KEY, "applicant": cast.agent.id_number, "on_behalf_of": cast.enterprise.uscc,
            "token": "t-1", **extra}
    return client.post(WALK_IN, body)


def first_applicant_material(code: str = ENTERPRISE_ITEM) -> str:
    from tongban.cases import materials as mats
    from tongban.catalog import selectors as catalog

    rows = mats.material_list(catalog.version_in_force(catalog.get_item(code)), {})
    return next(r["name"] for r in rows if r["source"].split(":", 1)[0] == "applicant")


# --- the window --------------------------------------------------------------------------------------

def test_window_offers_its_own_items_and_lists_the_materials_to_receive(window):
    page = window.get(WALK_IN)
    assert page.status_code == 200
    assert KEY in page.content.decode()
    chosen = window.get(WALK_IN, {"implementation": KEY})
    assert chosen.status_code == 200
    assert first_applicant_material() in chosen.content.decode()
    assert window.get(WALK_IN, {"implementation": "WJW-XK-004@210200"}).status_code == 422  # not this window's


def test_window_files_for_a_walk_in_recording_who_acted_for_whom(window, cast):
    received = first_applicant_material()
    response = walk_in(window, cast, received=[received])
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == f"/staff/cases/{case.number}/"
    assert (case.channel, case.applicant, case.filed_by, case.on_behalf_of) == (
        Channel.WINDOW, cast.agent, cast.window, cast.enterprise)
    row = case.materials.get(name=received)
    assert (row.provision, row.reference) == (Provision.UPLOADED, "window-paper")
    assert walk_in(window, cast, received=[received])["Location"] == response["Location"]  # double click: one case
    assert Case.objects.count() == 1


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"applicant": ""}, "w-applicant-error", "请填写申请人的公民身份号码"),
    ({"applicant": "110101199003070000"}, "w-applicant-error", "未找到该公民身份号码的注册用户"),
    ({"on_behalf_of": ""}, "", "服务对象为法人"),
    ({"received": ["一份指南以外的材料"]}, "w-materials-error", "R11"),
])
def test_R11_window_refusals_are_inline_and_file_nothing(window, cast, change, field, words):
    response = walk_in(window, cast, **change)
    assert response.status_code == 422
    text = response.content.decode()
    assert words in text and (not field or field in text)
    assert not Case.objects.exists()


def test_only_window_staff_file_walk_ins(cast, catalog, health_officer):
    assert person_client(cast.citizen).get(WALK_IN).status_code == 403
    assert staff_client(health_officer).get(WALK_IN).status_code == 403
    assert person_client(cast.citizen).post(WALK_IN, {"implementation": KEY}).status_code == 403


# --- the correction, from the tracking page ---------------------------------------------------------

def test_R9_applicant_hands_in_the_correction_once_each_material_has_a_new_file(cast, catalog, health_officer):
    case = file_case(cast.citizen, materials=["医师资格证书"])
    wanted = "医师资格证书"
    actions.request_correction(health_officer, case, materials=[wanted], reason="扫描件不清晰")
    citizen = person_client(cast.citizen)
    page = citizen.get(f"/cases/{case.number}/")
    assert "补正材料（第1次补正通知）" in page.content.decode() and "扫描件不清晰" in page.content.decode()

    early = citizen.post(f"/cases/{case.number}/correction/")
    assert early.status_code == 422
    assert f"请先上传补正通知所列的材料：《{wanted}》" in early.content.decode()
    assert Case.objects.get(pk=case.pk).status == Status.CORRECTION

    position = case.materials.get(name=wanted).position
    upload = SimpleUploadedFile("证书.pdf", PdfBuilder("医师资格证书（重新扫描）").render(), "application/pdf")
    assert citizen.post(f"/cases/{case.number}/materials/{position}/upload/", {"file": upload}).status_code == 302
    assert citizen.get(f"/cases/{case.number}/").content.decode().count("已上传补正文件") == 1
    done = citizen.post(f"/cases/{case.number}/correction/")
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED
    row = case.materials.get(name=wanted)
    assert row.corrected and not row.correction_requested and row.reference.startswith("file:")
    again = citizen.post(f"/cases/{case.number}/correction/")
    assert again.status_code == 409  # no open notice any more


def test_correction_page_is_the_applicants_alone(cast, catalog, health_officer):
    case = file_case(cast.citizen, item=ITEM)
    actions.request_correction(health_officer, case, materials=["医师资格证书"], reason="缺少")
    assert person_client(cast.other_citizen).post(f"/cases/{case.number}/correction/").status_code == 404
    assert staff_client(health_officer).post(f"/cases/{case.number}/correction/").status_code == 403
