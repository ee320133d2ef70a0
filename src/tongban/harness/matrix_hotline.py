"""Permission-matrix rows of hotline (see tongban.harness.matrix).

ROWS: the routes of the app. PUBLIC_ROUTES / PUBLIC_OPERATIONS: the Django routes and API
operations anyone may call, with the reason (tests/test_routes.py). `objects(cast)` creates the
objects the rows' paths name (placeholders in braces), merged into the matrix test's objects."""

from __future__ import annotations

from typing import Any

from .access import ALLOWED, PUBLIC, SIGNED_IN, STAFF, Row, access, api, page  # noqa: F401

ROWS: list[Row] = []
PUBLIC_ROUTES: dict[str, str] = {}
PUBLIC_OPERATIONS: dict[str, str] = {}


def objects(cast: Any) -> dict[str, Any]:
    return {}
