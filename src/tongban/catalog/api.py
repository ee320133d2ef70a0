"""Catalogue endpoints of INTERFACES.md ("Catalogue and search") and what editors need.
Reading the catalogue is public (`auth=None`); changing it needs an editing role."""

import base64
import datetime as dt
import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from ninja import Body, File, Router
from ninja.files import UploadedFile

from tongban.core.errors import FieldError
from tongban.core.idempotency import idempotent
from tongban.core.pagination import MAX_PAGE_SIZE, paginate

from . import actions, excel, linked_data, searching, selectors
from .constants import Audience
from .models import ServiceItem
from .permissions import can_edit_catalog
from .schemas import AnswersIn, PublishIn

router = Router(tags=["事项库与办事指南"])


@router.get("/search", auth=None, summary="检索事项（口语、拼音、首字母、错别字、同义词）")
def search(request: HttpRequest, q: str = "", audience: str = "", region: str = "", theme: str = "",
           page_size: int = 10) -> dict:
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise FieldError("page_size", f"每页条数应在1到{MAX_PAGE_SIZE}之间")
    if audience and audience not in Audience.values:
        raise FieldError("audience", "服务对象应为 person、enterprise 或 both")
    items = searching.search(q, audience=audience, region=region, theme=theme, limit=page_size)
    return {"count": len(items), "items": items}


@router.get("/suggest", auth=None, summary="输入提示（事项与一件事：前缀、拼音、首字母、同义词）")
def suggest(request: HttpRequest, q: str = "", limit: int = 8) -> dict:
    if not 1 <= limit <= searching.MAX_SUGGESTIONS:
        raise FieldError("limit", f"提示条数应在1到{searching.MAX_SUGGESTIONS}之间")
    return {"query": q[:searching.MAX_QUERY], "suggestions": searching.suggest(q, limit=limit)}


@router.get("/items", auth=None, summary="事项浏览（按主题、部门、生命周期、服务对象、特色清单）")
def items(request: HttpRequest, theme: str = "", department: str = "", life_stage: str = "", audience: str = "",
          list: str = "", page: int = 1, page_size: int = 20) -> dict:
    rows = selectors.browse_items(theme=theme, department=department, life_stage=life_stage, audience=audience,
                                  special_list=list)  # the browse pages filter with the same selector
    return paginate(rows, page, page_size, lambda i: {
        "code": i.code, "name": i.name, "type": i.type, "department": {"id": i.department_id,
                                                                          "name": i.department.name},
        "audience": i.audience, "themes": i.themes, "life_stage": i.life_stage, "online_depth": i.online_depth,
        "version": i.version})


@router.get("/items/{code}", auth=None, summary="办事指南（按实施区划）")
def item_guide(request: HttpRequest, code: str, region: str = "") -> dict:
    return selectors.guide(code, region or None)


@router.post("/items/{code}/materials", auth=None, summary="情形引导：按回答给出材料清单")
def item_materials(request: HttpRequest, code: str, payload: AnswersIn) -> dict:
    return selectors.situation(code, payload.answers)


@router.get("/items/{code}/versions", auth=None, summary="事项的版本")
def item_versions(request: HttpRequest, code: str, page: int = 1, page_size: int = 20) -> dict:
    item = selectors.get_item(code)
    return paginate(selectors.versions_of(item), page, page_size, selectors.version_summary)


@router.get("/items/{code}/versions/{number}", auth=None, summary="事项某一版本的全部标准要素")
def item_version(request: HttpRequest, code: str, number: int) -> dict:
    return selectors.version_detail(selectors.get_item(code), number)


@router.get("/items/{code}/diff", auth=None, summary="两个版本逐项比较")
def item_diff(request: HttpRequest, code: str, a: int, b: int) -> dict:
    return selectors.compare(selectors.get_item(code), a, b)


@router.post("/items/{code}/versions", response={201: dict}, summary="发布新版本（标准要素变更）")
@idempotent
def publish(request: HttpRequest, code: str, payload: PublishIn):
    version = actions.publish_item(request.auth, selectors.get_item(code), changes=payload.changes,
                                   effective_date=payload.effective_date, summary=payload.summary,
                                   base_version=payload.base_version)
    return 201, selectors.version_summary(version)


