"""Journey of an officer: password, then the second factor, then the workspace."""

from __future__ import annotations

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.identity.constants import Role
from tongban.testing import PASSWORD, make_staff

expect = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_passes_totp_and_sees_only_colleagues_of_their_department(open_page, screenshot):
    officer = make_staff("officer-a", Role.OFFICER, "market", "210200")
    make_staff("officer-a2", Role.OFFICER, "market", "210200")
    make_staff("officer-b", Role.OFFICER, "police", "210200")
    make_staff("officer-zs", Role.OFFICER, "zhongshan-civil-affairs", "210202")
    device = TOTPDevice.objects.create(user=officer, name="手机", confirmed=True)
    page = open_page(1280, 900)

    page.goto("/staff/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/staff/$"))
    form = page.get_by_role("region", name="账号密码登录")
    form.get_by_label("身份证号或用户名").fill("officer-a")
    form.get_by_label("密码").fill(PASSWORD)
    form.get_by_role("button", name="登录").click()

    # The password alone opens nothing: the second factor comes first.
    expect(page).to_have_url(re.compile(r"/accounts/otp/\?next=(/|%2F)staff(/|%2F)$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("工作人员二次验证")
    code = page.get_by_label("动态口令")
    expect(code).to_be_focused()
    code.fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="验证").click()

    expect(page).to_have_url(re.compile(r"/staff/$"))
    expect(page.get_by_role("heading", name="工作台", level=1)).to_be_visible()
    table = page.get_by_role("table")
    expect(table).to_contain_text("officer-a2")
    expect(table).to_contain_text("市场监督管理局")
    expect(table).not_to_contain_text("officer-b")
    expect(table).not_to_contain_text("officer-zs")
    departments = set(table.locator("tbody tr td:nth-child(4)").all_inner_texts())
    assert len(departments) == 1, departments
    screenshot(page, "c-officer-workspace-desktop")
