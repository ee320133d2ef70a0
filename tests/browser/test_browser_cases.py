"""Journey of a case on a phone: a citizen files through the API, signs in, opens the tracking
page (the "why is my case waiting" line, the clock), downloads the receipt; an officer passes
the second factor and accepts it from the queue with the keyboard (htmx swaps the panel); the
citizen then reads the new waiting line and finds the acceptance notice. Elder mode keeps the
page within the phone's width."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfReader
from test_browser_restaurant import sign_in

from tongban.identity.constants import Role
from tongban.identity.demo import make_id_number
from tongban.testing import api_client, make_person, make_staff

expect = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEALTH = "大连市卫生健康委员会"


def test_citizen_tracks_a_case_and_officer_accepts_it_from_the_queue(open_page, screenshot, fits_width, settings,
                                                                     tmp_path):
    from tongban.catalog import demo

    settings.MEDIA_ROOT = tmp_path
    demo.load()
    citizen = make_person("张晓明", make_id_number("210202", "19850312", 21), "13900000001")
    officer = make_staff("officer-health", Role.OFFICER, "health", "210200")
    device = TOTPDevice.objects.create(user=officer, name="手机", confirmed=True)
    filed = api_client(citizen).post("/api/cases", data=json.dumps(
        {"item": "WJW-XK-004", "region": "210200", "materials": ["医师资格证书"]}), content_type="application/json")
    assert filed.status_code == 201, filed.content
    number = filed.json()["number"]

    # The citizen, on a phone: the tracking page says who holds the case and since when.
    page = open_page()
    page.goto(f"/cases/{number}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    sign_in(page, citizen.id_number)
    expect(page).to_have_url(re.compile(rf"/cases/{number}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("医师执业注册")
    expect(page.get_by_test_id("waiting")).to_contain_text(f"待受理：{HEALTH}，自 ")
    expect(page.get_by_test_id("clock")).to_contain_text("未开始计时")
    assert fits_width(page)
    screenshot(page, "e-case-tracking-phone")

    page.get_by_role("link", name="查看并打印回执").click()
    expect(page.get_by_role("heading", name="申请回执", level=1)).to_be_visible()
    with page.expect_download() as download:
        page.get_by_test_id("receipt-pdf").click()
    data = Path(download.value.path()).read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert number in text and HEALTH in text
    assert download.value.suggested_filename.endswith(".pdf")

    # The officer: password, second factor, the queue, the case, accept — all by keyboard.
    desk = open_page()
    desk.goto("/staff/cases/")
    sign_in(desk, "officer-health")
    desk.get_by_label("动态口令").fill(f"{totp(device.bin_key):06d}")
    desk.get_by_role("button", name="验证").click()
    expect(desk).to_have_url(re.compile(r"/staff/cases/$"))
    expect(desk.get_by_role("heading", name="办件待办", level=1)).to_be_visible()
    row = desk.locator(f'tr[data-number="{number}"]')
    expect(row).to_contain_text("待受理")
    row.get_by_role("link").click()
    expect(desk.get_by_test_id("status")).to_have_text("待受理")
    summary = desk.locator('details[data-action="accept"] > summary')
    summary.focus()
    desk.keyboard.press("Enter")
    button = desk.locator('details[data-action="accept"] button[type=submit]')
    expect(button).to_be_visible()
    button.focus()
    desk.keyboard.press("Enter")
    expect(desk.get_by_test_id("done")).to_contain_text(f"已受理：办件 {number}")
    expect(desk.get_by_test_id("done")).to_be_focused()  # the message, for keyboard and screen readers
    expect(desk.get_by_test_id("status")).to_have_text("已受理（审查中）")
    expect(desk).to_have_url(re.compile(rf"/staff/cases/{number}/$"))  # swapped in place, no reload
    assert fits_width(desk)
    screenshot(desk, "e-case-officer-accepted-phone")

    # Back to the citizen: the waiting line counts the days now; the acceptance notice is there.
    page.goto(f"/cases/{number}/")
    expect(page.get_by_test_id("waiting")).to_contain_text(f"审查中：{HEALTH}，自 ")
    expect(page.get_by_test_id("waiting")).to_contain_text("法定时限剩余 20 个工作日")
    expect(page.get_by_role("link", name="下载受理通知书（PDF）")).to_be_visible()
    page.get_by_role("button", name="长者模式").click()
    expect(page.locator("html")).to_have_class(re.compile(r"\belder\b"))
    expect(page.get_by_test_id("waiting")).to_be_visible()
    assert fits_width(page)
    screenshot(page, "e-case-tracking-elder-phone")