@router.get("/changes", auth=None, summary="变更公告（全市事项）")
def changes(request: HttpRequest, item: str = "", since: dt.date | None = None, page: int = 1,
            page_size: int = 20) -> dict:
    rows = selectors.changes()
    if item:
        rows = rows.filter(item__code=item)
    if since:
        rows = rows.filter(published_at__date__gte=since)
    return paginate(rows, page, page_size, selectors.change_out)


@router.get("/bundles", auth=None, summary="一件事列表")
def bundles(request: HttpRequest, audience: str = "", page: int = 1, page_size: int = 20) -> dict:
    rows = selectors.bundles()
    if audience:
        rows = rows.filter(audience=audience)
    return paginate(rows, page, page_size, selectors.bundle_summary)


@router.get("/bundles/{code}", auth=None, summary="一件事：合并指南、材料清单与共享表单字段")
def bundle(request: HttpRequest, code: str) -> dict:
    return selectors.bundle_detail(code)


@router.post("/bundles/{code}/materials", auth=None, summary="一件事情形引导：按回答给出合并材料清单")
def bundle_materials(request: HttpRequest, code: str, payload: AnswersIn) -> dict:
    return selectors.bundle_situation(code, payload.answers)


@router.get("/implementations", summary="我可维护的实施清单")
def implementations(request: HttpRequest, item: str = "", page: int = 1, page_size: int = 20) -> dict:
    rows = selectors.implementations_editable_by(request.auth).order_by("item__code", "region__path")
    if item:
        rows = rows.filter(item__code=item)
    return paginate(rows, page, page_size, _implementation)


@router.patch("/implementations/{impl_id}", summary="修改实施清单的本地要素")
def update_implementation(request: HttpRequest, impl_id: int, payload: Body[dict[str, Any]]) -> dict:
    impl = selectors.get_implementation_for_editor(request.auth, impl_id)
    return _implementation(actions.update_implementation(request.auth, impl, **payload))


def _implementation(i) -> dict:
    return {"id": i.pk, "item": i.item.code, "name": i.item.name, "region": {"code": i.region_id,
                                                                              "name": i.region.name},
            "department": {"id": i.department_id, "name": i.department.name}, "place": i.place,
            "window": i.window, "hours": i.hours, "phone": i.phone, "consultation": i.consultation,
            "complaint": i.complaint, "fee": i.fee, "promised_days": i.promised_days, "legal_days": i.legal_days,
            "legal_days_unit": i.legal_days_unit, "online_url": i.online_url, "notes": i.notes}


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/export.xlsx", summary="导出事项库（Excel：事项、实施清单、材料、情形问题）")
def export_xlsx(request: HttpRequest, department: str = "") -> HttpResponse:
    if not can_edit_catalog(request.auth):
        raise PermissionDenied
    items = ServiceItem.objects.filter(active=True).select_related("current_version").order_by("code")
    if department:
        items = items.filter(department_id=department)
    response = HttpResponse(excel.export_workbook(items), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="catalog.xlsx"'
    return response


@router.post("/import", response={200: dict, 422: dict}, summary="导入事项库（先校验整个文件，全部写入或全部不写）")
def import_xlsx(request: HttpRequest, file: File[UploadedFile], effective_date: dt.date | None = None):
    if file.size and file.size > excel.MAX_BYTES:
        raise FieldError("file", f"文件过大（超过{excel.MAX_BYTES // 2**20}MB），请分批导入")
    try:
        counts = excel.import_workbook(request.auth, file.read(), effective_date=effective_date)
    except excel.ImportFailed as exc:
        body = {"detail": [p.as_detail() for p in exc.problems]}
        if exc.workbook:
            body["annotated_workbook"] = base64.b64encode(exc.workbook).decode()
        return 422, body
    return 200, counts


@router.get("/export.jsonld", auth=None, summary="事项库关联数据（CPSV-AP JSON-LD）")
def export_jsonld(request: HttpRequest) -> HttpResponse:
    body = json.dumps(linked_data.export(), ensure_ascii=False, cls=DjangoJSONEncoder)
    return HttpResponse(body, content_type="application/ld+json; charset=utf-8")
