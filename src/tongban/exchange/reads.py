"""The department read API's checks and logging: a client-credentials bearer (the platform's
OAuth 2.0 provider), the resource's scope, the grant (conditional resources), the purpose, a
rate limit per client and resource, only the granted fields, and every returned record about
a person or an enterprise written to the audit trail as a read — so it shows in the subject's
data-use tracker (`/api/me/data-uses`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from tongban.core import audit

from .models import Condition, DataResource, ExchangeClient, Grant
from .sources import SOURCES


@dataclass
class Caller:
    client: ExchangeClient
    scopes: set[str]


class ClientCredentialsAuth(HttpBearer):
    openapi_description = "OAuth 2.0 client credentials 访问令牌（/oauth/token/，scope exchange:<资源编码>）"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from oauth2_provider.oauth2_backends import get_oauthlib_core

        try:
            valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
        except Exception:
            return None
        if not valid or oauth_request.access_token is None:
            return None
        app = oauth_request.access_token.application
        client = ExchangeClient.objects.select_related("department").filter(client_id=app.client_id).first()
        if client is None or oauth_request.access_token.user_id is not None:
            return None
        audit.bind(audit.AuditContext(actor_label=f"{client.name}（{app.client_id}）"[:100],
                                      department=client.department_id, ip=request.META.get("REMOTE_ADDR")))
        return Caller(client, set(oauth_request.access_token.scope.split()))


@audit.no_personal_data("调用频率设置")
def rate_limit() -> tuple[int, int]:
    return int(getattr(settings, "TONGBAN_EXCHANGE_RATE", 60)), int(getattr(settings, "TONGBAN_EXCHANGE_WINDOW", 60))


@audit.no_personal_data("按客户端与资源计数")
def over_limit(caller: Caller, resource: DataResource) -> int:
    """Count this read; the seconds to wait when over the limit, else 0."""
    limit, window = rate_limit()
    now = int(timezone.now().timestamp())
    slot = now // window
    key = f"exchange:rate:{caller.client.pk}:{resource.pk}:{slot}"
    if cache.add(key, 1, window + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:
            cache.set(key, 1, window + 1)
            count = 1
    return (window - now % window) or 1 if count > limit else 0


@audit.no_personal_data("客户端可读的字段名：范围、共享条件与授权")
def allowed_fields(caller: Caller, resource: DataResource) -> tuple[list[str], Grant | None]:
    """The fields the caller may read, or PermissionDenied (403): scope, condition, grant."""
    if resource.scope not in caller.scopes:
        raise PermissionDenied(f"访问令牌不含范围 {resource.scope}")
    if resource.condition == Condition.NOT_SHARED:
        raise PermissionDenied(f"“{resource.name}”不予共享")
    if resource.condition == Condition.UNCONDITIONAL or caller.client.department_id == resource.provider_id:
        return resource.field_names(), None
    today = timezone.localdate()
    grant = (Grant.objects.filter(resource=resource, department=caller.client.department_id,
                                  state=Grant.State.APPROVED, valid_from__lte=today, valid_until__gte=today)
             .order_by("-decided_at").first())
    if grant is None:
        raise PermissionDenied(f"本部门没有“{resource.name}”的有效共享授权")
    return [f for f in resource.field_names() if f in grant.fields], grant


@audit.personal_read("exchange")
def read(caller: Caller, resource: DataResource, subject: str, purpose: str, fields: list[str],
         grant: Grant | None) -> list[dict[str, Any]]:
    """The subject's records with only `fields`; each record about a person or an enterprise is
    recorded as a read (who: the client and its department; why: the purpose and basis)."""
    found = SOURCES[resource.source](subject)
    why = purpose + (f"（依据：{grant.basis}）" if grant else (f"（依据：{resource.legal_basis}）"
                                                             if resource.legal_basis else ""))
    items = []
    with transaction.atomic():
        for record, user_id, uscc in found:
            items.append({k: record.get(k) for k in fields})
            if user_id is None and not uscc:
                continue
            audit.record(f"read:exchange:{resource.code}", obj=resource, kind=audit.Kind.READ, subject_id=user_id,
                         reason=why,
                         data={"what": f"{resource.name}（{resource.provider.name}）：{'、'.join(fields)}",
                               "fields": fields, "client": caller.client.client_id,
                               "enterprise": uscc or None, "grant": grant.pk if grant else None})
    return items
