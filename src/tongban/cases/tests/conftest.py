"""The reference catalogue for case tests, loaded once per test database on top of the regions
and departments the root conftest loads; a transactional test (real threads) flushes it, and
`catalog` loads it again."""

import pytest

ITEM = "WJW-XK-004"  # 医师执业注册: a citizen item of 市卫生健康委, 20 legal / 3 promised working days
ENTERPRISE_ITEM = "SCJG-XK-001"  # 企业设立登记: for enterprises


# `_catalog_loaded` and `catalog` (the reference catalogue) are the root conftest's.


@pytest.fixture
def health_officer(db):
    from tongban.identity.constants import Role
    from tongban.testing import make_staff

    return make_staff("officer-health-t", Role.OFFICER, "health", "210200")


@pytest.fixture
def clients(cast, catalog, health_officer):
    """Token clients: the citizen, the item's officer, an officer of another department, the
    other citizen, and anonymous."""
    from types import SimpleNamespace

    from tongban.testing import api_client

    return SimpleNamespace(citizen=api_client(cast.citizen), officer=api_client(health_officer),
                           other_officer=api_client(cast.officer_a), other=api_client(cast.other_citizen),
                           agent=api_client(cast.agent), anonymous=api_client(), supervisor=api_client(cast.supervisor))


def post(client, path, body=None, **headers):
    import json

    return client.post(path, data=json.dumps(body if body is not None else {}), content_type="application/json",
                       headers=headers)


def file(client, item=ITEM, **extra):
    body = {"item": item, "region": "210200", "form": {}, "materials": [], **extra}
    return post(client, "/api/cases", body)
