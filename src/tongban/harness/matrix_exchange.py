"""Permission-matrix rows of exchange (see tongban.harness.matrix).

ROWS: the routes of the app. PUBLIC_ROUTES / PUBLIC_OPERATIONS: the Django routes and API
operations anyone may call, with the reason (tests/test_routes.py). `objects(cast)` creates the
objects the rows' paths name (placeholders in braces), merged into the matrix test's objects."""

from __future__ import annotations

from typing import Any

from .access import ALLOWED, PUBLIC, SIGNED_IN, STAFF, Row, access, api, page  # noqa: F401

# officers and heads request for their department; an administrator names one (422 without)
REQUESTERS = access("403", anonymous="401", officer_a=ALLOWED, officer_b=ALLOWED, officer_other_region=ALLOWED,
                    head=ALLOWED, admin=ALLOWED)

ROWS: list[Row] = [
    api("GET /api/exchange/resources", SIGNED_IN, "共享数据资源目录"),
    api("POST /api/exchange/resources/{code}/grants", REQUESTERS, "申请共享数据（缺用途：422）",
        path="/api/exchange/resources/resident-identity/grants"),
    api("GET /api/exchange/grants", STAFF, "本部门的共享申请与待审核申请（工作人员）"),
    api("POST /api/exchange/grants/{grant_id}/decide", access("403", anonymous="401", head=ALLOWED, admin=ALLOWED),
        "审核共享申请（提供部门负责人；缺审核结果：422）", path="/api/exchange/grants/{exchange_grant}/decide"),
    # only a department client's client-credentials token: personal tokens and sessions are 401; a client
    # needs the resource's scope (client_other_scope holds another: 403) and, the resource being
    # conditional, its department's approved grant (client_ungranted has the scope, no grant: 403)
    api("GET /api/exchange/resources/{code}/records",
        access("401", client_granted=ALLOWED, client_ungranted="403", client_other_scope="403"),
        "部门系统读取居民身份信息（客户端凭证令牌：须有该资源的 scope 与有效共享授权）",
        path="/api/exchange/resources/resident-identity/records?subject={exchange_subject}&purpose=矩阵核验"),
]
PUBLIC_ROUTES: dict[str, str] = {}
PUBLIC_OPERATIONS: dict[str, str] = {}


def objects(cast: Any) -> dict[str, Any]:
    from django.utils import timezone

    from tongban.exchange import demo
    from tongban.exchange.models import DataResource, Grant

    demo.load()
    grant = Grant.objects.create(resource=DataResource.objects.get(code="enterprise-registration"),
                                 department_id="police", purpose="矩阵", fields=["name"], basis="矩阵",
                                 valid_from=timezone.localdate(), valid_until=timezone.localdate(),
                                 requested_by=cast.officer_b, requested_at=timezone.now())
    return {"exchange_grant": grant.pk, "exchange_subject": cast.citizen.id_number}
