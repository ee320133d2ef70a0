"""The external-client personas made real (issue 10 item 2): each `ClientSpec` of
`tongban.harness.personas` becomes a department client of the exchange (an OAuth 2.0
client-credentials application of the platform's provider), its department's grant when the
persona is granted one, and an access token asked from the real token endpoint `/oauth/token/`
with the persona's one scope — so the matrix, the fuzz and `tests/test_routes.py` send what an
external system would send."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.test import Client
from django.utils import timezone

from .personas import Persona

GRANT_FIELDS = {"resident-identity": ["id_number", "name", "real_name_level"]}


def client_id(p: Persona) -> str:
    return f"harness-{p.name.replace('_', '-')}"


def _secret(p: Persona) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:harness:{p.name}".encode()).hexdigest()


def ensure_client(p: Persona, grantor=None):
    """The persona's ExchangeClient (registered once), and its department's approved grant on
    the resource when the persona is a granted one (requested and decided through the
    exchange's own actions; `grantor` acts for both)."""
    from tongban.exchange import actions, demo
    from tongban.exchange.models import DataResource, ExchangeClient, Grant
    from tongban.identity.models import Department, User

    spec = p.client
    assert spec is not None, f"{p.name} is not a client persona"
    demo.load()  # the resource catalogue, hence the scopes the token endpoint accepts
    department = Department.objects.get(pk=spec.department)
    client = ExchangeClient.objects.filter(client_id=client_id(p)).first()
    if client is None:
        client, _ = actions.register_client(None, department, f"矩阵测试客户端 {p.name}", client_id=client_id(p),
                                            client_secret=_secret(p))
    resource = DataResource.objects.get(code=spec.resource)
    today = timezone.localdate()
    valid = Grant.objects.filter(resource=resource, department=department, state=Grant.State.APPROVED,
                                 valid_from__lte=today, valid_until__gte=today)
    if spec.granted and resource.provider_id != spec.department and not valid.exists():
        actor = grantor or User.objects.filter(is_superuser=True).order_by("pk").first()
        grant = actions.request_grant(actor, department, resource, purpose="权限矩阵：外部客户端读取",
                                      fields=GRANT_FIELDS.get(resource.code, resource.field_names()),
                                      basis="权限矩阵测试", valid_from=today,
                                      valid_until=today + dt.timedelta(days=30))
        actions.decide_grant(actor, grant, approve=True, reason="权限矩阵测试")
    assert spec.granted or not valid.exists(), f"{p.name} must hold no grant, but {department.pk} has one"
    return client


def token(p: Persona, grantor=None) -> str:
    """A fresh client-credentials access token of the persona, from the token endpoint."""
    ensure_client(p, grantor)
    response = Client().post("/oauth/token/", {"grant_type": "client_credentials", "client_id": client_id(p),
                                               "client_secret": _secret(p), "scope": p.client.scope})
    assert response.status_code == 200, f"token endpoint refused {p.name}: {response.content[:300]!r}"
    body = response.json()
    assert body["scope"].split() == [p.client.scope], body
    return body["access_token"]


def headers(p: Persona, grantor=None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(p, grantor)}"}
