"""Notice downloads for the API: `GET /api/cases/{number}/notices/{kind}.pdf`, for the
applicant (and the enterprise's agents, the window staff who filed) and the case's officers;
anyone else gets 404, as for `GET /api/cases/{number}`. No `from __future__ import
annotations` here: django-ninja reads the annotations at import time."""

from django.http import HttpRequest, HttpResponse
from ninja import Router

from . import views

router = Router(tags=["办件"])

PDF_RESPONSE = {200: {"description": "文书 PDF（内嵌中文字体）",
                        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}


@router.get("/cases/{number}/notices/{kind}.pdf", summary="下载办件文书（回执、受理通知书、补正材料通知书、决定书）",
            description="kind：receipt（回执）、acceptance（受理通知书）、correction（补正材料通知书）、"
                        "rejection（不予受理决定书）、approval（准予许可决定书）、denial（不予许可决定书）。"
                        "办件尚无该文书时返回 404。",
            openapi_extra={"responses": PDF_RESPONSE})
def notice_pdf(request: HttpRequest, number: str, kind: str) -> HttpResponse:
    return views.notice_response(request.auth, number, kind)
