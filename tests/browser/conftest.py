"""Browser journeys: Playwright's sync API driving Debian's chromium against pytest-django's
live server. Skipped, with the reason, when chromium or Playwright is missing.

The live server answers from its own thread, so the data a journey needs must be committed:
the journeys use a transactional database, which is emptied after each test (theirs, and any
other transactional test's). `reference_data` therefore puts back what a journey needs when it
is missing: the portal's home page and Wagtail site (as the portal's migration makes them) and
the regions and departments. Personas are created per journey, with a fast password hasher.
Playwright's sync API keeps an event loop in the test thread, so Django's "async unsafe"
guard is lifted while the browser runs (see `browser` for what else that loop changes).
A screenshot of each journey's last page is saved to `test-results/` (git-ignored).
"""

from __future__ import annotations

import os
import shutil
from importlib import import_module
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
RESULTS = Path(__file__).resolve().parents[2] / "test-results"


def pytest_collection_modifyitems(config, items):
    reason = None
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        reason = f"Debian's chromium is not installed ({CHROMIUM}): apt-get install chromium fonts-noto-cjk"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "the playwright Python package is not installed"
    if reason:
        here = Path(__file__).parent
        for item in items:
            if here in Path(str(item.fspath)).parents:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module. Not for the whole session: Playwright's sync API keeps
    an asyncio loop "running" in this thread, and while it does, the thread counts as async
    (Django hands out other connection objects through asgiref.Local, `async_to_sync` refuses
    to run); the tests pytest-django orders after the journeys must not inherit that."""
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    RESULTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def reference_data(transactional_db):
    """The portal's home page and site, the regions and departments: made by the migrations
    and the root conftest, but gone once any transactional test has emptied the tables.
    (Not `serialized_rollback`: its snapshot clashes with the content types Django re-creates
    after another transactional test's flush.)"""
    from django.apps import apps
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Locale, Page, Site

    from tongban.identity.demo import load_catalog, load_organisation
    from tongban.identity.models import Region

    if not Region.objects.exists():
        load_organisation(load_catalog())
    if not Site.objects.exists():
        locale = Locale.objects.first() or Locale.objects.create(
            language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
        if not Page.objects.filter(depth=1).exists():
            Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
        import_module("tongban.portal.migrations.0002_create_home_page").create_home_page(apps, None)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def open_page(browser, live_server, reference_data):
    """`open_page()` → a fresh Playwright page (own cookies) on the live server, phone-sized
    (390×844) unless a width and height are given."""
    contexts = []

    def _open(width: int = 390, height: int = 844):
        context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height},
                                      locale="zh-CN", timezone_id="Asia/Shanghai")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    """`screenshot(page, name)` saves the whole page to test-results/<name>.png."""

    def _shot(page, name: str) -> Path:
        path = RESULTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.fixture
def fits_width():
    """`fits_width(page)`: true when the page needs no horizontal scrolling."""
    return no_horizontal_scroll
