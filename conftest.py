"""Shared fixtures: the reference regions and departments once per test database, and the
personas of `tongban.testing`."""

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from tongban.identity.demo import load_catalog, load_organisation

    with django_db_blocker.unblock():
        load_organisation(load_catalog())


def ensure_organisation() -> None:
    from tongban.testing import ensure_organisation as ensure

    ensure()


@pytest.fixture(autouse=True)
def _organisation(request):
    """Every test that uses the database finds the reference regions and departments."""
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db"} & set(request.fixturenames))
    if uses_db:
        request.getfixturevalue("_django_db_helper")
        ensure_organisation()


@pytest.fixture(scope="session")
def _catalog_loaded(django_db_setup, django_db_blocker):
    """The reference catalogue, once per test database."""
    from tongban.catalog import demo
    from tongban.testing import ensure_organisation

    with django_db_blocker.unblock():
        ensure_organisation()  # a transactional test may have emptied them before this first use
        demo.load()


@pytest.fixture
def catalog(_catalog_loaded, db):
    """The reference catalogue; loaded again when a transactional test (real threads) flushed it."""
    from tongban.catalog import demo
    from tongban.catalog.models import ServiceItem

    if not ServiceItem.objects.exists():
        demo.load()
    return ServiceItem.objects


@pytest.fixture
def cast(db):
    from tongban.testing import make_cast

    return make_cast()


@pytest.fixture(autouse=True)
def _fresh_state(settings):
    """Each test starts with an empty cache (throttles, calendar version) and no lockouts."""
    from django.core.cache import cache

    from tongban.core.calendar import invalidate_calendar

    cache.clear()
    settings.AXES_ENABLED = False
    yield
    cache.clear()
    invalidate_calendar()  # a rolled-back test's calendar years sent no delete signal


@pytest.fixture(autouse=True)
def _calendar_ahead(request):
    """The suite runs on any day of the year. Late in a year, before the State Council's notice
    of the next year's holidays is in chinese-calendar, a deadline from today needs a year
    nobody has entered (R5: an error, never a guess) — so tests that file today and expect a
    deadline would pass or fail by the date they run. Tests therefore see a weekday-only
    stand-in for each year after the library's last one up to next year: a test fixture only,
    never in production, where an administrator enters the year. Tests of the unknown-year
    behaviour itself opt out with `@pytest.mark.real_calendar`."""
    if request.node.get_closest_marker("real_calendar") is not None:
        yield
        return
    import datetime as dt

    from tongban.core import calendar

    library = calendar._library_years()
    wanted = range(max(library) + 1, dt.datetime.now(dt.UTC).year + 2)
    added = {y: [d for d in (dt.date(y, 1, 1) + dt.timedelta(days=n) for n in range(366))
                 if d.year == y and d.weekday() < 5] for y in wanted if y not in library}
    calendar._library_cache.update(added)
    calendar._holder.calendar = None
    yield
    for year in added:
        calendar._library_cache.pop(year, None)
    calendar._holder.calendar = None


@pytest.fixture
def live_db(django_db_setup, django_db_blocker):
    """For tests whose writes must really commit — another connection has to see them, or the
    test breaks its own connection on purpose — without pytest-django's transactional flush,
    which empties every table (regions, the catalogue, Wagtail's pages) under the tests that
    run after. The test removes what it made; core's tables (audit trail, idempotency keys) are
    emptied afterwards, as core's own transactional tests do."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    with django_db_blocker.unblock():
        ensure_organisation()
        try:
            yield
        finally:
            connection.close_if_unusable_or_obsolete()
            tables = [m._meta.db_table for m in apps.get_app_config("core").get_models()]
            with connection.cursor() as cursor:
                for statement in connection.ops.sql_flush(no_style(), tables, allow_cascade=True):
                    cursor.execute(statement)
