"""Hotline test fixtures: the taxonomy, the classifier trained once per session (stored under
VAR_DIR like in production; reused when present), API clients."""

import json

import pytest


@pytest.fixture(scope="session")
def _model():
    from tongban.hotline import classifier

    return classifier.load()


@pytest.fixture
def hotline(db, _model, cast):
    from types import SimpleNamespace

    from tongban.hotline import actions
    from tongban.identity.constants import Role
    from tongban.testing import api_client, make_staff

    actions.load_taxonomy()
    urban = make_staff("officer-urban-t", Role.OFFICER, "urban-mgmt", "210200")
    housing = make_staff("officer-housing-t", Role.OFFICER, "housing", "210200")
    return SimpleNamespace(cast=cast, operator=api_client(cast.hotline), urban=api_client(urban),
                           housing=api_client(housing), market=api_client(cast.officer_a),
                           citizen=api_client(cast.citizen), anonymous=api_client(), model=_model,
                           supervisor=api_client(cast.supervisor))


def post(client, path, body=None, **headers):
    return client.post(path, data=json.dumps(body if body is not None else {}), content_type="application/json",
                       headers=headers)


def file(client, text, phone="13904110000", region="210200", **extra):
    return post(client, "/api/hotline/tickets", {"text": text, "channel": "phone", "phone": phone, "region": region,
                                                 **extra})


def page_client(user):
    """A signed-in browser session; staff with the second factor done."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or \
        TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def at_once(work, users):
    """Run `work(user)` for each user in its own thread, all released together; returns "ok"
    or "409" per thread (a Conflict), for the race tests (PostgreSQL row locks)."""
    import threading

    from django.db import connection

    from tongban.core.errors import Conflict

    barrier, results = threading.Barrier(len(users)), []

    def run(user):
        try:
            barrier.wait(timeout=10)
            work(user)
            results.append("ok")
        except Conflict:
            results.append("409")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return sorted(results)
