"""Pages of oversight: the public per-department statistics (R28, no login; the same numbers as
`/api/stats/overview`, with ECharts and an Excel export), the supervisors' and heads' drill-down
(city → district → department → item → cases and officers; the same numbers as
`/api/stats/breakdown` and `/api/stats/cases`) and the supervisors' alert queue, from which a
督办 goes to the department through the hotline's urging (its state and reply shown per alert)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from tongban.core.errors import Conflict, FieldError, NotFound

from . import actions, exports, selectors, stats


def _public_data(request: HttpRequest) -> dict[str, Any]:
    first, last = selectors.date_range(request.GET.get("from"), request.GET.get("to"))
    place, codes = selectors.public_scope(request.GET.get("region"))
    return {"region": place.code, "region_name": place.name, "from": first.isoformat(), "to": last.isoformat(),
            **stats.overview(first, last, codes)}


def _problem(request: HttpRequest, exc: FieldError) -> HttpResponse:
    return render(request, "oversight/stats.html", {
        "errors": [m for _, m in exc.errors], "data": None, "form_from": request.GET.get("from", ""),
        "form_to": request.GET.get("to", "")}, status=422)


@login_not_required
@require_GET
def public_stats(request: HttpRequest) -> HttpResponse:
    try:
        data = _public_data(request)
    except FieldError as exc:
        return _problem(request, exc)
    chart = {"names": [d["name"] for d in data["departments"]],
             "levels": {str(k): [d["reviews"][str(k)] for d in data["departments"]] for k in range(1, 6)}}
    return render(request, "oversight/stats.html", {"data": data, "chart": chart, "form_from": data["from"],
                                                    "form_to": data["to"], "query": request.GET.urlencode()})


@login_not_required
@require_GET
def public_stats_xlsx(request: HttpRequest) -> HttpResponse:
    try:
        data = _public_data(request)
    except FieldError as exc:
        return _problem(request, exc)
    response = HttpResponse(exports.workbook(data),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(True, f"好差评统计-{data['from']}-{data['to']}.xlsx")
    return response


def _chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"names": [r["name"] for r in rows],
            "per_case": [r["visits_per_case"] for r in rows],
            "le_one": [round(r["at_most_one_visit_rate"] * 100, 1) if r["at_most_one_visit_rate"] is not None
                       else None for r in rows]}


@require_GET
def drill(request: HttpRequest) -> HttpResponse:
    """The drill-down for supervisors (their region and below), department heads (their
    departments) and administrators: districts and departments, then a department's items, then
    an item's decided cases and officers — visits per case and the 最多跑一次 rate at every level."""
    g = request.GET
    form = {"from": g.get("from", ""), "to": g.get("to", ""), "region": g.get("region", ""),
            "department": g.get("department", ""), "item": g.get("item", "")}
    try:
        first, last = selectors.date_range(g.get("from"), g.get("to"))
        place, codes, departments, dept, item = selectors.drill_scope(
            request.user, g.get("region"), g.get("department"), g.get("item"))
    except FieldError as exc:
        return render(request, "oversight/drill.html", {"errors": [m for _, m in exc.errors], "form": form},
                      status=422)
    except NotFound as exc:
        raise Http404(exc.message) from None
    base = {"from": first.isoformat(), "to": last.isoformat(), "region": place.code}
    context: dict[str, Any] = {"form": {**form, **base}, "place": place, "department": dept, "item": item,
                               "base": base}
    if item is not None:
        cases, officers = stats.decided_cases(first, last, codes, dept.pk, item.code)
        page = Paginator(cases, 50).get_page(g.get("page"))
        context.update(level="cases", page=page, officers=officers,
                       chart=_chart([{"name": o["officer"], **o} for o in officers]))
    elif dept is not None:
        cells = stats.cube(first, last, codes, dept.pk)
        out = stats.table(stats.project(cells, "item"), "item")
        context.update(level="items", table=out, chart=_chart(out["rows"]))
    else:
        cells = stats.cube(first, last, codes)
        children, fold = selectors.districts_of(place)
        districts = stats.table(stats.project(cells, "region", fold=fold, departments=departments), "region") \
            if children and departments is None else None
        out = stats.table(stats.project(cells, "department", departments=departments), "department")
        context.update(level="departments", table=out, districts=districts, chart=_chart(out["rows"]))
    return render(request, "oversight/drill.html", context)


URGING_LEVELS = (("催办", "催办"), ("督办", "督办（部门负责人回复）"), ("通报", "通报（列入督查通报）"))


def _alerts_page(request: HttpRequest, *, failed: tuple[int, str, str] | None = None,
                 status: int = 200) -> HttpResponse:
    """The queue; `failed` = (alert, action, message) of a refused form, shown beside that form."""
    alerts = list(selectors.visible_alerts(request.user).filter(state__in=actions.ACTIVE).select_related("case")
                  .order_by("-severity", "-opened_at")[:200])
    rows = selectors.alert_rows(request.user, alerts)
    for row, alert in zip(rows, alerts, strict=True):
        row["default_reason"] = selectors.urging_reason(alert)
        if failed and failed[0] == alert.pk:
            row["error"] = {"action": failed[1], "message": failed[2]}
    return render(request, "oversight/alerts.html", {"rows": rows, "levels": URGING_LEVELS,
                                                     "default_level": actions.URGE_DEFAULT_LEVEL}, status=status)


@require_GET
def alerts(request: HttpRequest) -> HttpResponse:
    return _alerts_page(request)


@require_POST
def alert_action(request: HttpRequest, alert_id: int, action: str) -> HttpResponse:
    try:
        alert = selectors.get_alert(request.user, alert_id)
        actions.handle_alert(request.user, alert, action, request.POST.get("reason", ""),
                             request.POST.get("level") or None)
        messages.success(request, "督办已发出，部门回复后在此显示。" if action == "urge" else "已处理。")
    except NotFound as exc:
        raise Http404(exc.message) from None
    except FieldError as exc:
        return _alerts_page(request, failed=(alert_id, action, "；".join(m for _, m in exc.errors)), status=422)
    except Conflict as exc:
        messages.error(request, exc.message)
    return redirect("oversight:alerts")
