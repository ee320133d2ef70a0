"""Content-Security-Policy across the page types of every app (issue 10, item 5), in chromium:
each page, opened as the persona it is for, loads without a single CSP violation (no inline
script, no foreign origin), answers below 400 and fits a phone's width."""

from __future__ import annotations

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.identity.constants import Role
from tongban.testing import PASSWORD, make_cast, make_staff

pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH_CSP = """window.__csp = [];
document.addEventListener('securitypolicyviolation',
                          e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""

PUBLIC = ["/", "/services/", "/services/WJW-XK-004/", "/services/bundles/YJS-001/", "/licences/keys/",
          "/hotline/track", "/reviews/stats/", "/disclosure/annual-report/", "/gongkai/"]
CITIZEN = ["/cases/", "/cases/apply/WJW-XK-004/", "/cases/apply/YJS-004/", "/licences/", "/licences/data-uses/",
           "/licences/vault/", "/reviews/mine/", "/disclosure/requests/", "/accounts/me/messages/"]
STAFF = {"hotline": ["/hotline/operator/"], "supervisor": ["/oversight/alerts/", "/reviews/rectifications/"],
         "officer": ["/staff/cases/"]}


def _sign_in(page, username: str, device=None) -> None:
    form = page.get_by_role("region", name="账号密码登录")
    form.get_by_label("身份证号或用户名").fill(username)
    form.get_by_label("密码").fill(PASSWORD)
    form.get_by_role("button", name="登录").click()
    if device is not None:
        page.get_by_label("动态口令").fill(f"{totp(device.bin_key):06d}")
        page.get_by_role("button", name="验证").click()


def _visit(page, path: str, fits_width) -> list[str]:
    response = page.goto(path)
    problems = []
    if response is None or response.status >= 400:
        problems.append(f"{path}: HTTP {response.status if response else '—'}")
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__csp || []")
    if violations:
        problems.append(f"{path}: CSP {violations}")
    if not fits_width(page):
        problems.append(f"{path}: wider than a phone")
    return problems


def test_every_page_type_loads_without_a_csp_violation(open_page, fits_width, settings, tmp_path):
    from tongban.catalog import demo as catalog_demo
    from tongban.disclosure import demo as disclosure_demo

    settings.MEDIA_ROOT = tmp_path
    catalog_demo.load()
    disclosure_demo.load()
    cast = make_cast()
    officer = make_staff("officer-csp", Role.OFFICER, "health", "210200")
    problems: list[str] = []

    page = open_page()
    page.context.add_init_script(WATCH_CSP)
    for path in PUBLIC:
        problems += _visit(page, path, fits_width)

    citizen = open_page()
    citizen.context.add_init_script(WATCH_CSP)
    citizen.goto("/accounts/login/")
    _sign_in(citizen, cast.citizen.id_number)
    for path in CITIZEN:
        problems += _visit(citizen, path, fits_width)

    for who, paths in STAFF.items():
        user = {"hotline": cast.hotline, "supervisor": cast.supervisor, "officer": officer}[who]
        device = TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
        desk = open_page()
        desk.context.add_init_script(WATCH_CSP)
        desk.goto(paths[0])
        _sign_in(desk, user.username, device)
        assert re.search(r"/accounts/", desk.url) is None, desk.url
        for path in paths:
            problems += _visit(desk, path, fits_width)

    assert not problems, "\n".join(problems)
