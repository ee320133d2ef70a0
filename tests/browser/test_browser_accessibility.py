"""Journeys of accessibility (适老化 and keyboard) and the site identity in the footer (R22)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from tongban.identity.demo import make_id_number
from tongban.testing import PASSWORD, make_person

expect = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def font_px(page, selector: str = "body") -> float:
    return page.evaluate("s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize)", selector)


def focused(page) -> dict:
    return page.evaluate("""() => { const e = document.activeElement;
        return {tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute('name') || '',
                cls: e.className || '', text: (e.innerText || '').trim()}; }""")


def test_elder_mode_enlarges_text_across_pages_and_toggles_back(open_page, screenshot, fits_width):
    page = open_page()
    page.goto("/")
    body, h1 = font_px(page), font_px(page, "h1")
    toggle = page.get_by_role("button", name="长者模式")
    expect(toggle).to_have_attribute("aria-pressed", "false")

    toggle.click()
    expect(page.get_by_role("button", name="长者模式")).to_have_attribute("aria-pressed", "true")
    assert font_px(page) >= 22 > body
    assert font_px(page, "h1") > h1
    assert fits_width(page), "elder mode must not need horizontal scrolling on a phone"

    page.goto("/accounts/register/")  # another page: the choice is kept
    expect(page.get_by_role("button", name="长者模式")).to_have_attribute("aria-pressed", "true")
    assert font_px(page) >= 22
    assert font_px(page, "label") > 16
    assert fits_width(page)
    screenshot(page, "d-elder-mode-register-phone")

    page.get_by_role("button", name="长者模式").click()
    expect(page).to_have_url(re.compile(r"/accounts/register/$"))  # stays on the page it was used on
    expect(page.get_by_role("button", name="长者模式")).to_have_attribute("aria-pressed", "false")
    assert font_px(page) == body
    page.goto("/")
    assert (font_px(page), font_px(page, "h1")) == (body, h1)


def test_keyboard_skip_link_then_sign_in_without_a_mouse(open_page, screenshot):
    citizen = make_person("张晓明", make_id_number("210202", "19850312", 21), "13900000001")
    page = open_page(1280, 900)
    assert page.goto("/").status == 200

    page.keyboard.press("Tab")
    first = focused(page)
    assert first["cls"] == "skip-link" and first["text"] == "跳到主要内容", first
    expect(page.locator(".skip-link")).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"

    # From the main content, the next stops lead to the sign-in link.
    stops = []
    for _ in range(20):
        page.keyboard.press("Tab")
        stops.append(focused(page))
        if stops[-1]["text"] == "登录办事":
            break
    else:
        pytest.fail(f"the home page's sign-in link cannot be reached with Tab: {stops}")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.wait_for_load_state()

    # The sign-in form: the first field has the focus; Tab to the password; Enter submits.
    for _ in range(20):
        if focused(page)["name"] == "username":
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("the username field cannot be reached with Tab")
    page.keyboard.type(citizen.id_number)
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    expect(page.get_by_role("link", name="我的账户")).to_be_visible()
    expect(page.get_by_role("button", name="退出")).to_be_visible()
    screenshot(page, "e-keyboard-signed-in-desktop")


def test_home_page_footer_has_site_identity_and_fits_a_phone(open_page, screenshot, fits_width):
    page = open_page()  # 390×844
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    footer = page.get_by_role("contentinfo")
    identity = settings.SITE_IDENTITY
    expect(footer).to_contain_text(f"主办单位：{identity['organiser']}")
    expect(footer).to_contain_text(f"联系电话：{identity['contact']}")
    expect(footer).to_contain_text(f"网站标识码：{identity['site_code']}")
    expect(footer).to_contain_text(identity["icp"])
    expect(footer).to_contain_text(identity["police_record"])
    assert "ICP" in identity["icp"] and "公网安备" in identity["police_record"]
    assert page.viewport_size["width"] == 390
    assert fits_width(page), "the home page scrolls sideways at 390 px"
    screenshot(page, "f-home-phone")
