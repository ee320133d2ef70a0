"""Demo data for the whole platform: each app's loader, in dependency order."""

from __future__ import annotations

from importlib import import_module

from django.db import transaction

from tongban.cases import demo as cases_demo
from tongban.catalog import demo as catalog_demo
from tongban.catalog import demo_licences
from tongban.identity import demo as identity_demo
from tongban.identity import oidc_clients
from tongban.identity.models import Region


def is_loaded() -> bool:
    return Region.objects.exists()


@transaction.atomic
def load() -> list[identity_demo.DemoAccount]:
    accounts = identity_demo.load()  # regions and departments first: the catalogue refers to them
    catalog_demo.load()
    demo_licences.load()
    cases_demo.load()  # after the licences: ID cards and licences show as fetched (R12)
    for app in ("licences", "exchange", "disclosure", "hotline", "reviews", "oversight"):
        import_module(f"tongban.{app}.demo").load()
    oidc_clients.ensure_demo_client()  # the demo relying party of the OIDC provider
    return accounts


def accounts() -> list[identity_demo.DemoAccount]:
    return identity_demo.demo_accounts()
