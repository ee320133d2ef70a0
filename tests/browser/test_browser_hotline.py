"""Journey of a 12345 ticket (issue 8, Tests): the operator, on the keyboard only, takes a noise
complaint and accepts the suggested department; that department returns it as misrouted; the
centre re-routes it; the new department replies; the callback finds the citizen unsatisfied;
the ticket reopens and is closed again; the citizen tracks it online."""

from __future__ import annotations

import re

import pytest

from tongban.identity.constants import Role
from tongban.testing import make_staff

expect = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMPLAINT = "西南路的工地每天半夜还在施工，噪音太大根本睡不着"
PHONE = "13904116677"


def _signed_in(open_page, live_server, user, width=1280, height=900):
    """A page whose browser holds `user`'s session with the second factor done (signing in is
    the staff journey's subject, not this one's)."""
    from django.conf import settings
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    page = open_page(width, height)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key,
                               "url": live_server.url}])
    return page


def _choose(page, select_id: str, value: str) -> None:
    """Pick an option of a closed <select> with the arrow keys, as a keyboard user does."""
    values = page.eval_on_selector(f"#{select_id}", "s => Array.from(s.options).map(o => o.value)")
    current = page.eval_on_selector(f"#{select_id}", "s => s.selectedIndex")
    target = values.index(value)
    for _ in range(abs(target - current)):
        page.keyboard.press("ArrowDown" if target > current else "ArrowUp")
    assert page.eval_on_selector(f"#{select_id}", "s => s.value") == value


def _reply(page, text: str) -> None:
    """A department officer signs when needed and replies (ordinary form use)."""
    if page.get_by_role("button", name=re.compile("签收")).count():
        page.get_by_role("button", name=re.compile("签收")).click()
        expect(page.get_by_test_id("status")).to_have_text("已签收")
    page.get_by_label("答复内容").fill(text)
    page.get_by_role("button", name=re.compile("提交答复")).click()
    expect(page.get_by_test_id("status")).to_have_text("已答复待审核")


