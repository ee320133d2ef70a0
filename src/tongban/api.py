"""The one JSON API (`/api/`, OpenAPI at `/api/openapi.json`, docs at `/api/docs`).

Deny by default: every operation needs an authenticated caller unless its router or the
operation itself says `auth=None`. Every error has the shape of INTERFACES.md."""

from __future__ import annotations

import logging

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.throttling import AnonRateThrottle, AuthRateThrottle

from tongban.catalog.api import router as catalog_router
from tongban.core.api import router as calendar_router
from tongban.core.calendar import UnknownCalendarYear
from tongban.core.errors import Conflict, FieldError, NotFound
from tongban.core.validation import translate_validation_errors
from tongban.identity.api import router as identity_router
from tongban.identity.authentication import api_auth

log = logging.getLogger(__name__)


class ChineseJSONRenderer(JSONRenderer):
    """UTF-8 JSON, Chinese readable as is (not \\u escapes)."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
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


def _json(request: HttpRequest, detail, status: int) -> HttpResponse:
    return api.create_response(request, {"detail": detail}, status=status)


@api.exception_handler(FieldError)
def field_error(request, exc: FieldError):
    return _json(request, exc.as_detail(), 422)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    return _json(request, translate_validation_errors(exc.errors), 422)


@api.exception_handler(UnknownCalendarYear)
def unknown_year(request, exc: UnknownCalendarYear):
    return _json(request, [{"field": "start", "message": str(exc)}], 422)


@api.exception_handler(Conflict)
def conflict(request, exc: Conflict):
    return _json(request, exc.message, 409)


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


@api.exception_handler(Exception)
def unexpected(request, exc: Exception):
    log.exception("unhandled API error on %s %s", request.method, request.path)
    return _json(request, "服务器内部错误，已记录，请稍后重试", 500)
