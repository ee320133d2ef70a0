"""The permission matrix (issue 10, item 2): who may call what, as one declarative table.

Each row names a route — an API operation as `"METHOD /api/path"` (OpenAPI's spelling) or a
Django URL pattern as the URLconf spells it (`"accounts/me/"`, the key `tests/test_routes.py`
uses too) — and what each persona of `tongban.harness.personas` gets:

* ``ALLOWED``  the caller passes the permission check (any answer but 401/403/404/5xx; for a
  page: not sent to a sign-in page);
* ``"401"``    not authenticated (API: 401; page: a redirect to a sign-in page);
* ``"403"``    authenticated but not allowed (a signed-in caller sent to a sign-in page counts
  as 403 too — that is how the admin sites refuse);
* ``"404"``    the object is outside the caller's reach (never a hint that it exists).

`tests/harness/test_matrix.py` sends every row's request as every persona (API: a personal
token; pages: a session, staff with the second factor done) and fails on any difference, and on
any URL pattern or operation without a row. `./tongban manage permissions_doc` renders the table
to `docs/permissions.md`.

Adding a route: add one line to its app's group below, usually with one of the access
patterns (PUBLIC, SIGNED_IN, STAFF, CATALOG_EDITORS, ADMIN); `path` gives a real request path
where the example path would not reach the view (placeholders in braces are filled by the test
with objects it creates: see `tests/harness/test_matrix.py::objects`).
"""

from __future__ import annotations

from . import (
    matrix_disclosure,
    matrix_exchange,
    matrix_hotline,
    matrix_licences,
    matrix_oversight,
    matrix_reviews,
)
from .access import (  # noqa: F401 — the table's vocabulary, re-exported for the tests
    ADMIN,
    ALLOWED,
    APPLICANTS,
    CATALOG_EDITORS,
    LEGAL_REPRESENTATIVE,
    NAMES,
    NOT_FOUND,
    OUTCOMES,
    OWN_MESSAGE,
    PUBLIC,
    SIGNED_IN,
    STAFF,
    STAFF_NAMES,
    Row,
    access,
    api,
    page,
)
from .personas import PERSONAS

CORE = [
    api("GET /api/calendar/add", PUBLIC, "第 N 个工作日", path="/api/calendar/add?start=2026-03-02&days=3"),
    api("GET /api/calendar/between", PUBLIC, "两日期间工作日数",
        path="/api/calendar/between?start=2026-03-02&end=2026-03-20"),
    page("healthz", PUBLIC, "健康检查"),
]

