"""OAuth 2.0 scopes of the data-sharing API: one per resource (`exchange:<code>`), on top of the
provider's configured scopes. Enabled by `OAUTH2_PROVIDER["SCOPES_BACKEND_CLASS"] =
"tongban.exchange.scopes.ExchangeScopes"` (see docs/adr/0016-data-exchange.md)."""

from __future__ import annotations

from oauth2_provider.scopes import SettingsScopes


def resource_scopes() -> dict[str, str]:
    from .models import DataResource

    rows = DataResource.objects.values_list("code", "name")
    return {f"exchange:{code}": f"读取共享数据：{name}" for code, name in rows}


class ExchangeScopes(SettingsScopes):
    def get_all_scopes(self):
        return {**super().get_all_scopes(), **resource_scopes()}

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        return [*super().get_available_scopes(application, request, *args, **kwargs), *resource_scopes()]
