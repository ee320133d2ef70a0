"""Fixtures of the reviews tests: the reference catalogue, a health officer, and a decided case
of the cast's citizen (张晓明) for 医师执业注册 (市卫生健康委)."""

import json

import pytest

ITEM = "WJW-XK-004"  # 医师执业注册: a citizen item of 市卫生健康委


# `_catalog_loaded` and `catalog` (the reference catalogue) are the root conftest's.


@pytest.fixture
def health_officer(db):
    from tongban.identity.constants import Role
    from tongban.testing import make_staff

    return make_staff("officer-health-r", Role.OFFICER, "health", "210200")


@pytest.fixture
def health_head(db):
    from tongban.identity.constants import Role
    from tongban.testing import make_staff

    return make_staff("head-health-r", Role.HEAD, "health", "210200")


def decided_case(applicant, officer, *, approve=True, **kwargs):
    from tongban.cases import actions

    case = actions.submit(applicant, item=kwargs.pop("item", ITEM), region="210200", **kwargs)
    actions.accept(officer, case)
    if approve:
        actions.approve(officer, case)
    case.refresh_from_db()
    return case


@pytest.fixture
def approved(cast, catalog, health_officer):
    return decided_case(cast.citizen, health_officer)


def post(client, path, body=None, **headers):
    return client.post(path, data=json.dumps(body if body is not None else {}), content_type="application/json",
                       headers=headers)


@pytest.fixture
def committed(live_db, _catalog_loaded):
    """The root `live_db` (writes that really commit), with the reference catalogue back in
    place if a transactional test emptied it since the session loaded it."""
    from tongban.catalog import demo
    from tongban.catalog.models import ServiceItem

    if not ServiceItem.objects.exists():
        demo.load()