IDENTITY = [
    api("GET /api/regions", PUBLIC, "行政区划树"),
    api("GET /api/departments", PUBLIC, "部门列表"),
    api("GET /api/me", SIGNED_IN, "当前用户"),
    api("POST /api/accounts/register", PUBLIC, "自然人注册"),
    api("POST /api/me/enterprises", SIGNED_IN, "申请代表企业办事"),
    api("GET /api/me/enterprises", SIGNED_IN, "我可代表的企业"),
    api("GET /api/me/tokens", SIGNED_IN, "我的 API 令牌"),
    api("POST /api/me/tokens", SIGNED_IN, "创建 API 令牌"),
    api("DELETE /api/me/tokens/{token_id}", access("404", anonymous="401", citizen_a=ALLOWED, admin=ALLOWED),
        "吊销公民甲的令牌（本人或管理员）", path="/api/me/tokens/{citizen_a_token}"),
    api("GET /api/staff", STAFF, "可见的工作人员"),
    api("GET /api/me/messages", SIGNED_IN, "消息中心：我的消息"),
    api("POST /api/me/messages/{message_id}/read", OWN_MESSAGE, "标记公民甲的消息为已读（仅本人）",
        path="/api/me/messages/{citizen_a_message}/read"),
    api("GET /api/me/messages/{message_id}/attachment", OWN_MESSAGE, "下载公民甲的通知书（仅本人）",
        path="/api/me/messages/{citizen_a_message}/attachment"),
    api("GET /api/enterprises/{uscc}/memberships", SIGNED_IN, "本企业经办人授权（非法定代表人得到空列表）",
        path="/api/enterprises/{enterprise}/memberships"),
    api("POST /api/enterprises/{uscc}/memberships/{membership_id}/{decision}", LEGAL_REPRESENTATIVE,
        "确认经办人授权（法定代表人或管理员）",
        path="/api/enterprises/{enterprise}/memberships/{pending_membership}/approve"),
    api("POST /api/auth/sms/send", PUBLIC, "发送短信登录验证码"),
    api("POST /api/auth/sms/login", PUBLIC, "短信验证码登录"),
    page("accounts/login/", PUBLIC, "密码登录"),
    page("accounts/login/sms/", PUBLIC, "短信登录"),
    page("accounts/login/sms/send/", PUBLIC, "发送短信验证码（页面）", method="POST"),
    page("accounts/logout/", SIGNED_IN, "退出登录", method="POST"),
    page("accounts/register/", PUBLIC, "注册"),
    page("accounts/otp/", SIGNED_IN, "工作人员动态口令"),
    page("accounts/me/", SIGNED_IN, "我的账户"),
    page("accounts/me/acting/", SIGNED_IN, "切换办事身份", method="POST"),
    page("accounts/me/tokens/", SIGNED_IN, "令牌管理页", method="POST"),
    page("accounts/me/tokens/<int:token_id>/revoke/", SIGNED_IN, "吊销令牌（页面；他人令牌只得到提示）",
         method="POST"),
    page("accounts/me/messages/", SIGNED_IN, "消息中心页"),
    page("accounts/me/messages/<int:message_id>/read/", OWN_MESSAGE, "标记已读（页面，仅本人）", method="POST",
         path="/accounts/me/messages/{citizen_a_message}/read/"),
    page("accounts/me/messages/<int:message_id>/attachment/", OWN_MESSAGE, "下载附件（页面，仅本人）",
         path="/accounts/me/messages/{citizen_a_message}/attachment/"),
    page("accounts/me/agents/<int:membership_id>/<str:decision>/", SIGNED_IN,
         "处理经办人授权（页面；无权者只得到提示）", method="POST",
         path="/accounts/me/agents/{pending_membership}/refuse/"),
    page("staff/", STAFF, "工作台"),
    # OpenID Connect provider: the client or the bearer token authenticates inside the request.
    page(".well-known/openid-configuration", PUBLIC, "OIDC 发现"),
    page("oauth/\\.well-known/openid-configuration/?$", PUBLIC, "OIDC 发现（DOT 副本）"),
    page("oauth/.well-known/jwks.json", PUBLIC, "OIDC 签名公钥"),
    page("oauth/authorize/", SIGNED_IN, "OIDC 授权（须登录）"),
    page("oauth/token/", PUBLIC, "令牌端点（客户端自证）", method="POST"),
    page("oauth/revoke_token/", PUBLIC, "令牌吊销端点（客户端自证）", method="POST"),
    page("oauth/introspect/", access("403"), "令牌内省（仅资源服务器）", method="POST"),
    page("oauth/userinfo/", access("401"), "用户信息（须 OIDC 访问令牌）"),
]

