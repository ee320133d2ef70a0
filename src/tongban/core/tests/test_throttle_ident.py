"""Throttles tell clients apart by their address, not by a header they choose: without a
trusted proxy count X-Forwarded-For is ignored (a spoofed header does not reset the limit)."""

import pytest
from django.test import RequestFactory
from ninja.throttling import AnonRateThrottle


@pytest.mark.parametrize(("proxies", "xff", "expected"), [
    (0, "1.2.3.4", "10.0.0.9"),  # no proxy trusted: the header is the client's own claim
    (0, None, "10.0.0.9"),
    (1, "1.2.3.4, 203.0.113.7", "203.0.113.7"),  # the address our one proxy appended
])
def test_client_identity(monkeypatch, proxies, xff, expected):
    from ninja.conf import settings as ninja_settings

    monkeypatch.setattr(ninja_settings, "NUM_PROXIES", proxies)
    headers = {"HTTP_X_FORWARDED_FOR": xff} if xff else {}
    request = RequestFactory().get("/api/regions", REMOTE_ADDR="10.0.0.9", **headers)
    assert AnonRateThrottle("1/m").get_ident(request) == expected


def test_default_trusts_no_proxy():
    from ninja.conf import settings as ninja_settings

    assert ninja_settings.NUM_PROXIES == 0
