"""Fixtures of the licence tests: the reference catalogue (once per test database), the item's
officer, a citizen's approved case with its licence issued through the real signal."""

import json

import pytest

ITEM = "WJW-XK-004"  # 医师执业注册 (市卫生健康委) → ZZ-YSZY


# `_catalog_loaded` and `catalog` (the reference catalogue) are the root conftest's.


@pytest.fixture
def health_officer(db):
    from tongban.identity.constants import Role
    from tongban.testing import make_staff

    return make_staff("officer-health-l", Role.OFFICER, "health", "210200")


@pytest.fixture(autouse=True)
def _fast_sm2(settings):
    settings.TONGBAN_SEAL_ALGORITHM = "sm2"
    settings.TONGBAN_SM2_BACKEND = "gmssl_pyx"


@pytest.fixture
def approved(cast, catalog, health_officer, django_capture_on_commit_callbacks):
    """A citizen's case of ITEM, accepted and approved by the health officer; the approval's
    signal (after commit) issued its licence."""
    from tongban.cases import actions as cases
    from tongban.core import audit

    with audit.acting(audit.context_for_user(cast.citizen)):
        case = cases.submit(cast.citizen, item=ITEM, region="210200")
    with audit.acting(audit.context_for_user(health_officer)), django_capture_on_commit_callbacks(execute=True):
        case = cases.accept(health_officer, case)
        case = cases.approve(health_officer, case, basis="《医师法》第十四条")
    return case


def post(client, path, body=None):
    return client.post(path, data=json.dumps(body if body is not None else {}), content_type="application/json")
