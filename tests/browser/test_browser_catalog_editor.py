"""Journey of a content editor: a citizen's search found nothing; the editor signs in (password,
then TOTP), opens the no-result dashboard on a phone, tries a word that finds nothing itself
(inline error, no reload), then sets the query as a synonym of 食品经营 — and the query hits."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.identity.constants import Role
from tongban.testing import PASSWORD, make_staff

expect = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUERY = "咕噜咕噜"


def search_codes(request_context, q: str) -> list[str]:
    response = request_context.get(f"/api/catalog/search?q={quote(q)}")
    assert response.ok
    return [i["code"] for i in response.json()["items"]]


def test_editor_adds_a_synonym_for_a_no_result_query_which_then_hits(open_page, screenshot, fits_width):
    from tongban.catalog import demo

    demo.load()  # the reference catalogue, indexed on commit
    editor = make_staff("editor-city", Role.EDITOR, None, "210200")
    device = TOTPDevice.objects.create(user=editor, name="手机", confirmed=True)
    assert Client().get("/api/catalog/search", {"q": QUERY}).json()["count"] == 0  # logged as a miss

    page = open_page()
    page.goto("/staff/catalog/search-misses/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    form = page.get_by_role("region", name="账号密码登录")
    form.get_by_label("身份证号或用户名").fill("editor-city")
    form.get_by_label("密码").fill(PASSWORD)
    form.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/accounts/otp/"))
    page.get_by_label("动态口令").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="验证").click()

    expect(page).to_have_url(re.compile(r"/staff/catalog/search-misses/$"))
    expect(page.get_by_role("heading", name="无结果检索", level=1)).to_be_visible()
    card = page.get_by_role("article", name=f"“{QUERY}”")
    expect(card).to_contain_text("无结果 1 次")
    assert search_codes(page.request, QUERY) == []
    page.evaluate("window.__samePage = true")  # survives only if nothing reloads the page

    # A word that finds nothing itself is refused, inline.
    field = card.get_by_label(f"设为同义词：“{QUERY}” =")
    field.fill("叽里呱啦")
    field.press("Enter")  # keyboard only
    error = page.get_by_role("alert")
    expect(error).to_contain_text("也检索不到任何事项")
    expect(card.get_by_label(f"设为同义词：“{QUERY}” =")).to_have_attribute("aria-invalid", "true")

    card.get_by_label(f"设为同义词：“{QUERY}” =").fill("食品经营")
    card.get_by_role("button", name="设为同义词").click()
    done = page.get_by_role("status").filter(has_text="已处理")
    expect(done).to_contain_text(f"同义词：{QUERY}")
    expect(done).to_contain_text("食品经营许可（新办）")
    assert page.evaluate("window.__samePage === true"), "the page reloaded"
    assert fits_width(page)
    screenshot(page, "a-editor-search-misses-phone")

    assert "SCJG-XK-008" in search_codes(page.request, QUERY)  # the same query now hits
    page.reload()
    expect(page.get_by_text("暂无待处理的无结果检索")).to_be_visible()
