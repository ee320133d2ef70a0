"""The permission matrix (issue 10, item 2): `tongban.harness.matrix` is the table; this file
sends every row's request as every persona and fails on any difference, on any URL pattern or
API operation without a row, and on a stale docs/permissions.md.

Requests: API rows with the persona's personal token (anonymous: none), page rows with a
session (staff with the second factor done, as after a real sign-in). Placeholders in a row's
path are filled from `objects` — real objects of the cast, so "someone else's token" is a real
token of someone else."""

from __future__ import annotations

import io
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.harness import matrix, routes
from tongban.harness.personas import PERSONAS, persona
from tongban.identity.actions import create_token
from tongban.identity.permissions import is_staff_member

LOGIN_PAGES = {"/accounts/login/", "/cms/login/", "/django-admin/login/"}
DOC = Path(settings.PROJECT_DIR) / "docs" / "permissions.md"


def _session_client(user) -> Client:
    """A fresh signed-in session (a row may sign out); staff with the second factor done."""
    client = Client()
    if user is None:
        return client
    client.force_login(user)
    if is_staff_member(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or \
            TOTPDevice.objects.create(user=user, name="matrix", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _api_client(user) -> Client:
    if user is None:
        return Client()
    return Client(headers={"Authorization": f"Bearer {create_token(user, days=1, name='matrix')[1]}"})


def outcome(response, *, is_api: bool, signed_in: bool) -> str:
    status = response.status_code
    if status >= 500:
        return str(status)
    if status in (401, 403, 404):
        return str(status)
    if not is_api and status in (301, 302, 303, 307, 308) and urlsplit(response["Location"]).path in LOGIN_PAGES:
        return "403" if signed_in else "401"
    return matrix.ALLOWED


def _examples() -> dict[str, str]:
    every = routes.all_routes()
    found = {r.route: r.path for r in routes.django_routes(every)}
    found.update({op.key: op.route.path for op in routes.operations(every)})
    return found


@pytest.mark.parametrize("name", [p.name for p in PERSONAS])
def test_permission_matrix(name, cast, objects):
    user = persona(name).user(cast)
    api_client, page_client = _api_client(user), None
    examples = _examples()
    wrong = []
    for row in matrix.ROWS:
        example = examples.get(row.route)
        if example is None and row.path is None:
            continue  # a stale row: test_every_row_names_an_existing_route says so
        path = row.request_path(example or "", objects)
        if row.upload:
            response = api_client.post(path, data={row.upload: io.BytesIO(b"not a workbook")})
        elif row.is_api:
            response = api_client.generic(row.http_method, path, data=json.dumps(row.data),
                                          content_type="application/json")
        else:
            page_client = page_client or _session_client(user)
            response = getattr(page_client, row.http_method.lower())(path, data=row.data)
            if row.http_method != "GET":
                page_client = None  # it may have signed out: the next page row signs in afresh
        got = outcome(response, is_api=row.is_api, signed_in=user is not None)
        if got != row.access[name]:
            wrong.append(f"{row.http_method} {path} ({row.route!r}): expected {row.access[name]}, got {got}"
                         f" (HTTP {response.status_code})")
    assert not wrong, f"as {name}, tongban/harness/matrix.py says otherwise:\n" + "\n".join(wrong)


def test_every_route_and_operation_has_a_row():
    missing = sorted(key for key in _examples() if matrix.row_for(key) is None)
    assert not missing, (
        "Routes without a row in the permission matrix. Add one line per route to its app's group in "
        "src/tongban/harness/matrix.py (who may call it: PUBLIC, SIGNED_IN, STAFF, CATALOG_EDITORS, ADMIN or "
        "access(...)), then run `./tongban manage permissions_doc`:\n" + "\n".join(missing))


def test_every_row_names_an_existing_route():
    known = set(_examples())
    stale = [r.route for r in matrix.ROWS if r.route not in known and not any(k.startswith(r.route) for k in known)]
    assert not stale, f"rows for routes that do not exist (renamed or removed?): {stale}"


def test_rows_are_unique():
    keys = [(r.route, r.http_method) for r in matrix.ROWS]
    assert len(keys) == len(set(keys)), [k for k in keys if keys.count(k) > 1]


def test_permissions_doc_is_up_to_date():
    assert DOC.exists() and DOC.read_text(encoding="utf-8") == matrix.render_markdown(), (
        "docs/permissions.md is stale: run `./tongban manage permissions_doc`")
