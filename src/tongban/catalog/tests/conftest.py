"""The reference catalogue, loaded once per test database on top of the regions and
departments the root conftest loads.

A transactional test (threads that commit for real) flushes the catalogue's tables when it
ends; `catalog` notices and loads it again, so the order of tests never matters."""

import pytest


@pytest.fixture(scope="session")
def _catalog_loaded(django_db_setup, django_db_blocker):
    from tongban.catalog import demo
    from tongban.testing import ensure_organisation

    with django_db_blocker.unblock():
        ensure_organisation()  # a transactional test may have emptied them before this first use
        demo.load()


@pytest.fixture
def catalog(_catalog_loaded, db):
    from tongban.catalog import demo
    from tongban.catalog.models import ServiceItem

    if not ServiceItem.objects.exists():
        demo.load()
    return ServiceItem.objects


@pytest.fixture
def editor(db):
    from tongban.identity.constants import Role
    from tongban.testing import make_staff

    return make_staff("editor-city", Role.EDITOR, None, "210200")
