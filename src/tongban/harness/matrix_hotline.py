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
# replying to a 催办 addressed to 市场监管局: its staff; the centre and supervisors see it but may not
# answer for the department (403); others do not see it (404)
URGING_REPLIERS = access("404", anonymous="401", window=ALLOWED, officer_a=ALLOWED, head=ALLOWED, admin=ALLOWED,
                         supervisor="403", hotline="403")
OPERATORS = access("403", anonymous="401", hotline=ALLOWED, admin=ALLOWED)
# staff who see the ticket held by 市场监管局 (its department's staff, operators, supervisors)
HOLDERS = access("404", anonymous="401", window=ALLOWED, officer_a=ALLOWED, head=ALLOWED, supervisor=ALLOWED,
                 hotline=ALLOWED, admin=ALLOWED)
TICKET_PAGE = access("403", anonymous="401", window=ALLOWED, officer_a=ALLOWED, head=ALLOWED, supervisor=ALLOWED,
                     hotline=ALLOWED, admin=ALLOWED, officer_b="404", officer_other_region="404")
# 联办 on a ticket led by 市场监管局 with 公安局 as co-department: the centre and the lead department add
# co-departments; the co-department sees it but may not add (403); supervisors see it, may not (403)
CO_TICKET = "/api/hotline/tickets/{hotline_co_ticket}"
CO_ADDERS = access("404", anonymous="401", applicants="403", editor="403", window=ALLOWED, officer_a=ALLOWED,
                   head=ALLOWED, hotline=ALLOWED, admin=ALLOWED, supervisor="403", officer_b="403")
# only the co-department (公安局) answers its part; the lead, the centre and supervisors see it (403)
CO_REPLIERS = access("404", anonymous="401", applicants="403", editor="403", officer_b=ALLOWED, admin=ALLOWED,
                     window="403", officer_a="403", head="403", hotline="403", supervisor="403")
# knowledge-base authors and reviewers: operators, content editors, administrators
KB_EDITORS = access("403", anonymous="401", editor=ALLOWED, hotline=ALLOWED, admin=ALLOWED)
# the dashboard: operators, supervisors, department heads (their department), administrators
STATS = access("403", anonymous="401", head=ALLOWED, supervisor=ALLOWED, hotline=ALLOWED, admin=ALLOWED)
CANDIDATES = access("403", anonymous="401", supervisor=ALLOWED, hotline=ALLOWED, admin=ALLOWED)
ARTICLE = {"title": "燃气费怎么交", "answer": "可在燃气公司营业厅、银行代收网点或手机银行缴纳燃气费。",
           "source_kind": "department", "source_ref": "市燃气集团答复口径"}

