"""The editors' no-result dashboard: queries that found nothing, most frequent first, each
closed in one step — as a synonym of a word that finds something, or as a keyword of an item.

Thin views: authorise, call one action (`catalog.actions.resolve_miss_with_*`), render. With
htmx the card of the query is swapped in place (the result, or the form with its errors);
without JavaScript the same forms post and redirect back to the list."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from tongban.core.errors import Conflict, FieldError, NotFound
from tongban.search.selectors import open_no_result_queries

from . import actions, searching
from .models import ServiceItem
from .permissions import can_curate_search

PAGE_SIZE = 100


def _require_curator(request: HttpRequest) -> None:
    if not can_curate_search(request.user):
        raise PermissionDenied


@require_GET
def search_misses(request: HttpRequest) -> HttpResponse:
    _require_curator(request)
    misses = list(open_no_result_queries("item")[:PAGE_SIZE])
    return render(request, "catalog/staff/search_misses.html", {
        "misses": misses,
        "total": open_no_result_queries("item").count(),
        "item_codes": ServiceItem.objects.filter(active=True).order_by("code").values_list("code", "name"),
    })


@require_POST
def resolve_miss(request: HttpRequest, miss_id: int) -> HttpResponse:
    _require_curator(request)
    mode = request.POST.get("mode", "")
    htmx = request.headers.get("HX-Request") == "true"
    try:
        if mode == "synonym":
            miss = actions.resolve_miss_with_synonym(request.user, miss_id, request.POST.get("synonym", ""))
        elif mode == "keyword":
            miss = actions.resolve_miss_with_keyword(request.user, miss_id, request.POST.get("item", ""))
        else:
            raise FieldError("mode", "请选择处理方式")
    except (FieldError, Conflict, NotFound) as exc:
        return _failed(request, miss_id, mode, exc, htmx)
    if htmx:  # the proof, in place: what the query finds now
        hits = searching.search(miss.query, limit=3, log_misses=False)
        return render(request, "catalog/staff/_miss_resolved.html", {"miss": miss, "hits": hits})
    messages.success(request, f"已处理“{miss.query}”：{miss.resolution}")
    return redirect("staff:catalog_editor:search-misses")


def _errors(exc: Exception) -> dict[str, str]:
    if isinstance(exc, FieldError):
        out: dict[str, str] = {}
        for field, message in exc.errors:
            out[field] = f"{out[field]}；{message}" if field in out else message
        return out
    return {"form": exc.message}  # type: ignore[attr-defined]


def _failed(request: HttpRequest, miss_id: int, mode: str, exc: Exception, htmx: bool) -> HttpResponse:
    miss = open_no_result_queries("item").filter(pk=miss_id).first()
    if miss is None:  # resolved meanwhile (another editor): say so where the card was
        return render(request, "catalog/staff/_miss_gone.html", {"miss_id": miss_id},
                      status=200 if htmx else 404)
    context = {"miss": miss, "errors": _errors(exc), "mode": mode, "values": request.POST}
    if htmx:  # htmx swaps 2xx only: the card with its errors comes back as 200
        return render(request, "catalog/staff/_miss.html", context)
    return render(request, "catalog/staff/search_misses.html", {
        **context, "misses": [miss], "total": 1,
        "item_codes": ServiceItem.objects.filter(active=True).order_by("code").values_list("code", "name"),
    }, status=422)
