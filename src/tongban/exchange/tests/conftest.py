import pytest


@pytest.fixture(autouse=True)
def _exchange_scopes(settings):
    """The per-resource scopes (the settings change ADR 0016 asks for)."""
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER,
                                "SCOPES_BACKEND_CLASS": "tongban.exchange.scopes.ExchangeScopes"}