ROWS: list[Row] = [
    api("POST /api/hotline/tickets", FILERS, "受理工单", data={"text": "小区门口的路灯坏了", "channel": "web"}),
    api("GET /api/hotline/tickets", READERS, "工单队列"),
    api("GET /api/hotline/tickets/{number}", PUBLIC, "工单查询（编号+手机后四位；工作人员全文）",
        path=TICKET + "?phone_last4=0000"),
    api("POST /api/hotline/tickets/{number}/actions/{action}", URGERS, "督办市场监管局承办的工单",
        path=TICKET + "/actions/urge", data={"level": "催办", "reason": "群众反映强烈，请尽快办理"}),
    api("POST /api/hotline/tickets/{number}/co-departments", CO_ADDERS, "增加联办部门（中心或牵头部门）",
        path=CO_TICKET + "/co-departments", data={"department": "housing", "reason": "渣土撒漏属住建部门监管"}),
    api("POST /api/hotline/tickets/{number}/co-departments/{department}/reply", CO_REPLIERS,
        "联办部门答复本部门承办部分", path=CO_TICKET + "/co-departments/police/reply",
        data={"reply": "已责令商户停止占道经营。"}),
    api("GET /api/hotline/urgings", READERS, "督办列表（被督办部门：本部门；中心与监督人员：本辖区）"),
    api("POST /api/hotline/urgings/{urging_id}/reply", URGING_REPLIERS, "回复督办（被督办部门）",
        path="/api/hotline/urgings/{hotline_urging}/reply", data={"text": "已督促经办人两日内办结并回复来电人"}),
    api("POST /api/hotline/inbound/{channel}", access("401"), "短信/微信来信（签名错误一律401）",
        path="/api/hotline/inbound/sms", data={"text": "路灯坏了"}),
    page("open311/v2/services.json", PUBLIC, "Open311 服务列表"),
    page("open311/v2/requests.json", PUBLIC, "Open311 诉求列表（不含举报与个人信息）"),
    page("open311/v2/requests/<str:number>.json", PUBLIC, "Open311 单个诉求",
         path="/open311/v2/requests/{hotline_ticket}.json"),
    api("POST /api/hotline/tickets/{number}/attachments", HOLDERS, "上传工单附件（按内容识别类型）",
        path=TICKET + "/attachments", upload="files"),
    api("GET /api/hotline/knowledge", PUBLIC, "检索知识库", path="/api/hotline/knowledge?q=燃气"),
    api("GET /api/hotline/knowledge/{article_id}", PUBLIC, "知识库文章（编辑另见全部版本）",
        path="/api/hotline/knowledge/{hotline_article}"),
    api("POST /api/hotline/knowledge", KB_EDITORS, "新建知识库文章", data=ARTICLE),
    api("POST /api/hotline/knowledge/{article_id}/versions", KB_EDITORS, "修订知识库文章",
        path="/api/hotline/knowledge/{hotline_article}/versions", data=ARTICLE),
    api("POST /api/hotline/knowledge/{article_id}/versions/{number}/review", KB_EDITORS, "审核知识库文章版本",
        path="/api/hotline/knowledge/{hotline_article}/versions/1/review", data={"approve": True}),
    api("POST /api/hotline/knowledge/{article_id}/retire", KB_EDITORS, "停用知识库文章",
        path="/api/hotline/knowledge/{hotline_article_spare}/retire"),
    api("GET /api/hotline/stats/overview", STATS, "热线统计与热点"),
    api("GET /api/hotline/exposure", PUBLIC, "曝光纠错列表"),
    api("GET /api/hotline/exposure/candidates", CANDIDATES, "曝光候选"),
    api("POST /api/hotline/exposure", OPERATORS, "发布曝光",
        data={"number": "209901010001", "summary": "某路段井盖缺失多日未修复"}),
    api("POST /api/hotline/exposure/{exposure_id}/correct", OPERATORS, "登记整改情况",
        path="/api/hotline/exposure/{hotline_exposure}/correct", data={"text": "井盖已于次日补装完毕，恢复通行"}),
    api("POST /api/hotline/exposure/{exposure_id}/withdraw", OPERATORS, "撤下曝光",
        path="/api/hotline/exposure/{hotline_exposure}/withdraw", data={"text": "内容有误"}),
    api("POST /api/hotline/callback/{token}", access("404"), "短信回访链接评价（未知链接一律404）",
        path="/api/hotline/callback/no-such-token", data={"level": 5, "resolved": True}),
    page("hotline/track", PUBLIC, "工单查询页"),
    page("hotline/callback/<str:token>", access("404"), "短信回访页（未知链接一律404）",
         path="/hotline/callback/no-such-token"),
    page("hotline/knowledge/", PUBLIC, "知识库检索页"),
    page("hotline/knowledge/<int:pk>/", PUBLIC, "知识库文章页", path="/hotline/knowledge/{hotline_article}/"),
    page("hotline/queue/", READERS, "工单队列页"),
    page("hotline/urgings/", READERS, "督办页（待回复督办及回复期限，可回复）"),
    page("hotline/tickets/<str:number>/", TICKET_PAGE, "工单办理页", path="/hotline/tickets/{hotline_ticket}/"),
    page("hotline/stats/", STATS, "热线统计页"),
    page("hotline/exposure/", PUBLIC, "曝光纠错页"),
    page("hotline/operator/", OPERATORS, "话务受理台"),
    page("hotline/operator/suggest", OPERATORS, "话务受理台：智能建议与历史工单（htmx）",
         path="/hotline/operator/suggest?phone=13904110000"),
]
PUBLIC_ROUTES: dict[str, str] = {
    "open311/v2/services.json": "Open311 GeoReport v2 service list (public by the spec)",
    "open311/v2/requests.json": "Open311 request list without 举报 and personal data; POST needs an app's api_key",
    "open311/v2/requests/<str:number>.json": "one Open311 request, without 举报 and personal data",
    "hotline/track": "ticket tracking by number and the caller's last four phone digits (throttled)",
    "hotline/callback/<str:token>": "the SMS callback link: a one-time token of 192 bits is the credential",
    "hotline/knowledge/": "knowledge-base search: published, valid answers only",
    "hotline/knowledge/<int:pk>/": "one knowledge-base article in force",
    "hotline/exposure/": "曝光纠错: published problems, public facts only, checked for personal data (R21)",
}
PUBLIC_OPERATIONS: dict[str, str] = {
    "GET /api/hotline/tickets/{number}": "tracking by number + last four phone digits or the secret (throttled); "
                                         "staff in scope get the full ticket",
    "GET /api/hotline/knowledge": "knowledge-base search: published, valid answers only",
    "GET /api/hotline/knowledge/{article_id}": "one knowledge-base article in force (editors also see versions)",
    "GET /api/hotline/exposure": "曝光纠错: published problems, public facts only (R21-checked)",
    "POST /api/hotline/callback/{token}": "the SMS callback link: the one-time token is the credential",
}


