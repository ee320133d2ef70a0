"""The message box journey (issue 7, item 1 "a per-site message box"; R4, R23): a citizen
signs in and leaves a message on a district site — a double click makes one message; the site's
editor publishes it and answers from the queue (htmx); a reader sees it with the phone number
masked and the answer; the editor's health dashboard lists the site's failures, each with the
link to fix it."""

from __future__ import annotations

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from test_browser_disclosure import _patient, sign_in  # the same sign-in steps (tests/browser is on sys.path)

from tongban.identity.constants import Role
from tongban.identity.demo import make_id_number
from tongban.testing import make_person, make_staff

expect = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _patient_expectations():
    expect.set_options(timeout=30_000)
    yield
    expect.set_options(timeout=5_000)


def test_citizen_leaves_a_message_editor_publishes_and_answers_reader_sees_it_masked(open_page, screenshot):
    from wagtail.models import Page

    from tongban.disclosure import health_actions, page_actions
    from tongban.disclosure.models import SiteMessage

    home = Page.objects.filter(depth=2).order_by("path").first()
    site = page_actions.create_site(home, title="西岗区政府信息公开", slug="gk-xg-browser", region_id="210203")
    citizen = make_person("陈留言", make_id_number("210203", "19880808", 55), "13900000055")
    editor = make_staff("editor-xg", Role.EDITOR, None, "210203")
    device = TOTPDevice.objects.create(user=editor, name="手机", confirmed=True)
    messages_url = f"/disclosure/sites/{site.slug}/messages/"

    # The citizen signs in and leaves a message; the submit button is clicked twice.
    desk = _patient(open_page())
    desk.goto(f"/accounts/login/?next={messages_url}")
    sign_in(desk, citizen.username)
    desk.get_by_label("标题").fill("八一路路灯不亮")
    desk.get_by_label("留言内容").fill("八一路一排路灯坏了两周，晚上很黑，请尽快修复。联系电话13912345678")
    desk.get_by_role("button", name="提交留言").dblclick()
    expect(desk.get_by_role("status")).to_contain_text("留言已提交")
    expect(desk.get_by_text("待审核")).to_be_visible()
    assert SiteMessage.objects.filter(site=site).count() == 1

    # The site's editor publishes it and answers from the queue.
    staff = _patient(open_page(1280, 900))
    staff.goto(f"/accounts/login/?next={messages_url}manage/")
    sign_in(staff, editor.username, device)
    card = staff.locator("article", has_text="八一路路灯不亮")
    card.get_by_role("button", name="公开", exact=True).click()
    expect(card).to_contain_text("已公开")
    card.get_by_label("答复内容").fill("已转区城市管理局，路灯已于本周修复，感谢您的监督。")
    card.get_by_role("button", name="答复", exact=True).click()
    expect(card).to_contain_text("已于本周修复")

    # A reader sees the message with the number masked, and the answer.
    reader = _patient(open_page())
    reader.goto(messages_url)
    listed = reader.locator("article", has_text="八一路路灯不亮")
    expect(listed).to_contain_text("139****5678")
    expect(listed).to_contain_text("已于本周修复")
    expect(listed).not_to_contain_text("13912345678")
    expect(listed).not_to_contain_text("陈留言")
    screenshot(reader, "disclosure-messages-public")

    # The editor's health dashboard lists the new site's failures with the links to fix them.
    health_actions.run(site, external=False)
    staff.goto(f"/disclosure/sites/{site.slug}/health/")
    expect(staff.get_by_role("heading", name="空白栏目超过5个：16 项问题")).to_be_visible()
    expect(staff.get_by_role("link", name="去整改").first).to_have_attribute("href", re.compile("/cms/pages/"))
    screenshot(staff, "disclosure-site-health")
