"""A new visitor on a phone finds what opening a restaurant takes: types the question into the
home page's search box, picks a suggestion, opens 我要开饭店, answers its questions and watches
the material list change without a reload, switches to large text and prints the guide —
with no console error and no Content-Security-Policy violation on the way."""

from __future__ import annotations

import re

import pytest

expect = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = (375, 812)
RESTAURANT = "YJS-001"
# Registered before any page script: CSP violations are reported to the page as events.
WATCH_CSP = """window.__csp = [];
document.addEventListener('securitypolicyviolation',
                          e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""


@pytest.fixture
def catalogue(reference_data):
    """The reference catalogue (the transactional database is emptied after every journey)."""
    from tongban.catalog import demo
    from tongban.catalog.models import ServiceItem

    if not ServiceItem.objects.exists():
        demo.load()


def watch(page) -> list[str]:
    """Console errors of the page (a missing favicon aside), collected as they happen."""
    errors: list[str] = []

    def on_console(message):
        if message.type == "error" and "favicon" not in (message.location or {}).get("url", ""):
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.add_init_script(WATCH_CSP)
    return errors


def material_names(page) -> list[str]:
    return [li.get_attribute("data-name") for li in page.locator("#material-list > li").all()]


def font_px(page, selector: str = "body") -> float:
    return page.evaluate("s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize)", selector)


def test_new_visitor_finds_restaurant_materials_answers_questions_and_prints(
        catalogue, open_page, screenshot, fits_width):
    page = open_page(*PHONE)
    errors = watch(page)
    assert page.goto("/").status == 200

    # 1. Search as people talk; suggestions appear while typing.
    box = page.get_by_label("我要办事：说说您要办什么")
    box.fill("开饭店要办什么证")
    suggestion = page.locator("#home-q-suggestions a", has_text="我要开饭店")
    expect(suggestion).to_be_visible()
    assert fits_width(page)
    screenshot(page, "catalog-1-suggestions-phone")
    suggestion.focus()  # picked with the keyboard
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/services/bundles/{RESTAURANT}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("我要开饭店")
    assert fits_width(page)

    # 2. The questionnaire: each answer updates the list in place (no reload).
    page.get_by_role("link", name="情形引导：查看我需要的材料").click()
    expect(page).to_have_url(re.compile(rf"/services/bundles/{RESTAURANT}/situation$"))
    page.evaluate("window.__samePage = true")
    before = material_names(page)
    assert before and "经营场所租赁合同" not in before

    page.get_by_role("group", name="经营场所是否为自有房产？").get_by_label("否，租赁或借用").check()
    expect(page.locator("#material-list > li[data-name='经营场所租赁合同']")).to_have_count(1)
    after_first = material_names(page)
    assert len(after_first) == len(before) + 1

    cold = page.get_by_role("group", name=re.compile("冷食类、生食类"))
    cold.get_by_label("是", exact=True).check()
    expect(page.locator("#material-list > li[data-name='专间设置及操作流程说明']")).to_have_count(1)
    assert page.evaluate("window.__samePage === true"), "the page reloaded instead of updating the list"
    expect(page).to_have_url(re.compile(r"situation\?.*q_"))  # the answers are in the address: shareable
    share = page.locator("#share-link").get_attribute("href")
    assert "q_" in share and page.url.endswith(share)
    assert fits_width(page)
    screenshot(page, "catalog-2-questionnaire-phone")

    # 3. Large text keeps the answers (they are in the link) and still fits the phone.
    body = font_px(page)
    page.get_by_role("button", name="长者模式").click()
    expect(page.get_by_role("button", name="长者模式")).to_have_attribute("aria-pressed", "true")
    assert font_px(page) >= 22 > body
    assert "专间设置及操作流程说明" in material_names(page)
    assert fits_width(page), "elder mode must not need horizontal scrolling on a phone"
    screenshot(page, "catalog-3-questionnaire-elder-phone")

    # 4. The food licence's guide prints: the button calls window.print, the print sheet
    #    drops navigation and controls and prints black on white.
    page.get_by_role("button", name="长者模式").click()
    page.goto("/services/SCJG-XK-008/")
    expect(page.get_by_role("heading", level=1)).to_have_text("食品经营许可（新办）")
    expect(page.get_by_text("无需提交：平台从《营业执照》电子证照调取").first).to_be_visible()
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    page.get_by_role("button", name="打印本页").click()
    assert page.evaluate("window.__printed") == 1
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="打印本页")).to_be_hidden()
    expect(page.locator("table.materials")).to_be_visible()
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
    screenshot(page, "catalog-4-guide-print")
    page.emulate_media(media="screen")

    assert page.evaluate("window.__csp") == [], "Content-Security-Policy violations"
    assert errors == [], f"console errors: {errors}"


def test_questionnaire_without_javascript_and_keyboard_only(catalogue, browser, live_server, screenshot):
    """The same questionnaire as a plain form (JavaScript off), answered with the keyboard."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": PHONE[0], "height": PHONE[1]},
                                  locale="zh-CN", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/services/SCJG-XK-008/situation")
        assert "经营场所租赁合同" not in material_names(page)
        page.get_by_role("group", name="经营场所是否为自有房产？").get_by_label("否，租赁或借用").check()
        page.get_by_role("button", name="更新材料清单").focus()
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"situation\?.*q_"))
        assert "经营场所租赁合同" in material_names(page)
        screenshot(page, "catalog-5-questionnaire-no-js")
    finally:
        context.close()
