"""Fixtures of the catalogue's tests. The reference catalogue itself (`catalog`) is the root
conftest's: loaded once per test database, and again when a transactional test (threads that
commit for real) flushed it, so the order of tests never matters."""

import pytest

# `_catalog_loaded` and `catalog` are the root conftest's (shared by every app's tests).


@pytest.fixture
def editor(db):
    from tongban.identity.constants import Role
    from tongban.testing import make_staff

    return make_staff("editor-city", Role.EDITOR, None, "210200")
