"""Permission-matrix rows of hotline (see tongban.harness.matrix).

ROWS: the routes of the app. PUBLIC_ROUTES / PUBLIC_OPERATIONS: the Django routes and API
operations anyone may call, with the reason (tests/test_routes.py). `objects(cast)` creates the
objects the rows' paths name (placeholders in braces), merged into the matrix test's objects."""

from __future__ import annotations

from typing import Any

from .access import ALLOWED, PUBLIC, SIGNED_IN, STAFF, Row, access, api, page  # noqa: F401

TICKET = "/api/hotline/tickets/{hotline_ticket}"
# who files: operators (any channel), citizens and agents (web); other staff go through the centre
FILERS = access("403", anonymous="401", citizen_a=ALLOWED, citizen_b=ALLOWED, agent=ALLOWED, hotline=ALLOWED,
                admin=ALLOWED)
# who reads the queue: operators, supervisors, department staff (their department's tickets)
READERS = access(ALLOWED, anonymous="401", citizen_a="403", citizen_b="403", agent="403", editor="403")
# urging a ticket held by 市场监管局: operators and supervisors; its staff may not urge (403);
# other departments do not see it (404)
URGERS = access("403", anonymous="401", officer_b="404", officer_other_region="404", supervisor=ALLOWED,
                hotline=ALLOWED, admin=ALLOWED)
OPERATORS = access("403", anonymous="401", hotline=ALLOWED, admin=ALLOWED)

ROWS: list[Row] = [
    api("POST /api/hotline/tickets", FILERS, "受理工单", data={"text": "小区门口的路灯坏了", "channel": "web"}),
    api("GET /api/hotline/tickets", READERS, "工单队列"),
    api("GET /api/hotline/tickets/{number}", PUBLIC, "工单查询（编号+手机后四位；工作人员全文）",
        path=TICKET + "?phone_last4=0000"),
    api("POST /api/hotline/tickets/{number}/actions/{action}", URGERS, "督办市场监管局承办的工单",
        path=TICKET + "/actions/urge", data={"level": "催办"}),
    api("POST /api/hotline/inbound/{channel}", access("401"), "短信/微信来信（签名错误一律401）",
        path="/api/hotline/inbound/sms", data={"text": "路灯坏了"}),
    page("open311/v2/services.json", PUBLIC, "Open311 服务列表"),
    page("open311/v2/requests.json", PUBLIC, "Open311 诉求列表（不含举报与个人信息）"),
    page("open311/v2/requests/<str:number>.json", PUBLIC, "Open311 单个诉求",
         path="/open311/v2/requests/{hotline_ticket}.json"),
    page("hotline/track", PUBLIC, "工单查询页"),
    page("hotline/operator/", OPERATORS, "话务受理台"),
    page("hotline/operator/suggest", OPERATORS, "话务受理台：智能建议与历史工单（htmx）",
         path="/hotline/operator/suggest?phone=13904110000"),
]
PUBLIC_ROUTES: dict[str, str] = {
    "open311/v2/services.json": "Open311 GeoReport v2 service list (public by the spec)",
    "open311/v2/requests.json": "Open311 request list without 举报 and personal data; POST needs an app's api_key",
    "open311/v2/requests/<str:number>.json": "one Open311 request, without 举报 and personal data",
    "hotline/track": "ticket tracking by number and the caller's last four phone digits (throttled)",
}
PUBLIC_OPERATIONS: dict[str, str] = {
    "GET /api/hotline/tickets/{number}": "tracking by number + last four phone digits or the secret (throttled); "
                                         "staff in scope get the full ticket",
}


def objects(cast: Any) -> dict[str, Any]:
    from django.utils import timezone

    from tongban.hotline import actions, deadlines
    from tongban.hotline.models import Ticket
    from tongban.identity.models import Department, Region

    actions.load_taxonomy()
    now = timezone.now()
    ticket = Ticket.objects.create(
        number="209901010001", channel="phone", category="投诉", subject_id="food-safety",
        text="超市卖过期的牛奶", region=Region.objects.get(pk="210200"), caller_phone="13904110000",
        filed_at=now, deadline=deadlines.deadline_for("投诉", False, now, deadlines.current_policy()),
        policy=deadlines.current_policy(), status="dispatched", department=Department.objects.get(pk="market"),
        dispatched_at=now)
    return {"hotline_ticket": ticket.number}
