"""Two journeys of issue 5 in chromium, as new users would take them.

The correction round (B3, R9, R7): a citizen has filed 医师执业注册 and uploaded two materials;
the health officer checks them on the staff case page and sends ONE 补正材料通知书 naming every
material with a problem; the citizen reads it on the tracking page (and in its PDF), hands in
too early and is told inline what is still missing, uploads the corrected files and hands the
correction in; the officer then accepts, and a later correction could name only materials of
that first notice.

Window filing for a walk-in (帮办代办, B1): window staff file at the counter for a registered
citizen who acts for an enterprise; both the staff page and the applicant's tracking page say
who acted for whom, and the timeline names the window staff who filed."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from test_browser_restaurant import act, sign_in, staff_desk

from tongban.cases.constants import Channel, Status
from tongban.cases.models import Case, CorrectionRequest
from tongban.identity.constants import Role
from tongban.testing import api_client, make_cast, make_staff

expect = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CERTIFICATE = "医师资格证书"
CHECK_UP = "近6个月内县级以上医疗机构出具的健康体检证明"
PROBLEMS = "医师资格证书复印件字迹不清；健康体检证明已超过6个月"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


def upload(page, case: Case, name: str, path: Path) -> None:
    position = case.materials.get(name=name).position
    page.locator(f"#file-{position}").set_input_files(str(path))
    page.locator(f'form[action$="/materials/{position}/upload/"] button').click()


def test_R9_one_correction_notice_lists_every_problem_the_applicant_corrects_and_the_officer_accepts(
        open_page, screenshot, fits_width, media):
    from tongban.catalog import demo

    demo.load()
    cast = make_cast()
    officer = make_staff("officer-health-c", Role.OFFICER, "health", "210200")
    filed = api_client(cast.citizen).post("/api/cases", data=json.dumps(
        {"item": "WJW-XK-004", "region": "210200"}), content_type="application/json")
    assert filed.status_code == 201, filed.content
    case = Case.objects.get(number=filed.json()["number"])
    scan = media / "扫描件.pdf"
    scan.write_bytes(PDF)

    # The citizen, on a phone, uploads the two materials from the tracking page.
    page = open_page()
    page.goto(f"/cases/{case.number}/")
    sign_in(page, cast.citizen.id_number)
    expect(page).to_have_url(re.compile(rf"/cases/{case.number}/$"))
    for name in (CERTIFICATE, CHECK_UP):
        upload(page, case, name, scan)
        expect(page.locator(".messages, [role=status], .alert").first).to_contain_text("已上传")

    # The officer checks each material and sends one notice naming both, with every problem.
    desk = staff_desk(open_page, officer, f"/staff/cases/{case.number}/")
    expect(desk.get_by_test_id("status")).to_have_text("待受理")
    desk.locator('details[data-action="request-correction"] > summary').click()
    desk.locator('details[data-action="request-correction"] button[type=submit]').click()  # nothing named yet
    expect(desk.get_by_test_id("form-error")).to_be_visible()
    assert not CorrectionRequest.objects.exists()
    correction = desk.locator('details[data-action="request-correction"]')
    correction.get_by_label(CERTIFICATE).check()
    correction.get_by_label(CHECK_UP).check()
    correction.get_by_label("补正理由（必填）").fill(PROBLEMS)
    correction.locator("button[type=submit]").click()
    expect(desk.get_by_test_id("done")).to_contain_text(f"办件 {case.number}")
    expect(desk.get_by_test_id("status")).to_have_text("待补正")
    notice = CorrectionRequest.objects.get(case=case)
    assert (notice.sequence, notice.materials) == (1, [CERTIFICATE, CHECK_UP])

    # The citizen reads the notice: both materials, the problems, the PDF with the same words.
    page.goto(f"/cases/{case.number}/")
    box = page.get_by_test_id("correction")
    expect(box).to_contain_text("第1次补正通知")
    expect(box).to_contain_text(PROBLEMS)
    for name in (CERTIFICATE, CHECK_UP):
        expect(box.locator("li", has_text=name)).to_contain_text("请在下方材料清单中上传")
    expect(page.get_by_test_id("waiting")).to_contain_text("等待您补正")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载补正材料通知书（PDF）").click()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(Path(download.value.path()).read_bytes())).pages)
    squeezed = re.sub(r"\s+", "", text)
    assert CERTIFICATE in squeezed and "健康体检证明" in squeezed and "字迹不清" in squeezed
    assert fits_width(page)
    screenshot(page, "e-case-correction-notice-phone")

    # Handing in with one file still missing is refused inline, naming it; then both are corrected.
    upload(page, case, CERTIFICATE, scan)
    expect(box.locator("li", has_text=CERTIFICATE)).to_contain_text("已上传补正文件")
    page.get_by_test_id("submit-correction").click()
    expect(page.get_by_test_id("correction-error")).to_contain_text(CHECK_UP)
    expect(page.get_by_test_id("status")).to_have_text("待补正")
    upload(page, case, CHECK_UP, scan)
    expect(box.locator("li", has_text=CHECK_UP)).to_contain_text("已上传补正文件")
    page.get_by_test_id("submit-correction").click()
    expect(page.get_by_test_id("status")).to_have_text("待受理")
    expect(page.get_by_test_id("correction")).to_have_count(0)
    expect(page.locator(f'tr[data-material="{CHECK_UP}"]')).to_contain_text("已补正")

    # The officer sees the corrected materials and accepts; a later notice could name only these two.
    desk.reload()
    expect(desk.locator(f'tr[data-material="{CERTIFICATE}"]')).to_contain_text("已补正")
    act(desk, "accept", f"已受理：办件 {case.number}")
    expect(desk.get_by_test_id("status")).to_have_text("已受理（审查中）")
    desk.locator('details[data-action="request-correction"] > summary').click()
    offered = desk.locator('details[data-action="request-correction"] input[name="materials"]')
    expect(offered).to_have_count(2)
    expect(desk.locator('details[data-action="request-correction"]')).to_contain_text("只能要求补正第一次补正通知所列的材料")
    screenshot(desk, "e-case-correction-accepted")
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED

    page.goto(f"/cases/{case.number}/")
    expect(page.get_by_test_id("status")).to_have_text("已受理（审查中）")
    expect(page.get_by_role("link", name="下载受理通知书（PDF）")).to_be_visible()


def test_window_staff_file_for_a_walk_in_and_both_sides_see_who_acted_for_whom(open_page, screenshot, fits_width):
    from tongban.catalog import demo

    demo.load()
    cast = make_cast()
    window_name = cast.window.name or cast.window.username
    desk = staff_desk(open_page, cast.window, "/staff/cases/")
    desk.get_by_test_id("walk-in").click()
    desk.get_by_label("事项（本窗口受理）").select_option("SCJG-XK-001@210200")
    desk.get_by_role("button", name="下一步：核对材料").click()
    desk.get_by_label("申请人公民身份号码（必填）").fill(cast.agent.id_number)
    desk.get_by_label("代表企业的统一社会信用代码（法人事项填写）").fill(cast.enterprise.uscc)
    desk.get_by_label("公司章程").check()  # the paper copy handed over at the counter
    desk.get_by_test_id("file-walk-in").click()
    expect(desk.locator(".messages, [role=status], .alert").first).to_contain_text("已登记收件")
    case = Case.objects.get()
    assert (case.channel, case.filed_by_id, case.applicant_id, case.on_behalf_of_id) == (
        Channel.WINDOW, cast.window.pk, cast.agent.pk, cast.enterprise.uscc)
    who = desk.get_by_test_id("filed-by")
    expect(who).to_contain_text(f"窗口代办：{window_name} 代 {cast.agent.name}")
    expect(who).to_contain_text(cast.enterprise.name)
    expect(desk.locator('tr[data-material="公司章程"]')).to_contain_text("申请人提交")
    screenshot(desk, "f-window-walk-in-who-for-whom")

    # The enterprise's legal representative signs in later, on a phone, and finds the same case.
    page = open_page()
    page.goto("/cases/")
    sign_in(page, cast.agent.id_number)
    page.get_by_role("link", name="企业设立登记").click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.number}/$"))
    who = page.get_by_test_id("filed-by")
    expect(who).to_contain_text(f"由窗口工作人员 {window_name} 代您为 {cast.enterprise.name} 提交")
    expect(page.locator(".timeline li").first).to_contain_text(window_name)
    expect(page.get_by_test_id("status")).to_have_text("待受理")
    assert fits_width(page)
    screenshot(page, "f-window-walk-in-applicant-phone")
