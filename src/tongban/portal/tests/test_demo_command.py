"""`./tongban demo accounts`: prints the demo accounts and the OIDC demo client."""

import json

import pytest
from django.core.management import call_command
from oauth2_provider.models import get_application_model

from tongban.identity import oidc_clients

pytestmark = pytest.mark.django_db


def test_accounts_print_the_oidc_demo_client_once(capsys):
    call_command("demo", "accounts")
    call_command("demo", "accounts")
    out = capsys.readouterr().out
    assert "演示账号" in out
    assert f"client_id {oidc_clients.DEMO_CLIENT_ID}" in out
    assert get_application_model().objects.filter(client_id=oidc_clients.DEMO_CLIENT_ID).count() == 1


def test_accounts_json_lists_staff_with_totp(capsys):
    call_command("demo", "accounts", "--json")
    rows = json.loads(capsys.readouterr().out)
    assert any(r["role"] == "officer" and r.get("totp_secret") for r in rows)
    assert all("client_secret" not in r for r in rows)