ITEM, BUNDLE = "/api/catalog/items/{item}", "/api/catalog/bundles/{bundle}"  # a real item of 市场监管局, a bundle
CATALOG = [
    api("GET /api/catalog/search", PUBLIC, "检索事项", path="/api/catalog/search?q=营业执照"),
    api("GET /api/catalog/suggest", PUBLIC, "输入提示", path="/api/catalog/suggest?q=营业"),
    api("GET /api/catalog/items", PUBLIC, "事项浏览"),
    api("GET /api/catalog/items/{code}", PUBLIC, "办事指南", path=ITEM),
    api("POST /api/catalog/items/{code}/materials", PUBLIC, "情形引导材料清单", path=ITEM + "/materials",
        data={"answers": {}}),
    api("GET /api/catalog/items/{code}/versions", PUBLIC, "事项版本", path=ITEM + "/versions"),
    api("POST /api/catalog/items/{code}/versions",
        {**CATALOG_EDITORS, "officer_b": "404", "officer_other_region": "404"},
        "发布市场监管局事项的新版本", path=ITEM + "/versions",
        data={"changes": {}, "effective_date": "2099-01-01", "summary": "矩阵", "base_version": 0}),
    api("GET /api/catalog/items/{code}/versions/{number}", PUBLIC, "某一版本", path=ITEM + "/versions/1"),
    api("GET /api/catalog/items/{code}/diff", PUBLIC, "版本比较", path=ITEM + "/diff?a=1&b=1"),
    api("GET /api/catalog/changes", PUBLIC, "变更公告"),
    api("GET /api/catalog/bundles", PUBLIC, "一件事列表"),
    api("GET /api/catalog/bundles/{code}", PUBLIC, "一件事指南", path=BUNDLE),
    api("POST /api/catalog/bundles/{code}/materials", PUBLIC, "一件事材料清单", path=BUNDLE + "/materials",
        data={"answers": {}}),
    api("GET /api/catalog/implementations", SIGNED_IN, "我可维护的实施清单（他人得到空列表）"),
    api("PATCH /api/catalog/implementations/{impl_id}",
        access("404", anonymous="401", officer_a=ALLOWED, head=ALLOWED, editor=ALLOWED, admin=ALLOWED),
        "修改市场监管局市级实施清单", path="/api/catalog/implementations/{market_impl}"),
    api("GET /api/catalog/export.xlsx", CATALOG_EDITORS, "导出事项库 Excel",
        path="/api/catalog/export.xlsx?department=no-such-department"),  # an empty workbook: fast
    api("POST /api/catalog/import", CATALOG_EDITORS, "导入事项库 Excel", upload="file"),
    api("GET /api/catalog/export.jsonld", PUBLIC, "关联开放数据"),
    page("services/forms/<str:name>", PUBLIC, "示范文本与空白表格下载",
         path="/services/forms/SCJG-XK-008-M01-blank.xlsx"),
    page("staff/catalog/search-misses/", access("403", anonymous="401", editor=ALLOWED, admin=ALLOWED),
         "无结果检索（内容编辑）"),
    page("staff/catalog/search-misses/<int:miss_id>/resolve/",
         access("403", anonymous="401", editor="404", admin="404"), "处理无结果检索（不存在的查询）",
         method="POST", path="/staff/catalog/search-misses/999999/resolve/"),
    page("services/", PUBLIC, "事项目录"),
    page("services/search", PUBLIC, "检索页", path="/services/search?q=营业执照"),
    page("services/suggest", PUBLIC, "输入提示片段", path="/services/suggest?q=营业"),
    page("services/browse", PUBLIC, "事项浏览页"),
    page("services/region", PUBLIC, "选择区划（Cookie）", method="POST"),
    page("services/bundles/", PUBLIC, "一件事列表页"),
    page("services/changes/", PUBLIC, "变更公告（全市）"),
    page("services/bundles/<str:code>/", PUBLIC, "一件事指南页", path="/services/bundles/{bundle}/"),
    page("services/bundles/<str:code>/situation", PUBLIC, "一件事情形引导",
         path="/services/bundles/{bundle}/situation"),
    page("services/<str:code>/", PUBLIC, "办事指南页", path="/services/{item}/"),
    page("services/<str:code>/situation", PUBLIC, "情形引导", path="/services/{item}/situation"),
    page("services/<str:code>/versions/", PUBLIC, "版本列表页", path="/services/{item}/versions/"),
    page("services/<str:code>/versions/<int:number>/", PUBLIC, "版本页", path="/services/{item}/versions/1/"),
    page("services/<str:code>/diff", PUBLIC, "版本比较页", path="/services/{item}/diff?a=1&b=1"),
]

CASE = "/api/cases/{enterprise_case}"  # a case the agent filed for the enterprise with 市场监管局 (city)
# who reaches it: the applicant, and staff of the handling department and region
# (window, officer, head), supervisors and administrators; everyone else is told it does not exist
CASE_READERS = access("404", anonymous="401", agent=ALLOWED, window=ALLOWED, officer_a=ALLOWED, head=ALLOWED,
                      supervisor=ALLOWED, admin=ALLOWED)
CASE_PAGE = "/cases/{enterprise_case}/"
# the cases' pages reach exactly whom the API reaches; the staff pages turn applicants away (403), acting
# needs staff of the department (others who see the case: 403), withdrawing the applicant
CASE_STAFF_READERS = {**CASE_READERS, **dict.fromkeys(APPLICANTS, "403")}
CASE_HANDLERS = {p: "403" if seen == ALLOWED and p not in ("window", "officer_a", "head") else seen
                 for p, seen in CASE_STAFF_READERS.items()}  # reject is a 受理-stage action: the window's too
