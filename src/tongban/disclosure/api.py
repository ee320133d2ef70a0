"""The disclosure API (INTERFACES.md "Disclosure"; mounted at /api/ by tongban.api). No
`from __future__ import annotations` here: django-ninja reads the annotations at import time."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from tongban.core import privacy
from tongban.core.errors import FieldError, NotFound
from tongban.core.idempotency import idempotent
from tongban.core.pagination import paginate

from . import actions, annual, page_actions, permissions, search, selectors

router = Router(tags=["政务公开"])
MAX_CHECK = 200_000


class PrivacyIn(Schema):
    text: str = Field(..., description="待发布的文本", max_length=MAX_CHECK)


class RequestIn(Schema):
    content: str = Field(..., description="所需政府信息的名称、文号或特征描述", max_length=4000)
    requester_type: str = Field(
        ..., description="natural_person|commercial|research|social_welfare|legal_services|other"
    )
    delivery: str = Field(..., description="online|post|pickup")
    purpose: str = Field("", description="用途（可选）", max_length=500)
    department: str | None = Field(None, description="受理机关（部门标识），默认市营商环境建设局", max_length=40)
    id_number: str | None = Field(None, description="自然人：公民身份号码（默认取账号实名信息）", max_length=18)
    uscc: str | None = Field(None, description="法人或其他组织：统一社会信用代码（默认取所代表的企业）", max_length=18)
    name: str | None = Field(None, description="申请人名称（默认取账号或企业名称）", max_length=120)
    pages: int = Field(0, description="预计页数（R19）", ge=0, le=1_000_000)


class ActionIn(Schema):
    reason: str | None = Field(None, description="理由（request-correction、extend 必填）", max_length=4000)
    days: int | None = Field(None, description="期限（工作日）：补正期限、第三方答复期限、延长天数", ge=0, le=100)
    content: str | None = Field(None, description="submit-correction：补正内容", max_length=4000)
    third_party: str | None = Field(None, description="consult-third-party：第三方名称", max_length=200)
    amount: str | None = Field(None, description="fee-notice：信息处理费金额（元）", max_length=20)
    pages: int | None = Field(None, description="fee-notice：页数", ge=0, le=1_000_000)
    reply_type: str | None = Field(None, description="reply：答复类型（R17）", max_length=30)
    reason_category: str | None = Field(
        None, description="reply：不予公开、无法提供、不予处理的理由类别", max_length=30
    )
    text: str | None = Field(None, description="reply：答复内容", max_length=8000)


class CommentIn(Schema):
    text: str = Field(..., description="意见内容", max_length=2000)
    enterprise: str | None = Field(None, description="以所代表企业的名义（统一社会信用代码）", max_length=18)


def _staff_only(request: HttpRequest) -> None:
    if not permissions.may_check_privacy(request.auth):
        raise PermissionDenied("仅限工作人员")


@router.post(
    "/disclosure/privacy-check", summary="发布前隐私检查（R21）：身份证号、电话、银行卡、住址、敏感语境中的姓名"
)
def privacy_check(request: HttpRequest, payload: PrivacyIn) -> dict:
    _staff_only(request)
    findings = privacy.scan(payload.text)
    return {
        "findings": [f.as_dict() for f in findings],
        "redacted": privacy.redact(payload.text, findings),
        "legal_ground": privacy.LEGAL_GROUND,
    }


@router.post("/disclosure/requests", response={201: dict[str, Any]}, summary="提交政府信息公开申请（R14）")
@idempotent
def file_request(request: HttpRequest, payload: RequestIn):
    req = actions.submit(request.auth, **payload.dict())
    return 201, selectors.request_detail(request.auth, req, record=False)


@router.get("/disclosure/requests", summary="我的申请（申请人）或本部门的申请（承办人员）")
def list_requests(request: HttpRequest, state: str = "", page: int = 1, page_size: int = 20) -> dict:
    return paginate(selectors.requests_for(request.auth, state=state), page, page_size, selectors.request_row)


@router.get("/disclosure/requests/{number}", summary="申请详情与办理进度")
def get_request(request: HttpRequest, number: str) -> dict:
    return selectors.request_detail(request.auth, selectors.get_request(request.auth, number))


@router.post(
    "/disclosure/requests/{number}/actions/{action}",
    summary="办理操作：request-correction、consult-third-party、third-party-replied、extend、fee-notice、fee-paid、"
    "reply、archive（承办人员）；submit-correction、withdraw（申请人）",
)
def act(request: HttpRequest, number: str, action: str, payload: ActionIn | None = None) -> dict:
    selectors.get_request(request.auth, number)  # 404 outside the caller's reach
    body = payload.dict(exclude_none=True) if payload is not None else {}
    req = actions.perform(request.auth, number, action, body)
    return selectors.request_detail(request.auth, req, record=False)


PDF_RESPONSE = {
    200: {
        "description": "答复书 PDF",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.get("/disclosure/requests/{number}/reply.pdf", summary="下载答复书", openapi_extra={"responses": PDF_RESPONSE})
def reply_pdf(request: HttpRequest, number: str) -> HttpResponse:
    req = selectors.get_request(request.auth, number)
    if not req.reply_pdf:
        raise NotFound("尚未答复")
    response = HttpResponse(bytes(req.reply_pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="reply-{req.number}.pdf"'
    return response


@router.get("/disclosure/documents", auth=None, summary="政策文件检索：文号、发布机关、年份、主题、有效性、全文")
def list_documents(
    request: HttpRequest,
    site: str = "",
    q: str = "",
    document_number: str = "",
    issuer: str = "",
    year: int | None = None,
    topic: str = "",
    validity: str = "",
    page: int = 1,
    page_size: int = 20,
) -> dict:
    if year is not None and not 1949 <= year <= 2100:
        raise FieldError("year", "年份应在1949到2100之间")
    filters = {"site": site[:60], "document_number": document_number[:50], "issuer": issuer[:100], "year": year,
               "topic": topic[:50], "validity": validity[:10]}
    rows = selectors.documents(q=q[:100], **filters)
    def row(document):
        return selectors.document_row(document, request)

    if not q.strip():
        return paginate(rows, page, page_size, row)
    # a full-text query counts its matches up to SEARCH_COUNT_LIMIT: counting every one of tens
    # of thousands of matches costs more than finding the page shown (the newest first, by index)
    paginate([], page, page_size)  # the same checks of page and page_size
    start = (page - 1) * page_size
    need = max(start + page_size, SEARCH_COUNT_LIMIT + 1)
    newest = search.newest_matches(selectors.documents(**filters), search.query_tokens(q[:100]), need)
    if newest is not None:  # words written together: found among the newest documents (search.newest_matches)
        counted = len(newest)
        shown = {d.pk: d for d in rows.filter(pk__in=newest[start : start + page_size])}
        items = [shown[pk] for pk in newest[start : start + page_size] if pk in shown]
    else:
        counted = rows[: SEARCH_COUNT_LIMIT + 1].count()
        items = list(rows[start : start + page_size])
    return {
        "count": min(counted, SEARCH_COUNT_LIMIT),
        "count_exact": counted <= SEARCH_COUNT_LIMIT,
        "page": page,
        "page_size": page_size,
        "items": [row(r) for r in items],
    }


SEARCH_COUNT_LIMIT = 200


@router.post(
    "/disclosure/documents/{page_id}/redact-attachment",
    summary="附件去标识化（R21）：含个人信息的PDF页面重新生成为不含文字层的图像，附处理说明页（编辑、审批人员）",
)
def redact_document_attachment(request: HttpRequest, page_id: int) -> dict:
    from wagtail.models import Page

    page = Page.objects.filter(pk=page_id).first()
    if page is None or not permissions.may_moderate(request.auth):
        raise NotFound("未找到该文件")
    return page_actions.redact_attachment(request.auth, page)


@router.get("/disclosure/documents/{page_id}", auth=None, summary="政策文件详情")
def get_document(request: HttpRequest, page_id: int) -> dict:
    return selectors.document_detail(page_id)


@router.get("/disclosure/consultations", auth=None, summary="意见征集（state=open|closed）")
def list_consultations(request: HttpRequest, state: str = "", page: int = 1, page_size: int = 20) -> dict:
    return paginate(selectors.consultations(state), page, page_size, selectors.consultation_row)


@router.get(
    "/disclosure/consultations/{page_id}", auth=None, summary="意见征集详情：征求意见稿、起草说明、意见与答复、反馈"
)
def get_consultation(request: HttpRequest, page_id: int) -> dict:
    return selectors.consultation_detail(selectors.get_consultation(page_id))


@router.post(
    "/disclosure/consultations/{page_id}/comments",
    response={201: dict[str, Any]},
    summary="提交意见（登录后；审核后展示；已截止 409）",
)
@idempotent
def post_comment(request: HttpRequest, page_id: int, payload: CommentIn):
    consultation = selectors.get_consultation(page_id)
    row = page_actions.comment(request.auth, consultation, payload.text, enterprise_uscc=payload.enterprise)
    return 201, {"id": row.pk, "status": row.status, "consultation": consultation.pk}


@router.get("/disclosure/annual-report", auth=None, summary="政府信息公开工作年度报告（国办公开办函〔2021〕30号模板）")
def annual_report(request: HttpRequest, year: int | None = None, site: str = "") -> dict:
    this_year = timezone.localdate().year
    year = year or this_year - 1
    if not 2008 <= year <= this_year:
        raise FieldError("year", f"年份应在2008到{this_year}之间")
    return annual.report(year, site[:60])


# --- open data -------------------------------------------------------------------------------------


@router.get("/disclosure/datasets", auth=None, summary="开放数据目录（DCAT 风格元数据）")
def list_datasets(request: HttpRequest, page: int = 1, page_size: int = 20) -> dict:
    result = paginate(selectors.datasets().filter(latest__isnull=False), page, page_size, selectors.dataset_row)
    result["@context"] = {"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/"}
    return result


@router.get("/disclosure/datasets/{identifier}", auth=None, summary="数据集元数据与全部版本")
def get_dataset(request: HttpRequest, identifier: str) -> dict:
    return selectors.dataset_detail(selectors.get_dataset(identifier))


DATA_RESPONSE = {
    200: {
        "description": "数据集某一版本：CSV（UTF-8，带 BOM）或 JSON",
        "content": {"text/csv": {"schema": {"type": "string"}}, "application/json": {"schema": {"type": "object"}}},
    }
}


@router.get(
    "/disclosure/datasets/{identifier}/versions/{number}/{fmt}",
    auth=None,
    summary="下载数据集某一版本（fmt：csv 或 json）",
    openapi_extra={"responses": DATA_RESPONSE},
)
def download_dataset(request: HttpRequest, identifier: str, number: int, fmt: str) -> HttpResponse:
    from . import opendata

    if fmt not in ("csv", "json"):
        raise FieldError("fmt", "格式应为 csv 或 json")
    dataset = selectors.get_dataset(identifier)
    version = selectors.dataset_version(dataset, number)
    name = f"{dataset.identifier}-v{version.number}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(opendata.as_csv(dataset, version), content_type="text/csv; charset=utf-8")
    else:
        import json

        body = json.dumps(opendata.as_json(dataset, version), ensure_ascii=False)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- a site's message box and health (R23) ---------------------------------------------------------


class MessageIn(Schema):
    title: str = Field(..., description="标题（不超过60字）", max_length=1000)
    text: str = Field(..., description="留言内容（10至2000字，HTML 标记会被清除）", max_length=20000)
    form_token: str | None = Field(
        None, description="一次性表单令牌：同一令牌重复提交只生成一条留言（缺省取 Idempotency-Key）", max_length=64
    )


class MessageActionIn(Schema):
    reason: str | None = Field(None, description="hide：不予公开的理由", max_length=1000)
    text: str | None = Field(None, description="answer：答复内容", max_length=20000)


@router.get("/disclosure/sites/{site}/messages", auth=None, summary="站点公开的留言与答复（个人信息已隐去）")
def list_site_messages(request: HttpRequest, site: str, page: int = 1, page_size: int = 20) -> dict:
    from . import message_selectors

    rows = message_selectors.public_messages(message_selectors.site_by_slug(site))
    return paginate(rows, page, page_size, message_selectors.public_row)


@router.post(
    "/disclosure/sites/{site}/messages",
    response={201: dict[str, Any]},
    summary="在站点留言（登录后；审核后公开；过于频繁 429）",
)
def post_site_message(request: HttpRequest, site: str, payload: MessageIn):
    import json

    from . import message_actions

    try:
        return _post_site_message(request, site, payload)
    except message_actions.Throttled as exc:
        response = HttpResponse(
            json.dumps({"detail": exc.message}, ensure_ascii=False), status=429, content_type="application/json"
        )
        response["Retry-After"] = str(exc.retry_after)
        return response


@idempotent
def _post_site_message(request: HttpRequest, site: str, payload: MessageIn):
    import uuid

    from . import message_actions, message_selectors

    token = payload.form_token or request.META.get("HTTP_IDEMPOTENCY_KEY", "")[:64] or uuid.uuid4().hex
    row = message_actions.submit(
        request.auth, message_selectors.site_by_slug(site), title=payload.title, text=payload.text, form_token=token
    )
    return 201, {"id": row.pk, "number": row.number, "status": row.status, "ticket": row.ticket_number or None}


@router.get(
    "/disclosure/sites/{site}/messages/queue",
    summary="本站留言办理队列（本站编辑、承办部门）：status=pending|published|hidden，answered=true|false",
)
def site_message_queue(
    request: HttpRequest, site: str, status: str = "", answered: bool | None = None, page: int = 1, page_size: int = 20
) -> dict:
    from . import message_selectors

    rows = message_selectors.staff_messages(request.auth, message_selectors.site_by_slug(site), status[:20])
    if answered is not None:
        rows = rows.filter(answered_at__isnull=not answered)
    return paginate(rows, page, page_size, message_selectors.staff_row)


@router.get("/disclosure/messages/{message_id}", summary="一条留言的办理详情（本站编辑、承办部门）")
def get_staff_message(request: HttpRequest, message_id: int) -> dict:
    from . import message_selectors

    return message_selectors.staff_row(message_selectors.staff_message(request.auth, message_id))


@router.post(
    "/disclosure/messages/{message_id}/actions/{action}",
    summary="办理留言：publish、hide（本站编辑）；answer（本站编辑、承办部门）",
)
def act_on_message(request: HttpRequest, message_id: int, action: str, payload: MessageActionIn | None = None) -> dict:
    from . import message_actions, message_selectors

    message_selectors.staff_message(request.auth, message_id)  # 404 beyond the caller's reach
    body = payload.dict(exclude_none=True) if payload is not None else {}
    row = message_actions.perform(request.auth, message_id, action, **body)
    return message_selectors.staff_row(row)


@router.get("/disclosure/sites/{site}/health", summary="网站健康检查结果（R23，本站编辑与管理员）")
def site_health(request: HttpRequest, site: str) -> dict:
    from . import message_selectors

    result = message_selectors.latest_health(request.auth, message_selectors.site_by_slug(site))
    return result or {"site": site, "started_at": None, "passed": None, "checks": []}


@router.get(
    "/disclosure/sites/{site}/page-views",
    summary="本站各栏目访问量（本站编辑、审核、管理员）：from、to 为日期 YYYY-MM-DD，默认近30天；不含任何个人信息",
)
def site_page_views(request: HttpRequest, site: str, date_from: str = Query("", alias="from"), to: str = "") -> dict:
    from . import page_views

    return page_views.site_views(request.auth, site, date_from[:40], to[:40])


# --- a site's administrator: its staff and settings (site_admin.py) -----------------------------------


class StaffIn(Schema):
    username: str = Field(..., description="工作人员账号", max_length=150)
    role: str = Field(
        ..., description="editor（编辑）|reviewer（审核）|admin（站点管理员，仅平台管理员可任命）", max_length=20
    )


class SiteSettingsIn(Schema):
    organiser: str | None = Field(None, description="主办单位（R22）", max_length=1000)
    contact: str | None = Field(None, description="联系方式（R22）", max_length=1000)
    site_code: str | None = Field(None, description="网站标识码", max_length=1000)
    messages_enabled: bool | None = Field(None, description="开通网站留言")
    messages_to_hotline: bool | None = Field(None, description="留言转12345热线")


@router.get("/disclosure/sites/{site}/staff", summary="本站人员（站点管理员）：编辑、审核、管理员")
def list_site_staff(request: HttpRequest, site: str) -> dict:
    from . import site_admin

    root = site_admin.admin_site(request.auth, site)
    return {"site": root.slug, "staff": site_admin.site_staff(request.auth, root)}


@router.post("/disclosure/sites/{site}/staff", summary="任命本站编辑或审核人员（站点管理员）")
def grant_site_role(request: HttpRequest, site: str, payload: StaffIn) -> dict:
    from . import site_admin

    root = site_admin.admin_site(request.auth, site)
    return {"site": root.slug, "staff": site_admin.grant(request.auth, root, payload.username, payload.role)}


@router.delete("/disclosure/sites/{site}/staff/{role}/{username}", summary="免去本站编辑或审核人员（站点管理员）")
def revoke_site_role(request: HttpRequest, site: str, role: str, username: str) -> dict:
    from . import site_admin

    root = site_admin.admin_site(request.auth, site)
    return {"site": root.slug, "staff": site_admin.revoke(request.auth, root, username, role)}


@router.get("/disclosure/sites/{site}/settings", summary="本站设置：页脚标识（R22）与留言（站点管理员）")
def get_site_settings(request: HttpRequest, site: str) -> dict:
    from . import site_admin

    return site_admin.site_settings(site_admin.admin_site(request.auth, site))


@router.patch("/disclosure/sites/{site}/settings", summary="修改本站设置（站点管理员）")
def patch_site_settings(request: HttpRequest, site: str, payload: SiteSettingsIn) -> dict:
    from . import site_admin

    root = site_admin.admin_site(request.auth, site)
    return site_admin.update_settings(request.auth, root, payload.dict(exclude_none=True))
