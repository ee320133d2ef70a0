"""Pages: the operator's screen (keyboard only, htmx suggestions while typing) and the public
tracking page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required, login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods
from ninja.errors import HttpError

from tongban.core.errors import FieldError, NotFound

from . import actions, permissions, routing, selectors
from .intake import normalise_phone
from .models import Ticket


def _require_operator(request: HttpRequest) -> None:
    if not permissions.is_operator(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def operator(request: HttpRequest) -> HttpResponse:
    _require_operator(request)
    context: dict = {"form": request.POST, "errors": {}}
    if request.method == "POST":
        try:
            _, answer = actions.file_ticket(request.user, request.POST.dict())
            context.update(answer=answer, form={})
        except FieldError as exc:
            context["errors"] = dict(exc.errors)
    return render(request, "hotline/operator.html", context, status=422 if context["errors"] else 200)


@login_required
@require_GET
def operator_suggest(request: HttpRequest) -> HttpResponse:
    """htmx: the earlier tickets of the phone number and the suggestion for the words so far."""
    _require_operator(request)
    text = request.GET.get("text", "")[:4000].strip()
    suggestion = routing.suggest(text, None) if len(text) >= 4 else None
    department = routing.department_for(suggestion.kind, None) if suggestion else None
    earlier = []
    try:
        phone = normalise_phone(request.GET.get("phone", "")[:30])
    except FieldError:
        phone = ""
    if phone:
        earlier = list(Ticket.objects.filter(caller_phone=phone).select_related("subject").order_by("-filed_at")[:5])
    return render(request, "hotline/_suggest.html", {"s": suggestion, "department": department, "earlier": earlier})


@login_not_required
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    context: dict = {}
    if request.method == "POST":
        number = request.POST.get("number", "").strip()[:20]
        try:
            ticket = selectors.track(number, request.POST.get("phone_last4", "").strip()[:4],
                                     request.POST.get("secret", "").strip()[:100],
                                     who=request.META.get("REMOTE_ADDR", ""))
            context["ticket"] = selectors.public(ticket)
        except NotFound as exc:
            context["error"] = exc.message
            return render(request, "hotline/track.html", context, status=404)
        except HttpError:
            context["error"] = "尝试次数过多，请稍后再试"
            return render(request, "hotline/track.html", context, status=429)
    return render(request, "hotline/track.html", context)