CASE_WITHDRAWERS = {p: "403" if seen == ALLOWED and p != "agent" else seen for p, seen in CASE_READERS.items()}
CASES = [
    api("POST /api/cases", SIGNED_IN, "提交申请（缺少事项：422）"),
    api("GET /api/cases", SIGNED_IN, "我的办件或本部门待办"),
    api("GET /api/cases/{number}", CASE_READERS, "企业的办件", path=CASE),
    api("POST /api/cases/{number}/actions/{action}", access("404", anonymous="401", agent="403", window=ALLOWED,
                                                           officer_a=ALLOWED, head=ALLOWED, supervisor="403",
                                                           admin="403"),
        "受理企业的办件（本部门工作人员）", path=CASE + "/actions/accept"),
    api("GET /api/cases/{number}/notices/{kind}.pdf", CASE_READERS, "办件文书 PDF", path=CASE + "/notices/receipt.pdf"),
    # materials, pre-check and the one form (issue 5 items 2-4): uploading is for whom the applicant speaks
    # through (others who see the case: 403); the matrix's case has no file yet, so a reader's download is 404
    api("POST /api/cases/{number}/materials/{position}/file",
        {p: "403" if seen == ALLOWED and p != "agent" else seen for p, seen in CASE_READERS.items()},
        "上传企业办件的材料文件（申请人一方；非 PDF/图片/OFD：422）", path=CASE + "/materials/1/file", upload="file"),
    api("GET /api/cases/{number}/materials/{position}/file", access("404", anonymous="401"),
        "下载材料文件（能查看办件者；尚未上传：404）", path=CASE + "/materials/1/file"),
    api("POST /api/cases/eligibility", SIGNED_IN, "资格预检（受理条件规则）",
        data={"item": "SCJG-XK-001", "region": "210200"}),
    api("GET /api/cases/form-schema", SIGNED_IN, "一表申请的 JSON Schema 与预填值",
        path="/api/cases/form-schema?bundle={bundle}"),
    # drafts of the one form (issue 5 item 2): each caller's own; a code without a draft is 404
    api("GET /api/cases/drafts", SIGNED_IN, "我的申请草稿"),
    api("PUT /api/cases/drafts/{code}", SIGNED_IN, "保存申请草稿", path="/api/cases/drafts/{item}",
        data={"form": {}}),
    api("DELETE /api/cases/drafts/{code}", access("404", anonymous="401"), "放弃申请草稿（没有草稿：404）",
        path="/api/cases/drafts/NO-DRAFT"),
    # the cases' pages (issue 5): the applicant's, and the officers' under /staff/ (TOTP)
    page("cases/", SIGNED_IN, "我的办件（工作人员转到办件待办）"),
    page("cases/apply/<str:code>/", SIGNED_IN, "在线申请（一表申请、资格预检、材料清单）", path="/cases/apply/{item}/"),
    page("cases/apply/<str:code>/draft/", SIGNED_IN, "自动保存草稿（htmx）", method="POST",
         path="/cases/apply/{item}/draft/"),
    page("cases/<str:number>/", CASE_READERS, "办件跟踪页", path=CASE_PAGE),
    page("cases/<str:number>/withdraw/", CASE_WITHDRAWERS,
         "撤回申请（仅申请人；理由过长：422，办件不变）", method="POST", path=CASE_PAGE + "withdraw/",
         data={"reason": "长" * 2001}),
    page("cases/<str:number>/correction/", CASE_WITHDRAWERS,
         "提交补正材料（页面，仅申请人一方；未在补正中：409，办件不变）", method="POST",
         path=CASE_PAGE + "correction/"),
    page("cases/<str:number>/receipt/", CASE_READERS, "申请回执（可打印）", path=CASE_PAGE + "receipt/"),
    page("cases/<str:number>/materials/<int:position>/upload/", CASE_WITHDRAWERS,
         "上传材料文件（页面，仅申请人一方；未选文件：422，办件不变）", method="POST",
         path=CASE_PAGE + "materials/1/upload/"),
    page("cases/<str:number>/notices/<str:kind>.pdf", CASE_READERS, "办件文书 PDF",
         path=CASE_PAGE + "notices/receipt.pdf"),
    page("staff/cases/", STAFF, "办件待办（本部门本区划）"),
    # window filing for a walk-in (帮办代办): window staff only; other staff and applicants 403
    page("staff/cases/new/", {**access("403", anonymous="401"), "window": ALLOWED}, "窗口收件登记（仅窗口工作人员）"),
    page("staff/cases/<str:number>/", CASE_STAFF_READERS, "审批办件页", path="/staff/cases/{enterprise_case}/"),
    page("staff/cases/<str:number>/<str:action>/", CASE_HANDLERS, "办理操作（不予受理，缺理由：422，办件不变）",
         method="POST", path="/staff/cases/{enterprise_case}/reject/", data={"reason": ""}),
]

