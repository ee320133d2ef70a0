"""Fixtures of the harness tests: the cast's users by persona name, each with an API client."""

from __future__ import annotations

import pytest


@pytest.fixture
def personas(cast):
    """{persona name: user or None (anonymous)} for every user persona of `tongban.harness.personas`
    (the external clients have no user: see `bearer`)."""
    from tongban.harness.personas import USER_PERSONAS

    return {p.name: p.user(cast) for p in USER_PERSONAS}


@pytest.fixture
def bearer(personas, cast):
    """{persona name: Authorization headers} — a personal token per user persona, none for
    anonymous, and for each external client its client-credentials token from /oauth/token/."""
    from tongban.harness import clients
    from tongban.harness.personas import CLIENT_PERSONAS
    from tongban.identity.actions import create_token

    headers = {}
    for name, user in personas.items():
        headers[name] = {"Authorization": f"Bearer {create_token(user, days=1, name='harness')[1]}"} if user else {}
    for p in CLIENT_PERSONAS:
        headers[p.name] = clients.headers(p, grantor=cast.admin)
    return headers


@pytest.fixture
def objects(cast, catalog_loaded, settings, tmp_path):
    """What the rows' paths name: real objects, some of them belonging to one persona."""
    settings.STORAGES = {**settings.STORAGES, "default": {  # the message's attachment: not into var/
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    from tongban.cases import actions as case_actions
    from tongban.catalog.models import Bundle, ItemImplementation, ServiceItem
    from tongban.identity.actions import create_token, deliver, request_enterprise

    token, _ = create_token(cast.citizen, days=1, name="matrix target")
    market_item = (ServiceItem.objects.filter(department_id="market", implementations__region_id="210200",
                                              current_version__isnull=False, legal_days__gt=0)
                   .order_by("code").first())
    case = case_actions.submit(cast.agent, item=market_item.code, region="210200", on_behalf_of=cast.enterprise.uscc)
    message = deliver(cast.citizen, kind="matrix", title="受理通知书", body="矩阵", attachment=b"%PDF-1.4 matrix",
                      attachment_name="通知书.pdf")
    pending = request_enterprise(cast.other_citizen, uscc=cast.enterprise.uscc, name=cast.enterprise.name,
                                 legal_representative="王建国")
    item = ServiceItem.objects.filter(active=True, department_id="market", current_version__isnull=False) \
        .order_by("code").first()
    from tongban.harness.matrix import APP_MODULES

    found = {}
    for module in APP_MODULES.values():  # the later apps' objects (tongban/harness/matrix_<app>.py)
        found.update(module.objects(cast))
    return {
        **found,
        "citizen_a_token": token.pk,
        "citizen_a_message": message.pk,
        "enterprise_case": case.number,
        "enterprise": cast.enterprise.uscc,
        "pending_membership": pending.pk,
        "item": item.code,
        "bundle": Bundle.objects.order_by("code").first().code,
        "market_impl": ItemImplementation.objects.filter(department_id="market", region_id="210200")
                                               .order_by("pk").first().pk,
    }


@pytest.fixture(scope="session")
def _catalog_once(django_db_setup, django_db_blocker):
    from tongban.catalog import demo
    from tongban.testing import ensure_organisation

    with django_db_blocker.unblock():
        ensure_organisation()  # a transactional test may have emptied them before this first use
        demo.load()


@pytest.fixture
def catalog_loaded(_catalog_once, db):
    """The reference catalogue, loaded once per test database (again if a transactional test
    flushed it), so that real item and bundle codes can be requested."""
    from tongban.catalog import demo
    from tongban.catalog.models import ServiceItem

    if not ServiceItem.objects.exists():
        demo.load()
