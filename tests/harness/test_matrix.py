"""The permission matrix (issue 10, item 2): `tongban.harness.matrix` is the table; this file
sends every row's request as every persona and fails on any difference, on any URL pattern or
API operation without a row, and on a stale docs/permissions.md.

Requests: API rows with the persona's personal token (anonymous: none), page rows with a
session (staff with the second factor done, as after a real sign-in). The external-client
personas send their client-credentials token (from the real token endpoint, one scope each:
`tongban.harness.clients`) on every row, pages included. Placeholders in a row's path are filled
from `objects` — real objects of the cast, so "someone else's token" is a real token of someone
else."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.harness import clients, matrix, routes
from tongban.harness.personas import ANONYMOUS, CLIENT, PERSONAS, STAFF, Persona, persona
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


def _clients(p: Persona, cast) -> tuple[Client, Callable[[], Client]]:
    """(API client, page-client factory) of a persona."""
    if p.is_client:
        headers = clients.headers(p, grantor=cast.admin)
        return Client(headers=headers), lambda: Client(headers=headers)
    user = p.user(cast)
    return _api_client(user), lambda: _session_client(user)


@pytest.mark.parametrize("name", [p.name for p in PERSONAS])
def test_permission_matrix(name, cast, objects):
    user = persona(name).user(cast)
    api_client, new_page_client = _clients(persona(name), cast)
    page_client = None
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
            page_client = page_client or new_page_client()
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


# --- the external clients (issue 10 item 2: "an external client with each OAuth scope") ---------------

CLIENT_ROUTES = {"GET /api/exchange/resources/{code}/records"}  # the exchange's read API, the clients' only one


def test_clients_get_what_anonymous_gets_on_every_route_but_the_exchange_read_api():
    """A client-credentials token is no user: on every other row a client is the anonymous
    caller (401 on a secured operation — a token without a user once caused a 500 there)."""
    clients_ = [p.name for p in PERSONAS if p.is_client]
    wrong = [f"{r.route}: {c} {r.access[c]} ≠ anonymous {r.access['anonymous']}"
             for r in matrix.ROWS if r.route not in CLIENT_ROUTES for c in clients_
             if r.access[c] != r.access["anonymous"]]
    assert not wrong, "\n".join(wrong)
    secured_api = [r for r in matrix.ROWS
                   if r.is_api and r.route not in CLIENT_ROUTES and r.access["anonymous"] == "401"]
    assert len(secured_api) > 50 and all(r.access[c] == "401" for r in secured_api for c in clients_)


def test_the_client_personas_cover_each_exchange_scope_granted_and_not(db):
    from tongban.exchange import demo
    from tongban.exchange.models import DataResource

    demo.load()
    specs = [p.client for p in PERSONAS if p.is_client]
    assert {s.scope for s in specs} == {r.scope for r in DataResource.objects.all()}
    row = next(r for r in matrix.ROWS if r.route in CLIENT_ROUTES)
    outcomes = {p.client.granted: row.access[p.name] for p in PERSONAS if p.is_client and p.client.resource in
                row.path}
    assert outcomes == {True: matrix.ALLOWED, False: "403"}  # the scope with a grant; the scope without


def test_persona_kinds_are_explicit():
    """Regression: `is_staff` once answered True for any name it did not know (a client too)."""
    assert [p.name for p in PERSONAS if p.is_staff] == list(matrix.STAFF_NAMES)
    assert not any(p.is_staff for p in PERSONAS if p.is_client or p.kind == ANONYMOUS or p.is_applicant)
    with pytest.raises(ValueError):
        Persona("somebody_new", "新角色", "新", "citizen", "guest")
    with pytest.raises(ValueError):
        Persona("client_x", "客户端", "客", None, CLIENT)  # a client without its ClientSpec
    with pytest.raises(ValueError):
        Persona("staff_x", "工作人员", "工", None, STAFF)  # a user without a Cast attribute
    with pytest.raises(KeyError):
        persona("no_such_persona")
    with pytest.raises(KeyError):
        matrix.access("401", no_such_persona=matrix.ALLOWED)