def objects(cast: Any) -> dict[str, Any]:
    import datetime as dt

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
    from tongban.hotline.models import Article, ArticleVersion, Exposure

    articles = []
    for title in ("燃气费怎么交", "暖气费缴费时间"):
        article = Article.objects.create()
        version = ArticleVersion.objects.create(
            article=article, number=1, title=title, answer="可在营业厅、银行代收网点或手机银行缴纳。",
            source_kind="department", source_ref="市燃气集团答复口径", valid_from=now.date(), status="published")
        article.current = version
        article.save()
        articles.append(article)
    exposure = Exposure.objects.create(
        ticket=ticket, reason="overdue", department_name="市场监管局", subject_name="食品安全", region_name="大连市",
        days_open=20, summary="超市销售过期牛奶，长期未处理", published_at=now)
    from tongban.hotline.models import Urging

    urging = Urging.objects.create(target_kind="ticket", target_number=ticket.number, department=ticket.department,
                                   region=ticket.region, level="催办", reason="群众反映强烈，请尽快办理", reply_days=2,
                                   reply_due=now + dt.timedelta(days=3), created_at=now)
    from tongban.hotline.models import CoDepartment

    co_ticket = Ticket.objects.create(
        number="209901010002", channel="phone", category="投诉", subject_id="food-safety",
        text="夜市摊点占道经营，卖的熟食没有许可证", region=Region.objects.get(pk="210200"),
        caller_phone="13904110001", filed_at=now,
        deadline=deadlines.deadline_for("投诉", False, now, deadlines.current_policy()),
        policy=deadlines.current_policy(), status="dispatched", department=Department.objects.get(pk="market"),
        dispatched_at=now)
    CoDepartment.objects.create(ticket=co_ticket, department=Department.objects.get(pk="police"),
                                reason="占道经营由公安交管配合", added_at=now)
    return {"hotline_ticket": ticket.number, "hotline_co_ticket": co_ticket.number,
            "hotline_urging": urging.pk, "hotline_article": articles[0].pk,
            "hotline_article_spare": articles[1].pk, "hotline_exposure": exposure.pk}
