"""Journey of a bad review (issue 9, Tests): the applicant of a finished case gives a bad review
on a phone; the department head finds it in the rectification queue with its 1-working-day and
15-working-day clocks, verifies, contacts and records the rectification; the applicant is asked
again on their own page and rates 满意 there; the supervisor sees it in the region's queue and,
after the aggregation job, the public statistics and the drill-down (visits per case, 最多跑一次)
show the change."""

from __future__ import annotations

import re

import pytest

from tongban.identity.constants import Role
from tongban.identity.demo import make_id_number
from tongban.testing import make_person, make_staff

expect = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ITEM = "WJW-XK-004"  # 医师执业注册, 市卫生健康委
HEALTH = "市卫生健康委"


def _reason_tags() -> None:
    """The national reason tags are rows of a data migration; an earlier transactional test on the
    same worker may have flushed them, so they are seeded again (idempotently) for this journey."""
    from importlib import import_module

    from django.apps import apps

    import_module("tongban.reviews.migrations.0002_seed_reason_tags").seed(apps, None)


def _signed_in(open_page, live_server, user, width=390, height=844, *, staff=False):
    """A page whose browser holds `user`'s session (staff: with the second factor done —
    signing in is the account journeys' subject, not this one's)."""
    from django.conf import settings
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    if staff:
        device = TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    page = open_page(width, height)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.session.session_key,
                               "url": live_server.url}])
    return page


def test_bad_review_rectified_asked_again_and_counted(open_page, live_server, screenshot, fits_width):
    from tongban.cases import actions as case_actions
    from tongban.catalog import demo
    from tongban.oversight.actions import refresh_statistics
    from tongban.reviews.models import Rectification, Review

    demo.load()
    _reason_tags()
    citizen = make_person("评价人", make_id_number("210202", "19850312", 77), "13900000077")
    officer = make_staff("officer-health-rv", Role.OFFICER, "health", "210200")
    head = make_staff("head-health-rv", Role.HEAD, "health", "210200")
    supervisor = make_staff("supervisor-rv", Role.SUPERVISOR, None, "210200")
    case = case_actions.submit(citizen, item=ITEM, region="210200")
    case_actions.accept(officer, case)
    case_actions.approve(officer, case)

    # 1. The applicant, on a phone, gives a bad review with its reasons (keyboard-usable radios).
    phone = _signed_in(open_page, live_server, citizen)
    phone.goto(f"/reviews/new?case={case.number}")
    expect(phone.get_by_role("heading", level=1)).to_have_text("评价这次服务")
    phone.get_by_role("radio", name="不满意", exact=True).check()
    phone.get_by_role("checkbox", name="多次跑动").check()
    phone.get_by_label("评价内容（选填）").fill("材料反复让我补，跑了三次")
    assert fits_width(phone)
    phone.get_by_role("button", name="提交评价").click()
    expect(phone).to_have_url(re.compile(r"/reviews/mine/$"))
    expect(phone.locator(".level-badge").first).to_have_text("不满意")
    review = Review.objects.get(case=case)
    assert review.level == 2 and Rectification.objects.filter(review=review, state="open").exists()

    # 2. The department head: the queue shows both clocks; verify, contact, rectify.
    desk = _signed_in(open_page, live_server, head, 1280, 900, staff=True)
    desk.goto("/reviews/rectifications/")
    row = desk.get_by_role("row").filter(has_text=case.number)
    expect(row).to_contain_text("核实联系（1个工作日）：计时中")
    expect(row).to_contain_text("整改解释（15个工作日）：计时中")
    row.get_by_role("link", name=re.compile("不满意")).click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("差评整改：不满意")
    desk.get_by_text("核实", exact=True).click()
    desk.get_by_role("radio", name="属实", exact=True).check()
    desk.get_by_label("核实依据").fill("调阅记录：补正两次，窗口未一次性告知")
    desk.get_by_role("button", name="提交核实").click()
    expect(desk.locator("dl")).to_contain_text("属实")
    desk.get_by_text("联系评价人", exact=True).click()
    desk.get_by_label("联系方式").fill("电话")
    desk.get_by_label("沟通内容").fill("致歉并说明补正要求已改为一次性告知")
    desk.get_by_role("button", name="记录联系").click()
    expect(desk.locator(".clock-pill").first).to_contain_text("已完成")
    desk.get_by_text("整改或解释", exact=True).click()
    desk.get_by_label("结果").fill("窗口实行一次性告知清单，已对经办人员批评教育")
    desk.get_by_role("button", name="已整改").click()
    expect(desk.locator(".case-meta")).to_contain_text("已整改（待回访）")

    # 3. The applicant is asked again on their own page (R27) and rates 满意 there; the new rating
    #    stands beside the first, marked as their own answer.
    phone.goto("/reviews/mine/")
    expect(phone.locator("main")).to_contain_text("有 1 条差评已整改或解释说明，请您再次评价")
    asked = phone.get_by_role("region", name="请您再次评价")
    expect(asked).to_contain_text("窗口实行一次性告知清单")
    asked.get_by_role("radio", name="满意", exact=True).check()
    asked.get_by_role("button", name="提交回访评价").click()
    expect(phone.locator("dl")).to_contain_text("满意（首次：不满意） · 网站")
    assert Rectification.objects.get(review=review).re_channel == "portal"
    screenshot(phone, "reviews-asked-again-phone")

    # 4. The supervisor sees the rectification in the region's queue, answered.
    watch = _signed_in(open_page, live_server, supervisor, 1280, 900, staff=True)
    watch.goto("/reviews/rectifications/?state=rerated")
    expect(watch.get_by_role("heading", level=1)).to_contain_text("监督")
    expect(watch.get_by_role("row").filter(has_text=case.number)).to_contain_text("已回访")

    # 5. After the aggregation job, the public statistics show the review and its rectification.
    refresh_statistics()
    public = open_page(1280, 900)
    public.goto("/reviews/stats/")
    health = public.locator('tr[data-department="health"]')
    expect(health.locator('td[data-level="1"]')).to_have_text("0")
    cells = health.locator("td")
    expect(cells.nth(7)).to_have_text("1")  # 不满意 (after 申请数, 网办率, 免交材料, 用时, 5, 4, 3)
    expect(health).to_contain_text("100%")  # followed up, rectified on time, satisfied when asked again
    expect(public.locator("#review-chart canvas")).to_have_count(1)

    # 6. The supervisor's drill-down: department → item → the case, with its visits.
    watch.goto("/oversight/stats/")
    watch.locator('tr[data-department="health"]').get_by_role("link", name=HEALTH).click()
    watch.locator(f'tr[data-item="{ITEM}"]').get_by_role("link").click()
    expect(watch.locator("#case-table")).to_contain_text(case.number)
    expect(watch.locator("#case-table")).to_contain_text("一次不用跑")
    expect(watch.locator("#officer-table")).to_contain_text("officer-health-rv")
    expect(watch.locator("#drill-chart canvas")).to_have_count(1)
    screenshot(watch, "reviews-drill-down")
