"""Relying parties registered with Tongban's OpenID Connect provider.

`ensure_demo_client()` registers the demo relying party used by the demo loader. The
toolkit stores client secrets hashed, so the demo secret is derived from SECRET_KEY: every
call returns the same secret, and a run against an existing database needs nothing stored
in clear."""

from __future__ import annotations

import hashlib
import hmac
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import transaction
from oauth2_provider.models import get_application_model

from tongban.core import audit

DEMO_CLIENT_ID = "dalian-ggzy-demo"
DEMO_CLIENT_NAME = "大连市公共资源交易平台（演示）"
DEMO_REDIRECT_URI = "http://127.0.0.1:8700/callback"


class ClientCredentials(NamedTuple):
    client_id: str
    client_secret: str


def _demo_secret() -> str:
    return hmac.new(settings.SECRET_KEY.encode(), b"tongban-oidc-demo-client", hashlib.sha256).hexdigest()


def ensure_demo_client() -> ClientCredentials:
    """Register (once) the demo relying party: confidential, authorisation code, ID tokens
    signed RS256, one redirect URI; PKCE is required of every client (settings)."""
    Application = get_application_model()
    secret = _demo_secret()
    wanted = {
        "name": DEMO_CLIENT_NAME,
        "client_type": Application.CLIENT_CONFIDENTIAL,
        "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
        "redirect_uris": DEMO_REDIRECT_URI,
        "algorithm": Application.RS256_ALGORITHM,
        "skip_authorization": False,
    }
    with transaction.atomic():
        app = Application.objects.select_for_update().filter(client_id=DEMO_CLIENT_ID).first()
        if app is None:
            app = Application(client_id=DEMO_CLIENT_ID, client_secret=secret, **wanted)
            app.save()
            audit.record("identity.oidc.client.register", obj=app, data={"name": DEMO_CLIENT_NAME})
            return ClientCredentials(DEMO_CLIENT_ID, secret)
        changed = [field for field, value in wanted.items() if getattr(app, field) != value]
        for field in changed:
            setattr(app, field, wanted[field])
        if not check_password(secret, app.client_secret):  # SECRET_KEY changed since
            app.client_secret = secret
            changed.append("client_secret")
        if changed:
            app.save()
            audit.record("identity.oidc.client.update", obj=app, data={"fields": sorted(changed)})
    return ClientCredentials(DEMO_CLIENT_ID, secret)
