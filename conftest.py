"""Shared fixtures: the reference regions and departments once per test database, and the
personas of `tongban.testing`."""

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from tongban.identity.demo import load_catalog, load_organisation

    with django_db_blocker.unblock():
        load_organisation(load_catalog())


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
