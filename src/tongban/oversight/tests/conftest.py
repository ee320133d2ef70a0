"""The reviews tests' fixtures (health officer and head, an approved case); the reference
catalogue (`catalog`) is the root conftest's."""

from tongban.reviews.tests.conftest import (  # noqa: F401 — fixtures re-exported for these tests
    approved,
    health_head,
    health_officer,
)
