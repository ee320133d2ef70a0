"""Permission-matrix rows of disclosure (see tongban.harness.matrix).

ROWS: the routes of the app. PUBLIC_ROUTES / PUBLIC_OPERATIONS: the Django routes and API
operations anyone may call, with the reason (tests/test_routes.py). `objects(cast)` creates the
objects the rows' paths name (placeholders in braces), merged into the matrix test's objects."""

from __future__ import annotations

from typing import Any

from .access import ALLOWED, PUBLIC, SIGNED_IN, STAFF, Row, access, api, page

REQUEST = "/api/disclosure/requests/{citizen_a_disclosure_request}"  # citizen A's request to 市场监管局 (replied)
# the requester, staff of the handling department (window, officer, head), supervisors, administrators
REQUEST_READERS = access(
    "404",
    anonymous="401",
    citizen_a=ALLOWED,
    window=ALLOWED,
    officer_a=ALLOWED,
    head=ALLOWED,
    supervisor=ALLOWED,
    admin=ALLOWED,
)
# officer actions: officers and heads of the handling department, administrators; readers without the role 403
REQUEST_HANDLERS = access(
    "404",
    anonymous="401",
    citizen_a="403",
    window="403",
    supervisor="403",
    officer_a=ALLOWED,
    head=ALLOWED,
    admin=ALLOWED,
)

SITE_API, SITE_PAGE = "/api/disclosure/sites/gk-matrix", "/disclosure/sites/gk-matrix/"
# the matrix site's editors (city content editors, administrators); others 403 on its pages
SITE_EDITORS = access("403", anonymous="401", editor=ALLOWED, admin=ALLOWED)
# a message of the matrix site: beyond its editors' and department's reach it does not exist
MESSAGE_HANDLERS = access("404", anonymous="401", editor=ALLOWED, admin=ALLOWED)
# the matrix site's staff (its groups, none appointed; the city's content editors; administrators):
# to anyone else its page views do not exist
SITE_STAFF = access("404", anonymous="401", editor=ALLOWED, admin=ALLOWED)
# the matrix site's administrators (site_admin.py): none appointed, so platform administrators alone
SITE_ADMINS = access("404", anonymous="401", admin=ALLOWED)
# permissions.MODERATOR_ROLES: editors, officers, heads; administrators
MODERATORS = access("404", anonymous="401", officer_a=ALLOWED, officer_b=ALLOWED, officer_other_region=ALLOWED,
                    head=ALLOWED, editor=ALLOWED, admin=ALLOWED)

