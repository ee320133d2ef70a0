"""Journeys of an applicant: signing in on a phone, registering."""

from __future__ import annotations

import re

import pytest

from tongban.core.masking import mask_id_number
from tongban.identity.demo import make_id_number
from tongban.identity.models import User
from tongban.testing import PASSWORD, make_person

expect = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Tb-strong-9!"
PASSWORD_LABEL = re.compile(r"^密码")  # not 确认密码


def password_form(page):
    return page.get_by_role("region", name="账号密码登录")


def test_citizen_signs_in_with_id_number_on_a_phone_and_sees_it_masked(open_page, screenshot, fits_width):
    citizen = make_person("张晓明", make_id_number("210202", "19850312", 21), "13900000001")
    page = open_page()  # 390×844

    page.goto("/accounts/me/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/accounts/me/$"))
    form = password_form(page)
    form.get_by_label("身份证号或用户名").fill(citizen.id_number)
    form.get_by_label("密码").fill(PASSWORD)
    form.get_by_role("button", name="登录").click()

    expect(page).to_have_url(re.compile(r"/accounts/me/$"))
    masked = mask_id_number(citizen.id_number)
    assert re.fullmatch(r"2102\*{10}\d{3}[\dX]", masked)
    expect(page.get_by_role("heading", name="我的账户", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text(masked)
    expect(page.locator("main")).to_contain_text("139****0001")
    assert citizen.id_number not in page.content()
    assert fits_width(page)
    screenshot(page, "a-citizen-account-phone")


def test_registration_keeps_typed_values_on_a_bad_id_number_then_succeeds(open_page, screenshot):
    good = make_id_number("210203", "19920101", 35)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")  # wrong check character (R1)
    page = open_page()

    page.goto("/accounts/register/")
    page.get_by_label("姓名").fill("赵小红")
    page.get_by_label("公民身份号码").fill(bad)
    page.get_by_label("手机号").fill("13900000009")
    page.get_by_label(PASSWORD_LABEL).fill(NEW_PASSWORD)
    page.get_by_label("确认密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="注册").click()

    id_field = page.get_by_label("公民身份号码")
    error = page.locator(".field", has=page.locator("#id_id_number")).locator(".errorlist")
    expect(error).to_contain_text("校验码")
    expect(id_field).to_have_attribute("aria-invalid", "true")
    # Nothing typed is lost: the applicant corrects the one wrong field.
    expect(page.get_by_label("姓名")).to_have_value("赵小红")
    expect(page.get_by_label("手机号")).to_have_value("13900000009")
    expect(id_field).to_have_value(bad)
    assert not User.objects.filter(phone="13900000009").exists()
    screenshot(page, "b-registration-error-phone")

    id_field.fill(good)
    for label in (PASSWORD_LABEL, "确认密码"):  # a password is never sent back to the browser
        field = page.get_by_label(label)
        if not field.input_value():
            field.fill(NEW_PASSWORD)
    page.get_by_role("button", name="注册").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("status")).to_contain_text("注册成功")
    expect(page.get_by_role("link", name="我的账户")).to_be_visible()
    user = User.objects.get(id_number=good)
    assert (user.name, user.phone, user.real_name_level) == ("赵小红", "13900000009", 1)
    screenshot(page, "b-registration-done-phone")
