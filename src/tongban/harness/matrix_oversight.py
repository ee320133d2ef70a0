"""Permission-matrix rows of oversight (see tongban.harness.matrix).

ROWS: the routes of the app. PUBLIC_ROUTES / PUBLIC_OPERATIONS: the Django routes and API
operations anyone may call, with the reason (tests/test_routes.py). `objects(cast)` creates the
objects the rows' paths name (placeholders in braces), merged into the matrix test's objects."""

from __future__ import annotations

from typing import Any

from .access import ALLOWED, PUBLIC, SIGNED_IN, STAFF, Row, access, api, page  # noqa: F401

STATISTICS = access("403", anonymous="401", head=ALLOWED, supervisor=ALLOWED, admin=ALLOWED)
SUPERVISORS = access("403", anonymous="401", supervisor=ALLOWED, admin=ALLOWED)

ROWS: list[Row] = [
    api("GET /api/stats/overview", STATISTICS, "统计概览（监督人员、部门负责人、管理员）"),
    api("GET /api/stats/breakdown", STATISTICS, "统计下钻：按部门分组（监督人员、部门负责人、管理员）"),
    api("GET /api/stats/cases", STATISTICS, "统计下钻到办件与经办人（本部门的事项）",
        path="/api/stats/cases?department=market&item={oversight_item}"),
    api("GET /api/oversight/alerts", SUPERVISORS, "监察预警（监督人员）"),
    api("POST /api/oversight/alerts/{alert_id}/{action}", SUPERVISORS, "确认预警（监督人员）",
        path="/api/oversight/alerts/{oversight_alert}/acknowledge"),
    page("reviews/stats/", PUBLIC, "好差评统计公开页（R28）"),
    page("reviews/stats/export.xlsx", PUBLIC, "好差评统计 Excel（R28）"),
    page("oversight/stats/", STATISTICS, "效能统计下钻页（跑动次数、最多跑一次率）",
         path="/oversight/stats/?department=market&item={oversight_item}"),
    page("oversight/alerts/", SUPERVISORS, "监察预警页"),
    page("oversight/alerts/<int:alert_id>/<str:action>/", SUPERVISORS, "排除预警（缺理由：422）", method="POST",
         path="/oversight/alerts/{oversight_alert}/dismiss/", data={"reason": ""}),
]
PUBLIC_ROUTES: dict[str, str] = {
    "reviews/stats/": "review statistics per department are public (R28); no personal data",
    "reviews/stats/export.xlsx": "the same public statistics as an Excel workbook (R28)",
}
PUBLIC_OPERATIONS: dict[str, str] = {}


def objects(cast: Any) -> dict[str, Any]:
    from django.utils import timezone

    from tongban.cases import actions as case_actions
    from tongban.catalog.models import ServiceItem
    from tongban.oversight.models import Alert

    item = (ServiceItem.objects.filter(department_id="market", implementations__region_id="210200",
                                       current_version__isnull=False, legal_days__gt=0).order_by("code").first())
    case = case_actions.submit(cast.agent, item=item.code, region="210200", on_behalf_of=cast.enterprise.uscc)
    alert = Alert.objects.create(kind=Alert.Kind.STALLED, severity=Alert.Severity.WARNING, case=case,
                                 region_id=case.region_id, department_id=case.department_id,
                                 evidence={"matrix": True}, opened_at=timezone.now())
    return {"oversight_alert": alert.pk, "oversight_item": item.code}