ROWS: list[Row] = [
    api(
        "POST /api/disclosure/privacy-check", STAFF, "发布前隐私检查（工作人员）", data={"text": "联系电话13912345678"}
    ),
    api("POST /api/disclosure/requests", SIGNED_IN, "提交政府信息公开申请（缺内容：422）", data={"content": ""}),
    api("GET /api/disclosure/requests", SIGNED_IN, "我的申请或本部门的申请"),
    api("GET /api/disclosure/requests/{number}", REQUEST_READERS, "公民甲的申请", path=REQUEST),
    api(
        "POST /api/disclosure/requests/{number}/actions/{action}",
        REQUEST_HANDLERS,
        "延长答复期限（已答复：409，申请不变）",
        path=REQUEST + "/actions/extend",
        data={"reason": "需调取档案"},
    ),
    api("GET /api/disclosure/requests/{number}/reply.pdf", REQUEST_READERS, "答复书 PDF", path=REQUEST + "/reply.pdf"),
    api("GET /api/disclosure/documents", PUBLIC, "政策文件检索"),
    api(
        "GET /api/disclosure/documents/{page_id}",
        PUBLIC,
        "政策文件详情",
        path="/api/disclosure/documents/{disclosure_document}",
    ),
    api("GET /api/disclosure/consultations", PUBLIC, "意见征集列表"),
    api(
        "GET /api/disclosure/consultations/{page_id}",
        PUBLIC,
        "意见征集详情",
        path="/api/disclosure/consultations/{disclosure_consultation}",
    ),
    api(
        "POST /api/disclosure/consultations/{page_id}/comments",
        SIGNED_IN,
        "提交意见（空意见：422）",
        path="/api/disclosure/consultations/{disclosure_consultation}/comments",
        data={"text": ""},
    ),
    api("GET /api/disclosure/annual-report", PUBLIC, "政府信息公开工作年度报告 JSON"),
    page("disclosure/annual-report/", PUBLIC, "政府信息公开工作年度报告页"),
    api("GET /api/disclosure/datasets", PUBLIC, "开放数据目录"),
    api(
        "GET /api/disclosure/datasets/{identifier}",
        PUBLIC,
        "数据集元数据与版本",
        path="/api/disclosure/datasets/{disclosure_dataset}",
    ),
    api(
        "GET /api/disclosure/datasets/{identifier}/versions/{number}/{fmt}",
        PUBLIC,
        "下载数据集（CSV）",
        path="/api/disclosure/datasets/{disclosure_dataset}/versions/1/csv",
    ),
    page("disclosure/data/", PUBLIC, "数据开放目录页"),
    page("disclosure/feeds/<slug:site>/rss.xml", PUBLIC, "站点 RSS", path="/disclosure/feeds/gk-matrix/rss.xml"),
    page("disclosure/feeds/<slug:site>/atom.xml", PUBLIC, "站点 Atom", path="/disclosure/feeds/gk-matrix/atom.xml"),
    page(
        "disclosure/feeds/<slug:site>/<slug:column>/rss.xml",
        PUBLIC,
        "栏目 RSS 订阅",
        path="/disclosure/feeds/gk-matrix/zcwj/rss.xml",
    ),
    page(
        "disclosure/feeds/<slug:site>/<slug:column>/atom.xml",
        PUBLIC,
        "栏目 Atom 订阅",
        path="/disclosure/feeds/gk-matrix/zcwj/atom.xml",
    ),
    page("disclosure/requests/", SIGNED_IN, "我的政府信息公开申请与申请表"),
    page("disclosure/requests/<str:number>/", REQUEST_READERS, "申请跟踪页",
         path="/disclosure/requests/{citizen_a_disclosure_request}/"),
    page("disclosure/requests/<str:number>/reply.pdf", REQUEST_READERS, "答复书 PDF（页面）",
         path="/disclosure/requests/{citizen_a_disclosure_request}/reply.pdf"),
    # a site's message box (留言) and health dashboard (R23): the matrix site has no department,
    # so its editors are the city's content editors (and administrators)
    api("GET /api/disclosure/sites/{site}/messages", PUBLIC, "站点公开的留言", path=SITE_API + "/messages"),
    api("POST /api/disclosure/sites/{site}/messages", SIGNED_IN, "留言（空内容：422）", path=SITE_API + "/messages",
        data={"title": "", "text": ""}),
    api("POST /api/disclosure/messages/{message_id}/actions/{action}", MESSAGE_HANDLERS, "答复留言（空答复：422）",
        path="/api/disclosure/messages/{disclosure_message}/actions/answer", data={"text": ""}),
    api("GET /api/disclosure/sites/{site}/health", SITE_EDITORS, "网站健康检查结果", path=SITE_API + "/health"),
    api("GET /api/disclosure/sites/{site}/page-views", SITE_STAFF, "本站各栏目访问量", path=SITE_API + "/page-views"),
    api("GET /api/disclosure/sites/{site}/messages/queue", SITE_EDITORS, "留言办理队列",
        path=SITE_API + "/messages/queue"),
    api("GET /api/disclosure/messages/{message_id}", MESSAGE_HANDLERS, "留言办理详情",
        path="/api/disclosure/messages/{disclosure_message}"),
    api("GET /api/disclosure/sites/{site}/staff", SITE_ADMINS, "本站人员", path=SITE_API + "/staff"),
    api("POST /api/disclosure/sites/{site}/staff", SITE_ADMINS, "任命本站人员（空账号：422）", path=SITE_API + "/staff",
        data={"username": "", "role": "editor"}),
    api("DELETE /api/disclosure/sites/{site}/staff/{role}/{username}", SITE_ADMINS, "免去本站人员（非本站人员：422）",
        path=SITE_API + "/staff/editor/nobody"),
    api("GET /api/disclosure/sites/{site}/settings", SITE_ADMINS, "本站设置", path=SITE_API + "/settings"),
    api("PATCH /api/disclosure/sites/{site}/settings", SITE_ADMINS, "修改本站设置（主办单位为空：422）",
        path=SITE_API + "/settings", data={"organiser": ""}),
    api("POST /api/disclosure/documents/{page_id}/redact-attachment", MODERATORS, "附件去标识化（无附件：422）",
        path="/api/disclosure/documents/{disclosure_document}/redact-attachment"),
    page("disclosure/sites/<slug:site>/messages/", PUBLIC, "站点留言页", path=SITE_PAGE + "messages/"),
    page("disclosure/sites/<slug:site>/messages/", SIGNED_IN, "提交留言（空内容：422）", method="POST",
         path=SITE_PAGE + "messages/", data={"title": "", "text": "", "token": "matrix"}),
    page("disclosure/sites/<slug:site>/messages/manage/", SITE_EDITORS, "留言办理（本站编辑）",
         path=SITE_PAGE + "messages/manage/"),
    page("disclosure/sites/<slug:site>/messages/<int:message_id>/<slug:action>/", MESSAGE_HANDLERS,
         "答复留言（页面，空答复不生效）", method="POST", path=SITE_PAGE + "messages/{disclosure_message}/answer/",
         data={"text": ""}),
    page("disclosure/sites/<slug:site>/health/", SITE_EDITORS, "网站健康检查看板", path=SITE_PAGE + "health/"),
    page("disclosure/sites/<slug:site>/admin/", SITE_ADMINS, "站点管理：本站人员与设置（页面）",
         path=SITE_PAGE + "admin/"),
    page("disclosure/sites/<slug:site>/admin/", SITE_ADMINS, "修改本站设置（页面，主办单位为空：422）",
         method="POST", path=SITE_PAGE + "admin/", data={"organiser": "", "contact": ""}),
    page("disclosure/sites/<slug:site>/admin/staff/<slug:action>/", SITE_ADMINS, "任免本站人员（页面，空账号：422）",
         method="POST", path=SITE_PAGE + "admin/staff/grant/", data={"username": "", "role": "editor"}),
]
PUBLIC_ROUTES: dict[str, str] = {
    "disclosure/annual-report/": "the annual report is published to everyone (R18)",
    "disclosure/data/": "the open data catalogue (PRODUCT D8)",
    "disclosure/feeds/<slug:site>/rss.xml": "RSS of a site's live public pages (proactive disclosure, R13)",
    "disclosure/feeds/<slug:site>/atom.xml": "Atom of a site's live public pages (R13)",
    "disclosure/feeds/<slug:site>/<slug:column>/rss.xml": "RSS of a column's live public pages (R13)",
    "disclosure/feeds/<slug:site>/<slug:column>/atom.xml": "Atom of a column's live public pages (R13)",
    "disclosure/sites/<slug:site>/messages/": "a site's published messages; leaving one needs a sign-in",
}
PUBLIC_OPERATIONS: dict[str, str] = {
    "GET /api/disclosure/datasets": "the open data catalogue (PRODUCT D8)",
    "GET /api/disclosure/datasets/{identifier}": "an open dataset's metadata and versions",
    "GET /api/disclosure/datasets/{identifier}/versions/{number}/{fmt}": "an open dataset's download",
    "GET /api/disclosure/documents": "policy documents are proactively disclosed (R13)",
    "GET /api/disclosure/documents/{page_id}": "a published policy document",
    "GET /api/disclosure/consultations": "consultations are public (R20)",
    "GET /api/disclosure/consultations/{page_id}": "a consultation with its approved comments and feedback (R20)",
    "GET /api/disclosure/annual-report": "the annual report is published to everyone (R18)",
    "GET /api/disclosure/sites/{site}/messages": "a site's published messages and answers, personal data masked (R4)",
}


