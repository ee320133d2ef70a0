"""Permission-matrix rows of reviews (see tongban.harness.matrix).

ROWS: the routes of the app. PUBLIC_ROUTES / PUBLIC_OPERATIONS: the Django routes and API
operations anyone may call, with the reason (tests/test_routes.py). `objects(cast)` creates the
objects the rows' paths name (placeholders in braces), merged into the matrix test's objects."""

from __future__ import annotations

from typing import Any

from .access import ALLOWED, PUBLIC, SIGNED_IN, STAFF, Row, access, api, page

REVIEW = "/api/reviews/{agent_review}"  # the agent's 非常不满意 review of the enterprise's case (市场监管局)
# the reviewer, staff of the department that served (window, officer, head), supervisors, administrators
REVIEW_READERS = access("404", anonymous="401", agent=ALLOWED, window=ALLOWED, officer_a=ALLOWED, head=ALLOWED,
                        supervisor=ALLOWED, admin=ALLOWED)
# department actions on the rectification: officers and heads of that department; readers without the role 403
RECT_HANDLERS = {**REVIEW_READERS, "agent": "403", "window": "403", "supervisor": "403", "admin": "403"}
REVIEW_WINDOW = access("403", anonymous="401", window=ALLOWED, officer_a=ALLOWED, officer_b=ALLOWED,
                       officer_other_region=ALLOWED, head=ALLOWED)

ROWS: list[Row] = [
    api("POST /api/reviews", SIGNED_IN, "评价一次服务（等级超出 1..5：422）", data={"level": 9}),
    api("GET /api/reviews", SIGNED_IN, "我的评价或可见范围内的评价"),
    api("GET /api/reviews/tags", PUBLIC, "评价等级与标签"),
    api("GET /api/reviews/rectifications", SIGNED_IN, "差评整改待办（无权者得到空列表）"),
    api("POST /api/reviews/invitations", REVIEW_WINDOW, "评价邀请（窗口与审批人员；缺办件：422）", data={}),
    api("POST /api/reviews/visits", REVIEW_WINDOW, "首问登记（窗口与审批人员；未知事项：422）",
        data={"item": "NO-SUCH-ITEM"}),
    api("GET /api/reviews/t/{token}", PUBLIC, "一次性评价链接（窗口评价器）", path="/api/reviews/t/{kiosk_token}"),
    api("POST /api/reviews/t/{token}", PUBLIC, "以一次性令牌评价（等级超出：422）", path="/api/reviews/t/{kiosk_token}",
        data={"level": 9}),
    api("GET /api/reviews/re-rate/{token}", PUBLIC, "短信回访再评价链接（R27）",
        path="/api/reviews/re-rate/{rerate_token}"),
    api("POST /api/reviews/re-rate/{token}", PUBLIC, "以短信回访链接再次评价（等级超出：422）",
        path="/api/reviews/re-rate/{rerate_token}", data={"level": 9}),
    api("GET /api/reviews/{review_id}", REVIEW_READERS, "经办人的评价", path=REVIEW),
    api("POST /api/reviews/{review_id}/append", access("404", anonymous="401", agent=ALLOWED), "追评（仅评价人）",
        path=REVIEW + "/append", data={"comment": "矩阵追评"}),
    api("GET /api/reviews/{review_id}/rectification", REVIEW_READERS, "差评整改单", path=REVIEW + "/rectification"),
    api("POST /api/reviews/{review_id}/rectification/actions/{action}", RECT_HANDLERS,
        "核实差评（被评价部门的审批人员与负责人）", path=REVIEW + "/rectification/actions/verify",
        data={"finding": "true", "evidence": "矩阵"}),
    page("reviews/new", access("403", anonymous="401", citizen_a="404", citizen_b="404", agent=ALLOWED),
         "评价表单（申请人一方；工作人员不能代评）", path="/reviews/new?case={unreviewed_case}"),
    page("reviews/mine/", SIGNED_IN, "我的评价"),
    page("reviews/<int:review_id>/append/", access("404", anonymous="401", agent=ALLOWED), "追评（页面，仅评价人）",
         method="POST", path="/reviews/{agent_review}/append/", data={"comment": "矩阵追评"}),
    page("reviews/t/<str:token>/", access(ALLOWED, staff="403"), "一次性评价页（工作人员不能代评）",
         path="/reviews/t/{kiosk_token}/"),
    page("reviews/re-rate/<str:token>/", access(ALLOWED, staff="403"), "整改后再次评价页（R27；工作人员不能代评）",
         path="/reviews/re-rate/{rerate_token}/"),
    page("reviews/rectifications/", STAFF, "差评整改待办页"),
    page("reviews/rectifications/<int:review_id>/", REVIEW_READERS, "差评整改单页",
         path="/reviews/rectifications/{agent_review}/"),
    page("reviews/rectifications/<int:review_id>/<str:action>/", RECT_HANDLERS, "核实差评（页面；缺依据：422）",
         method="POST", path="/reviews/rectifications/{agent_review}/verify/", data={"finding": "true"}),
]
PUBLIC_ROUTES: dict[str, str] = {
    "reviews/t/<str:token>/": "SMS link and window kiosk: the one-time token is the credential (stored hashed, "
                              "bound to one event, expiring); staff signed in are refused",
    "reviews/re-rate/<str:token>/": "the SMS link asking a reviewer again after a rectification (R27): the one-time "
                                    "token is the credential (stored hashed, bound to one rectification, "
                                    "expiring); staff signed in are refused",
}
PUBLIC_OPERATIONS: dict[str, str] = {
    "GET /api/reviews/tags": "the five levels in words and the national reason tags (public vocabulary)",
    "GET /api/reviews/t/{token}": "the event a one-time review token names (the token is the credential)",
    "POST /api/reviews/t/{token}": "a review with a one-time token (SMS link, window kiosk; used or expired: 409)",
    "GET /api/reviews/re-rate/{token}": "the rectification a one-time re-rating token names (the token is the "
                                        "credential; used, expired or withdrawn: 409)",
    "POST /api/reviews/re-rate/{token}": "the reviewer's re-rating with the one-time SMS token (R27; once: 409 after)",
}