def test_noise_complaint_returned_rerouted_reopened_closed_and_tracked(open_page, live_server, screenshot,
                                                                     fits_width):
    from tongban.hotline import actions
    from tongban.hotline.models import Ticket

    actions.load_taxonomy()
    operator = make_staff("operator-journey", Role.HOTLINE_OPERATOR, None, "210200")
    urban = make_staff("urban-journey", Role.OFFICER, "urban-mgmt", "210200")
    police = make_staff("police-journey", Role.OFFICER, "police", "210200")

    # 1. The operator takes the call on the keyboard only: shortcuts on screen, Alt+key to each field.
    desk = _signed_in(open_page, live_server, operator)
    desk.goto("/hotline/operator/")
    expect(desk.get_by_text("Alt+P 电话")).to_be_visible()
    desk.keyboard.press("Alt+p")
    desk.keyboard.type(PHONE)
    desk.keyboard.press("Alt+t")
    desk.keyboard.type(COMPLAINT)
    suggest = desk.locator("#suggest")
    expect(suggest).to_contain_text("智能建议", timeout=20_000)  # htmx while typing (the model loads once)
    expect(suggest).to_contain_text("城市管理局")
    desk.keyboard.press("Alt+s")
    filed = desk.get_by_test_id("filed")
    expect(filed).to_contain_text("已受理")
    expect(filed).to_contain_text("建议承办：大连市城市管理局")
    number = filed.locator(".case-number").inner_text()
    desk.keyboard.press("Alt+o")
    expect(desk).to_have_url(re.compile(f"/hotline/tickets/{number}/$"))
    expect(desk.get_by_label(re.compile("派单部门"))).to_have_value("urban-mgmt")  # the suggestion, preselected
    desk.keyboard.press("Alt+d")
    expect(desk.get_by_test_id("status")).to_have_text("已派单")
    expect(desk.get_by_test_id("department")).to_have_text("大连市城市管理局")

    # 2. The department finds it in its queue and returns it as misrouted (once, with a reason).
    dept = _signed_in(open_page, live_server, urban)
    dept.goto("/hotline/queue/")
    dept.get_by_role("link", name=number).click()
    dept.get_by_label(re.compile("退回理由")).fill("系居民楼内装修噪音，不属于城管职责，请转公安")
    dept.get_by_role("button", name=re.compile("退回中心")).click()
    expect(dept.get_by_test_id("status")).to_have_text("已退回")

    # 3. The centre re-routes it to the police, on the keyboard.
    desk.reload()
    expect(desk.get_by_test_id("status")).to_have_text("已退回")
    desk.keyboard.press("Alt+r")
    _choose(desk, "reroute-dept", "police")
    desk.keyboard.press("Alt+e")
    expect(desk.get_by_test_id("department")).to_have_text("大连市公安局")

    # 3b. The centre urges the police (催办, with a reason and a reply deadline): Alt+U.
    desk.get_by_label("督办事由").fill("来电人反映夜间施工仍在继续，请尽快处置")
    desk.keyboard.press("Alt+u")
    expect(desk.get_by_test_id("urgings")).to_contain_text("待回复")

    # 4. The police answer the urging from their queue, then reply to the ticket.
    cop = _signed_in(open_page, live_server, police)
    cop.goto("/hotline/queue/")
    cop.get_by_test_id("urgings-link").click()
    expect(cop.get_by_test_id("urgings")).to_contain_text("来电人反映夜间施工仍在继续")
    cop.get_by_label("回复内容").fill("已安排民警今晚到现场处置")
    cop.get_by_role("button", name="回复督办").click()
    expect(cop.get_by_test_id("done")).to_be_visible()
    cop.goto(f"/hotline/tickets/{number}/")
    expect(cop.get_by_test_id("urgings")).to_contain_text("已安排民警今晚到现场处置")
    _reply(cop, "民警已到现场，责令施工方夜间停止施工，并告知违反规定将依法处罚。")

    # 5. The centre accepts the reply; the callback finds the citizen unsatisfied: reopened once.
    desk.reload()
    desk.keyboard.press("Alt+a")
    expect(desk.get_by_test_id("status")).to_have_text("已办结")
    desk.keyboard.press("Alt+j")
    _choose(desk, "callback-resolved", "no")
    desk.keyboard.press("Alt+l")
    _choose(desk, "callback-level", "2")
    desk.keyboard.press("Alt+c")
    expect(desk.get_by_test_id("status")).to_have_text("已派单")
    expect(desk.get_by_test_id("department")).to_have_text("大连市公安局")
    ticket = Ticket.objects.get(number=number)
    assert ticket.reopened_count == 1 and ticket.returned_count == 1

    # 6. The police handle it again; the centre closes it again.
    cop.reload()
    _reply(cop, "经复查，施工方已停止夜间施工，民警两次夜间回访现场均无噪音，问题已解决。")
    desk.reload()
    desk.keyboard.press("Alt+a")
    expect(desk.get_by_test_id("status")).to_have_text("已办结")
    screenshot(desk, "hotline-operator-ticket")

    # 7. The citizen tracks it online with the number and the last four digits (phone-sized).
    citizen = open_page()
    citizen.goto("/hotline/track")
    citizen.get_by_label("工单编号").fill(number)
    citizen.get_by_label("来电手机号后四位").fill(PHONE[-4:])
    citizen.get_by_role("button", name="查询").click()
    card = citizen.get_by_test_id("ticket")
    expect(card).to_contain_text("已办结")
    expect(card).to_contain_text("大连市公安局")
    expect(card).to_contain_text("退回中心")
    expect(card).to_contain_text("改派")
    expect(card).not_to_contain_text(PHONE)  # R4: masked
    assert fits_width(citizen)
    screenshot(citizen, "hotline-citizen-track")
