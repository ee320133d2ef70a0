"""The reviews tests' fixtures (catalogue, health officer and head, an approved case)."""

from tongban.reviews.tests.conftest import (  # noqa: F401 — fixtures re-exported for these tests
    _catalog_loaded,
    approved,
    catalog,
    health_head,
    health_officer,
)
