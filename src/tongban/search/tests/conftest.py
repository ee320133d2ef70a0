"""Search fixtures: the reference catalogue indexed once per test module that asks for it.

The documents get a kind of their own (EVAL_KIND), so that they never meet the catalogue
app's own "item" documents in a shared test database."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

EVAL_KIND = "search-eval"


@pytest.fixture(scope="session")
def catalogue() -> dict:
    return json.loads((settings.PROJECT_DIR / "data" / "dalian-catalog.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def indexed_catalogue(django_db_setup, django_db_blocker, catalogue):
    """All 177 reference items as documents of kind EVAL_KIND, committed for the module's tests
    (each test still runs in its own rolled-back transaction) and removed afterwards."""
    from tongban.search.backends.base import get_backend
    from tongban.search.evaluation import catalogue_documents
    from tongban.search.models import SearchDocument

    docs = catalogue_documents(catalogue, kind=EVAL_KIND)
    with django_db_blocker.unblock():
        get_backend().index(docs)
        yield docs
        SearchDocument.objects.filter(kind=EVAL_KIND).delete()
