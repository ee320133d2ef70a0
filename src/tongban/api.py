"""The one JSON API (`/api/`, OpenAPI at `/api/openapi.json`, docs at `/api/docs`).

Deny by default: every operation needs an authenticated caller unless its router or the
operation itself says `auth=None`. Every error has the shape of INTERFACES.md."""

from __future__ import annotations

import logging

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.db import DataError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.throttling import AnonRateThrottle, AuthRateThrottle

from tongban.cases.api import router as cases_router
from tongban.cases.notice_api import router as case_notices_router
from tongban.catalog.api import router as catalog_router
from tongban.core.api import router as calendar_router
from tongban.core.calendar import UnknownCalendarYear
from tongban.core.errors import Conflict, FieldError, NotFound, ServiceUnavailable
from tongban.core.validation import translate_validation_errors
from tongban.identity.api import router as identity_router
from tongban.identity.authentication import api_auth

log = logging.getLogger(__name__)


class ChineseJSONRenderer(JSONRenderer):
    """UTF-8 JSON, Chinese readable as is (not \\u escapes)."""

    json_dumps_params = {"ensure_ascii": False}


# Every operation may answer with these (INTERFACES.md), always in the one error shape; the
# fuzz (tests/harness/test_fuzz.py) holds each response to what its operation documents.
ERROR_RESPONSES = {
    401: "未登录或令牌无效",
    403: "无权执行此操作",
    404: "未找到（或不在您的可见范围内）",
    409: "冲突：状态已变化或重复提交",
    422: "输入无效：detail 逐项列出字段与原因",
    429: "请求过于频繁：Retry-After 秒后再试",
}
ERROR_SCHEMA = {
    "title": "Error", "type": "object", "required": ["detail"],
    "properties": {"detail": {"anyOf": [
        {"type": "string"},
        {"type": "array", "items": {"type": "object", "required": ["field", "message"],
                                    "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}},
    ]}},
}


def _error_codes(method: str, operation: dict) -> set[int]:
    """401/403 where authentication is required, 409 on writes, 404, 422 and 429 everywhere."""
    codes = {404, 422, 429}
    if operation.get("security"):
        codes |= {401, 403}
    if method != "get":
        codes.add(409)
    return codes


class TongbanAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        schema = super().get_openapi_schema(**kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                for code in sorted(_error_codes(method, operation)):
                    if code not in operation["responses"] and str(code) not in operation["responses"]:
                        operation["responses"][code] = {"description": ERROR_RESPONSES[code], **ref}
        return schema


api = TongbanAPI(
    title="通办 Tongban API",
    version="1",
    description="大连市一体化在线政务服务平台的 JSON 接口。约定见 INTERFACES.md：错误为 "
                "401/403/404/409/422/429，列表分页 ?page=&page_size=，创建类请求支持 Idempotency-Key。",
    auth=api_auth(),
    throttle=[AnonRateThrottle("120/m"), AuthRateThrottle("1200/m")],
    urls_namespace="api",
    renderer=ChineseJSONRenderer(),
)
api.add_router("/calendar", calendar_router)
api.add_router("/", identity_router)
api.add_router("/catalog", catalog_router)
api.add_router("/", "tongban.cases.material_api.router")  # before cases: /cases/eligibility is no number
api.add_router("/", "tongban.cases.draft_api.router")  # before cases: /cases/drafts is no number
api.add_router("/", cases_router)
api.add_router("/", case_notices_router)
# the later apps: each router spells its full paths under /api/
for _app in ("licences", "exchange", "disclosure", "hotline", "reviews", "oversight"):
    api.add_router("/", f"tongban.{_app}.api.router")


def _json(request: HttpRequest, detail, status: int) -> HttpResponse:
    return api.create_response(request, {"detail": detail}, status=status)


@api.exception_handler(FieldError)
def field_error(request, exc: FieldError):
    return _json(request, exc.as_detail(), 422)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    return _json(request, translate_validation_errors(exc.errors), 422)


@api.exception_handler(MultiPartParserError)
def malformed_multipart(request, exc: MultiPartParserError):
    """A multipart body Django cannot parse (no boundary, cut short): the client's error, never a 500."""
    return _json(request, [{"field": "body", "message": "multipart/form-data 请求体格式错误，无法解析上传的文件"}], 422)


@api.exception_handler(UnknownCalendarYear)
def unknown_year(request, exc: UnknownCalendarYear):
    return _json(request, [{"field": "start", "message": str(exc)}], 422)


@api.exception_handler(Conflict)
def conflict(request, exc: Conflict):
    return _json(request, exc.message, 409)


@api.exception_handler(OperationalError)
def database_unavailable(request, exc: OperationalError):
    """The database dropped the connection or cancelled a statement that ran too long
    (statement_timeout): the transaction was rolled back whole, nothing was written; the
    client retries (with the same Idempotency-Key for a create)."""
    log.warning("database unavailable on %s %s: %s", request.method, request.path, exc)
    return unavailable(request, ServiceUnavailable("数据库暂时不可用或繁忙，本次请求未生效，请稍后重试", retry_after=5))


@api.exception_handler(ServiceUnavailable)
def unavailable(request, exc: ServiceUnavailable):
    response = _json(request, exc.message, 503)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(NotFound)
def not_found(request, exc: NotFound):
    return _json(request, exc.message, 404)


@api.exception_handler(Http404)
@api.exception_handler(ObjectDoesNotExist)
def http404(request, exc):
    return _json(request, "未找到", 404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return _json(request, "未登录或令牌无效", 401)


@api.exception_handler(AuthorizationError)
@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return _json(request, "无权执行此操作", 403)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    if exc.status_code == 429:
        return _json(request, "请求过于频繁，请稍后再试", 429)
    if exc.status_code == 400:  # django-ninja's "cannot parse request body"
        return _json(request, [{"field": "body", "message": "请求体不是有效的 JSON"}], 422)
    return _json(request, str(exc.message), exc.status_code)


@api.exception_handler(RequestDataTooBig)
def too_big(request, exc: RequestDataTooBig):
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE: refused whole before any write (issue 10, item 4)."""
    return _json(request, [{"field": "body", "message": "请求体过大，请缩短内容或分批提交"}], 413)


@api.exception_handler(DataError)
def data_error(request, exc: DataError):
    """The database refused a value (PostgreSQL: a NUL byte in text, a number out of its
    column's range): invalid input, not a server fault."""
    log.info("database refused input on %s %s: %s", request.method, request.path, exc)
    return _json(request, [{"field": _field_with_nul(request), "message": "含有无效字符或超出范围的数值"}], 422)


def _field_with_nul(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    for name, value in [*request.GET.items(), *(match.kwargs.items() if match else ())]:
        if "\x00" in f"{name}{value}":
            return name
    return "body"


@api.exception_handler(Exception)
def unexpected(request, exc: Exception):
    log.exception("unhandled API error on %s %s", request.method, request.path)
    return _json(request, "服务器内部错误，已记录，请稍后重试", 500)
