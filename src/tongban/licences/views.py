"""Pages of the licence library: the public verification page and key register, the holder's
licences and their data-use tracker. Thin: the same selectors as the API."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tongban.core import audit
from tongban.core.errors import NotFound

from . import data_uses, selectors, throttle
from .models import SealKey


@login_not_required
@require_GET
def verify_page(request: HttpRequest, code: str) -> HttpResponse:
    if not throttle.allowed(request):
        return render(request, "licences/throttled.html", status=429)
    try:
        answer = selectors.verification(code[:64])
    except NotFound:
        if throttle.missed(request):
            return render(request, "licences/throttled.html", status=429)
        raise Http404 from None
    return render(request, "licences/verify.html", {"v": answer})


@login_not_required
@require_GET
def key_register_page(request: HttpRequest) -> HttpResponse:
    keys = SealKey.objects.select_related("department").order_by("department__name", "-created_at")
    return render(request, "licences/keys.html", {"keys": keys})


@require_GET
def my_licences(request: HttpRequest) -> HttpResponse:
    rows = selectors.licences_for(request.user, "", audit.current_context().on_behalf_of)[:100]
    return render(request, "licences/mine.html", {"rows": [selectors.list_row(r) for r in rows]})


@require_GET
def my_data_uses(request: HttpRequest) -> HttpResponse:
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    try:
        uses = data_uses.data_uses(request.user, page, 50)
    except Exception:  # a page past the end: the first page
        uses = data_uses.data_uses(request.user, 1, 50)
    return render(request, "licences/data_uses.html", {"uses": uses})