def objects(cast: Any) -> dict[str, Any]:
    import datetime as dt

    from django.utils import timezone
    from wagtail.models import Page

    from tongban.disclosure import page_actions
    from tongban.disclosure.models import ColumnPage, ConsultationPage, DisclosureRequest, PolicyDocumentPage
    from tongban.identity.models import Department

    market = Department.objects.get(pk="market")
    today = timezone.localdate()
    req = DisclosureRequest.objects.create(
        number="GKSQ-2026-MATRIX",
        requester=cast.citizen,
        requester_type="natural_person",
        requester_name="张晓明",
        content="请公开2025年食品抽检结果",
        delivery="online",
        department=market,
        region=market.region,
        submitted_at=timezone.now(),
        received_on=today,
        state="replied",
        reply_type="disclosed",
        replied_on=today,
        reply_text="予以公开",
        reply_pdf=b"%PDF-1.4\n%matrix\n",
    )
    home = Page.objects.filter(depth=2).order_by("path").first()
    site = page_actions.create_site(home, title="矩阵测试站点", slug="gk-matrix")
    doc = page_actions.add_page(
        ColumnPage.objects.child_of(site).get(slug="zcwj"),
        PolicyDocumentPage(
            title="关于优化营商环境的通知", slug="doc-matrix", document_number="大政发〔2019〕12号", body="<p>正文</p>"
        ),
    )
    consultation = page_actions.add_page(
        ColumnPage.objects.child_of(site).get(slug="yjzj"),
        ConsultationPage(
            title="征求意见",
            slug="consult-matrix",
            draft="<p>草案</p>",
            opens_on=today - dt.timedelta(days=1),
            closes_on=today + dt.timedelta(days=20),
        ),
    )
    from tongban.disclosure import opendata
    from tongban.disclosure.models import SiteMessage

    opendata.refresh("disclosure-catalogue")
    message = SiteMessage.objects.create(site=site, author=cast.citizen, author_display="张**", form_token="matrix",
                                         title="路灯不亮", text="西岗区八一路的路灯坏了一排，晚上很黑")
    return {
        "disclosure_message": message.pk,
        "disclosure_dataset": "disclosure-catalogue",
        "citizen_a_disclosure_request": req.number,
        "disclosure_document": doc.pk,
        "disclosure_consultation": consultation.pk,
    }
