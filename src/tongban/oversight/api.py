"""The oversight API (mounted at /api/ by tongban.api; full paths here): the statistics overview
and the supervision alerts. No `from __future__ import annotations` (django-ninja)."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from tongban.core.errors import FieldError
from tongban.core.pagination import paginate

from . import actions, selectors, stats

router = Router(tags=["效能监察"])


@router.get("/stats/overview", summary="统计概览：各部门网办率、免交材料、用时、评价、积压、超期（含今日）")
def overview(request: HttpRequest, region: str | None = None, from_: str | None = Query(None, alias="from"),
             to: str | None = None) -> dict:
    first, last = selectors.date_range(from_, to)
    place, codes, departments = selectors.stats_scope(request.auth, region)
    out = stats.overview(first, last, codes, departments)
    return {"region": place.code, "region_name": place.name, "from": first.isoformat(), "to": last.isoformat(), **out}


def _head(first, last, place) -> dict[str, Any]:
    return {"region": place.code, "region_name": place.name, "from": first.isoformat(), "to": last.isoformat()}


@router.get("/stats/breakdown", summary="统计下钻：按下一级区划、部门或某部门的事项分组（含最多跑一次率）")
def breakdown(request: HttpRequest, by: str = "department", region: str | None = None,
              from_: str | None = Query(None, alias="from"), to: str | None = None,
              department: str | None = None) -> dict:
    if by not in stats.GROUPS:
        raise FieldError("by", "分组应为 region（下一级区划）、department（部门）或 item（事项，须指定部门）")
    first, last = selectors.date_range(from_, to)
    place, codes, departments, dept, _ = selectors.drill_scope(request.auth, region, department, None)
    if by == "item" and dept is None:
        raise FieldError("department", "按事项分组须指定部门")
    fold = None
    if by == "region":
        _, fold = selectors.districts_of(place)
        if not fold:
            raise FieldError("region", f"{place.name}没有下一级区划")
    if departments is not None and by != "department" and dept is None:
        raise FieldError("department", "部门负责人须指定本部门")
    out = stats.breakdown(first, last, codes, by, departments=departments, department=dept.pk if dept else None,
                          fold=fold)
    return {**_head(first, last, place), "by": by, "department": dept.pk if dept else None, **out}


@router.get("/stats/cases", summary="统计下钻到办件：某部门某事项区间内办结的办件及经办人汇总")
def decided_cases(request: HttpRequest, department: str, item: str, region: str | None = None,
                  from_: str | None = Query(None, alias="from"), to: str | None = None, page: int = 1,
                  page_size: int = 50) -> dict:
    first, last = selectors.date_range(from_, to)
    missing = [(name, "下钻到办件须指定部门与事项") for name, value in (("department", department), ("item", item))
               if not value.strip()]
    if missing:
        raise FieldError(errors=missing)
    place, codes, _, dept, service_item = selectors.drill_scope(request.auth, region, department, item)
    cases, officers = stats.decided_cases(first, last, codes, dept.pk, service_item.code)
    return {**_head(first, last, place), "department": dept.pk, "item": service_item.code,
            "item_name": service_item.name, "cases": paginate(cases, page, page_size), "officers": officers}


class AlertActionIn(Schema):
    reason: str = Field("", max_length=2000,
                        description="resolve / dismiss：理由（必填）；urge：督办事由（默认据预警生成）")
    level: str | None = Field(None, max_length=4, description="urge：催办、督办（默认）或 通报")


@router.get("/oversight/alerts", summary="监察预警（监督人员：本区划及以下）")
def alerts(request: HttpRequest, state: str = "active", kind: str = "", page: int = 1, page_size: int = 20) -> dict:
    from .models import Alert

    rows = selectors.visible_alerts(request.auth).select_related("case")
    if state == "active":
        rows = rows.filter(state__in=actions.ACTIVE)
    elif state:
        if state not in Alert.State.values:
            raise FieldError("state", f"状态应为 active 或 {'、'.join(Alert.State.values)}")
        rows = rows.filter(state=state)
    if kind:
        if kind not in Alert.Kind.values:
            raise FieldError("kind", f"类别应为 {'、'.join(Alert.Kind.values)} 之一")
        rows = rows.filter(kind=kind)
    out = paginate(rows.order_by("-severity", "-opened_at", "-pk"), page, page_size)
    return {**out, "items": selectors.alert_rows(request.auth, out["items"])}


@router.post("/oversight/alerts/{alert_id}/{action}",
             summary="处理预警：acknowledge、resolve、dismiss（须理由），或 urge（经 12345 督办机制向部门发出督办）")
def handle(request: HttpRequest, alert_id: int, action: str, payload: AlertActionIn | None = None) -> dict[str, Any]:
    alert = selectors.get_alert(request.auth, alert_id)
    alert = actions.handle_alert(request.auth, alert, action, payload.reason if payload else "",
                                 payload.level if payload else None)
    return selectors.alert_rows(request.auth, [selectors.get_alert(request.auth, alert.pk)])[0]



