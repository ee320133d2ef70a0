"""The restaurant journey (issue 5, Tests): an enterprise's legal representative switches to act
for the enterprise, opens 我要开饭店 from its guide and applies with one form — the
enterprise's registered data prefilled, locked and labelled with its source, the draft saved as
they type; the bundle is one parent case with a child per department; they upload a material of
the market child from its tracking page; the market officer sends one correction notice and the
applicant uploads the material again and hands the correction in; the officers of two departments, each in their own
browser, accept and approve their child cases side by side; an officer of a third department
finds none of it; the applicant then sees both children approved and opens the notice."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.cases.models import Case
from tongban.identity.constants import Role
from tongban.testing import PASSWORD, make_cast, make_staff

expect = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def sign_in(page, username: str) -> None:
    form = page.get_by_role("region", name="账号密码登录")
    form.get_by_label("身份证号或用户名").fill(username)
    form.get_by_label("密码").fill(PASSWORD)
    form.get_by_role("button", name="登录").click()


def staff_desk(open_page, user, path: str):
    device = TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
    desk = open_page(1280, 900)
    desk.goto(path)
    sign_in(desk, user.username)
    desk.get_by_label("动态口令").fill(f"{totp(device.bin_key):06d}")
    desk.get_by_role("button", name="验证").click()
    return desk


def act(desk, action: str, done: str) -> None:
    desk.locator(f'details[data-action="{action}"] > summary').click()
    desk.locator(f'details[data-action="{action}"] button[type=submit]').click()
    expect(desk.get_by_test_id("done")).to_contain_text(done)


def test_enterprise_applies_for_a_restaurant_and_two_departments_approve_in_parallel(
        open_page, screenshot, fits_width, settings, tmp_path):
    from tongban.catalog import demo

    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    demo.load()
    cast = make_cast()
    market = make_staff("officer-market-j", Role.OFFICER, "market", "210200")
    fire = make_staff("officer-fire-j", Role.OFFICER, "fire", "210200")
    police = make_staff("officer-police-j", Role.OFFICER, "police", "210200")

    # The legal representative, on a phone: sign in, act for the enterprise, find the guide.
    page = open_page()
    page.goto("/accounts/me/")
    sign_in(page, cast.agent.id_number)
    page.get_by_role("button", name="切换为代表该企业").click()
    expect(page.get_by_test_id("acting-for")).to_contain_text(cast.enterprise.uscc)
    page.goto("/services/bundles/YJS-001/")
    page.get_by_test_id("apply-online").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("在线申请：我要开饭店")

    # One form: the registered name is prefilled, locked and says where it comes from.
    name = page.get_by_label("企业（经营者）名称")
    expect(name).to_have_value(cast.enterprise.name)
    expect(name).to_have_attribute("readonly", "")
    provenance = page.locator('[data-field="enterprise.name"] [data-testid="provenance"]')
    expect(provenance).to_contain_text("来自：企业登记信息")
    page.get_by_label("联系电话").fill("13900000003")
    page.get_by_label("主要经营项目").fill("中餐类制售")
    page.get_by_label("主要经营项目").blur()
    expect(page.locator("#draft-status")).to_contain_text("草稿已自动保存")
    assert fits_width(page)
    screenshot(page, "f-restaurant-apply-phone")
    page.get_by_test_id("submit-application").click()
    expect(page).to_have_url(re.compile(r"/cases/\d{6}-\d{8}-\d{6}/$"))
    parent = Case.objects.get(number=page.url.rstrip("/").rsplit("/", 1)[1])
    children = {c.department_id: c for c in parent.children.all()}
    assert {"market", "fire"} <= set(children)
    licence_child, fire_child = children["market"], children["fire"]
    expect(page.get_by_role("heading", level=1)).to_contain_text("我要开饭店")

    # The market child: upload a material from its tracking page.
    page.goto(f"/cases/{licence_child.number}/")
    material = licence_child.materials.filter(source="applicant").order_by("position").first()
    upload = Path(tmp_path) / "营业场所证明.pdf"
    upload.write_bytes(PDF)
    page.locator(f"#file-{material.position}").set_input_files(str(upload))
    page.locator(f'form[action$="/materials/{material.position}/upload/"] button').click()
    expect(page.locator(".messages, [role=status], .alert").first).to_contain_text("已上传")

    # One correction notice: the market officer names the material, the applicant uploads it
    # again and hands the correction in from the tracking page.
    market_desk = staff_desk(open_page, market, f"/staff/cases/{licence_child.number}/")
    market_desk.locator('details[data-action="request-correction"] > summary').click()
    market_desk.get_by_label(material.name).check()
    market_desk.get_by_label("补正理由（必填）").fill("场所证明未加盖公章")
    market_desk.locator('details[data-action="request-correction"] button[type=submit]').click()
    expect(market_desk.get_by_test_id("done")).to_contain_text(f"办件 {licence_child.number}")
    page.goto(f"/cases/{licence_child.number}/")
    expect(page.get_by_test_id("correction")).to_contain_text("场所证明未加盖公章")
    page.get_by_test_id("submit-correction").click()
    expect(page.get_by_test_id("correction-error")).to_contain_text(material.name)  # nothing new uploaded yet
    page.locator(f"#file-{material.position}").set_input_files(str(upload))
    page.locator(f'form[action$="/materials/{material.position}/upload/"] button').click()
    expect(page.get_by_test_id("correction")).to_contain_text("已上传补正文件")
    page.get_by_test_id("submit-correction").click()
    expect(page.get_by_test_id("status")).to_have_text("待受理")
    screenshot(page, "f-restaurant-corrected-phone")

    # Two officers, two browsers, side by side: each accepts and approves their own child.
    market_desk.reload()
    fire_desk = staff_desk(open_page, fire, f"/staff/cases/{fire_child.number}/")
    act(market_desk, "accept", f"已受理：办件 {licence_child.number}")
    act(fire_desk, "accept", f"已受理：办件 {fire_child.number}")
    act(fire_desk, "approve", f"已准予许可：办件 {fire_child.number}")
    act(market_desk, "approve", f"已准予许可：办件 {licence_child.number}")
    screenshot(market_desk, "f-restaurant-market-approved")

    # A third department sees none of it.
    police_desk = staff_desk(open_page, police, "/staff/cases/")
    for number in (parent.number, licence_child.number, fire_child.number):
        response = police_desk.goto(f"/staff/cases/{number}/")
        assert response.status == 404
    expect(police_desk.locator("body")).not_to_contain_text(cast.enterprise.name)

    # The applicant: both children approved, the approval notice opens as a PDF.
    page.goto(f"/cases/{parent.number}/")
    for child in (licence_child, fire_child):
        expect(page.locator(f'[data-number="{child.number}"]')).to_contain_text("准予许可")
    page.goto(f"/cases/{licence_child.number}/")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("准予许可决定书")).click()
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"
    screenshot(page, "f-restaurant-done-phone")


def test_window_staff_file_for_a_walk_in_and_the_applicant_finds_the_case(open_page, screenshot, fits_width):
    """帮办代办: at the counter, window staff pick the item, type the walk-in's ID number, tick
    the paper materials received and file; the applicant later signs in and sees the same case,
    filed at the window on their behalf."""
    from tongban.catalog import demo

    demo.load()
    cast = make_cast()
    desk = staff_desk(open_page, cast.window, "/staff/cases/")
    desk.get_by_test_id("walk-in").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("窗口收件登记")
    desk.get_by_label("事项（本窗口受理）").select_option("SCJG-XK-001@210200")
    desk.get_by_role("button", name="下一步：核对材料").click()
    desk.get_by_test_id("file-walk-in").click()  # no applicant yet: an inline message, nothing filed
    expect(desk.locator("#w-applicant-error")).to_contain_text("请填写申请人的公民身份号码")
    assert not Case.objects.exists()
    desk.get_by_label("申请人公民身份号码（必填）").fill(cast.agent.id_number)
    desk.get_by_label("代表企业的统一社会信用代码（法人事项填写）").fill(cast.enterprise.uscc)
    desk.locator('input[name="received"]').first.check()
    desk.get_by_test_id("file-walk-in").click()
    expect(desk.locator(".messages, [role=status], .alert").first).to_contain_text("已登记收件")
    case = Case.objects.get()
    assert (case.channel, case.filed_by_id) == ("window", cast.window.pk)
    expect(desk.locator(".case-meta")).to_contain_text("窗口代办")
    screenshot(desk, "f-window-walk-in")

    page = open_page()
    page.goto(f"/cases/{case.number}/")
    sign_in(page, cast.agent.id_number)
    expect(page.locator(".case-meta")).to_contain_text("窗口")
    expect(page.get_by_test_id("status")).to_have_text("待受理")
    assert fits_width(page)