PORTAL = [
    page("", PUBLIC, "门户首页"),
    page("^((?:[\\w\\-]+/)*)$", NOT_FOUND, "门户页面（Wagtail；不存在的页面）", path="/no-such-page/"),
    page("accessibility/elder/", PUBLIC, "长者模式开关", method="POST"),
    page("documents/(\\d+)/(.*)$", access("404", anonymous="401"), "CMS 文档（不存在的文档）"),
    page("documents/authenticate_with_password/<int:restriction_id>/", access("404", anonymous="401"),
         "CMS 文档密码（不存在的限制）"),
    page("_util/login/", access("403", anonymous="401"), "页面访问限制的登录（一律转至平台登录页）"),
    page("_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/", NOT_FOUND,
         "页面访问密码（不存在的限制）", method="POST", path="/_util/authenticate_with_password/999999/999999/"),
    page("cms/login/", PUBLIC, "CMS 登录"),
    page("cms/", ADMIN, "CMS 管理后台（全部页面）", prefix=True, path="/cms/pages/"),
    page("django-admin/login/", PUBLIC, "系统管理登录"),
    page("django-admin/", ADMIN, "系统管理后台（全部页面）", prefix=True, path="/django-admin/identity/user/"),
]

API_INFRASTRUCTURE = [
    page("api/openapi.json", PUBLIC, "OpenAPI 描述"),
    page("api/docs", PUBLIC, "OpenAPI 文档页"),
    page("api/", NOT_FOUND, "API 根（404）"),
    page("^api/", NOT_FOUND, "未知 API 路径（JSON 404）"),
]

# the later apps keep their rows, public routes and objects in matrix_<app>.py
APP_MODULES = {
    "licences 电子证照": matrix_licences,
    "exchange 数据共享": matrix_exchange,
    "disclosure 政务公开": matrix_disclosure,
    "hotline 12345热线": matrix_hotline,
    "reviews 好差评": matrix_reviews,
    "oversight 效能监察": matrix_oversight,
}
GROUPS: dict[str, list[Row]] = {
    "core 基础": CORE,
    "identity 身份": IDENTITY,
    "catalog 事项库": CATALOG,
    "cases 办件": CASES,
    **{group: module.ROWS for group, module in APP_MODULES.items()},
    "portal 门户与管理后台": PORTAL,
    "api 接口基础设施": API_INFRASTRUCTURE,
}
ROWS: list[Row] = [row for rows in GROUPS.values() for row in rows]


def row_for(route: str) -> Row | None:
    """The row that covers a route key: its own, else the longest prefix row."""
    exact = [r for r in ROWS if r.route == route]
    if exact:
        return exact[0]
    prefixes = [r for r in ROWS if r.prefix and route.startswith(r.route)]
    return max(prefixes, key=lambda r: len(r.route), default=None)


def render_markdown() -> str:
    """docs/permissions.md: the table, one section per app."""
    symbol = {ALLOWED: "✓", "401": "401", "403": "403", "404": "404"}
    lines = [
        "# 权限矩阵（谁可以做什么）",
        "",
        "由 `src/tongban/harness/matrix.py` 生成（`./tongban manage permissions_doc`），请勿手改；",
        "`tests/harness/test_matrix.py` 以每个角色真实请求每一行并与此表比对。",
        "",
        "✓ 允许；401 未登录（页面为跳转登录）；403 已登录但无权；404 对象不在其可见范围（不暴露其存在）。",
        "",
        "角色：" + "；".join(f"{p.short} = {p.label}" for p in PERSONAS) + "。",
        "",
    ]
    header = "| 路由 | 说明 | " + " | ".join(p.short for p in PERSONAS) + " |"
    rule = "| --- | --- | " + " | ".join("---" for _ in PERSONAS) + " |"
    for group, rows in GROUPS.items():
        lines += [f"## {group}", "", header, rule]
        for r in rows:
            name = r.route if r.is_api else f"{r.method} /{r.route}" + ("…" if r.prefix else "")
            name = name.replace("|", "\\|")
            cells = " | ".join(symbol[r.access[p.name]] for p in PERSONAS)
            lines.append(f"| `{name}` | {r.what} | {cells} |")
        lines.append("")
    return "\n".join(lines)
