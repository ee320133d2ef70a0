"""The Verifiable Credential export of a licence and the Bitstring Status Lists it points to
(`licences.credentials`). No `from __future__ import annotations`: django-ninja reads the
annotations at import time."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.http import content_disposition_header

from tongban.core.errors import FieldError, NotFound

from . import credentials, selectors
from .api import router


def _base() -> str:
    return settings.BASE_URL.rstrip("/")


@router.get("/licences/status/{department}/{purpose}/{number}", auth=None,
            summary="发证部门的证照状态列表（已签名的状态列表凭证：revocation 注销、suspension 暂扣；公开）")
def status_list(request: HttpRequest, department: str, purpose: str, number: int) -> HttpResponse:
    if purpose not in credentials.PURPOSES:
        raise FieldError("purpose", "状态用途只能是 revocation（注销）或 suspension（暂扣）")
    issuer = selectors.issuing_department(department)
    if issuer is None or not 1 <= number <= 100_000:
        raise NotFound("未找到该状态列表")
    body = credentials.status_list(issuer, purpose, number, _base())
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False}, content_type="application/vc+ld+json")
    response["Cache-Control"] = "public, max-age=300"
    return response


@router.get("/licences/{licence_id}/credential",
            summary="导出 W3C 可验证凭证（eddsa-jcs-2022，内含 SM2 签章数据；持证人或发证部门）")
def licence_credential(request: HttpRequest, licence_id: int) -> HttpResponse:
    licence = selectors.get_licence(request.auth, licence_id)
    vc = credentials.credential(licence, selectors.current_version(licence), _base(), actor=request.auth)
    response = JsonResponse(vc, json_dumps_params={"ensure_ascii": False}, content_type="application/vc+ld+json")
    name = f"{licence.licence_type.name}-{licence.number}.vc.json"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