def objects(cast: Any) -> dict[str, Any]:
    from tongban.cases import actions as case_actions
    from tongban.catalog.models import ServiceItem
    from tongban.reviews import actions, rectification, selectors

    item = (ServiceItem.objects.filter(department_id="market", implementations__region_id="210200",
                                       current_version__isnull=False, legal_days__gt=0).order_by("code").first())
    decided = []
    for _ in range(3):
        case = case_actions.submit(cast.agent, item=item.code, region="210200", on_behalf_of=cast.enterprise.uscc)
        case_actions.accept(cast.officer_a, case)
        case_actions.deny(cast.officer_a, case, reason="矩阵：不符合条件")
        decided.append(case)
    review = actions.submit_review(cast.agent, case=decided[0].number, level=1, comment="矩阵差评")
    _, token = actions.invite(cast.officer_a, case=decided[1], kind="kiosk")
    rerated = actions.submit_review(cast.agent, case=decided[2].number, level=2, comment="矩阵再评价")
    steps = (("verify", {"finding": "true", "evidence": "矩阵"}), ("contact", {"how": "电话", "what": "矩阵"}),
             ("rectify", {"outcome": "矩阵整改"}))
    for action, body in steps:
        rectification.perform(cast.officer_a, rerated.pk, action, body,
                              selectors.visible_rectifications(cast.officer_a))
    rerate = rectification.issue_rerating_token(rerated.rectification, cast.agent.phone or "13800000000")
    return {"agent_review": review.pk, "kiosk_token": token, "unreviewed_case": decided[1].number,
            "rerate_token": rerate}
