"""A site's message box (留言) and health dashboard (R23) as pages: the public listing with the
form (signed-in citizens; one message per form token), the staff queue with publish / hide /
answer by htmx, and the dashboard of the latest health check with "check now"."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from tongban.core.errors import Conflict, FieldError, NotFound

from . import health_actions, message_actions, message_selectors, permissions
from .constants import MESSAGE_TEXT_MAX, MESSAGE_TITLE_MAX, MessageStatus


def _site(slug: str):
    try:
        return message_selectors.site_by_slug(slug)
    except NotFound as exc:
        raise Http404(exc.message) from None


@login_not_required
@require_http_methods(["GET", "POST"])
def site_messages(request: HttpRequest, site: str) -> HttpResponse:
    """GET: the published messages and answers, and the form; POST: leave a message."""
    site_root = _site(site)
    errors, typed, status = {}, {}, 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        typed = {k: request.POST.get(k, "") for k in ("title", "text")}
        try:
            row = message_actions.submit(request.user, site_root, form_token=request.POST.get("token", ""), **typed)
        except FieldError as exc:
            errors, status = dict(exc.errors), 422
        except Conflict as exc:
            errors, status = {"form": exc.message}, 429 if isinstance(exc, message_actions.Throttled) else 409
        else:
            ticket = f"，已转12345热线（工单 {row.ticket_number}）" if row.ticket_number else ""
            messages.success(request, f"留言已提交，编号 {row.number}{ticket}。经审核后公开，答复将在本页显示。")
            return redirect("disclosure-site-messages", site=site_root.slug)
    listing = message_selectors.public_messages(site_root)[:50]
    context = {
        "site": site_root,
        "rows": [message_selectors.public_row(r) for r in listing],
        "mine": message_selectors.my_messages(request.user, site_root),
        "errors": errors,
        "typed": typed,
        "token": uuid.uuid4().hex,
        "title_max": MESSAGE_TITLE_MAX,
        "text_max": MESSAGE_TEXT_MAX,
        "may_manage": permissions.may_answer_site(request.user, site_root),
    }
    return render(request, "disclosure/site_messages.html", context, status=status)


def manage_messages(request: HttpRequest, site: str) -> HttpResponse:
    """The site's queue: editors publish or hide, the department answers."""
    site_root = _site(site)
    status = request.GET.get("status", "")
    rows = message_selectors.staff_messages(request.user, site_root, status if status in MessageStatus else "")
    context = {
        "site": site_root,
        "rows": rows[:100],
        "status": status,
        "statuses": MessageStatus.choices,
        "may_moderate": permissions.may_moderate_site(request.user, site_root),
    }
    return render(request, "disclosure/manage_messages.html", context)


@require_POST
def message_action(request: HttpRequest, site: str, message_id: int, action: str) -> HttpResponse:
    site_root = _site(site)
    try:
        row = message_selectors.staff_message(request.user, message_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    if row.site_id != site_root.pk:
        raise Http404("未找到该留言")
    error = ""
    try:
        row = message_actions.perform(
            request.user, row.pk, action, reason=request.POST.get("reason", ""), text=request.POST.get("text", "")
        )
    except FieldError as exc:
        error = "；".join(m for _, m in exc.errors)
    except Conflict as exc:
        error = exc.message
    if request.headers.get("HX-Request"):
        context = {"m": row, "site": site_root, "error": error,
                   "may_moderate": permissions.may_moderate_site(request.user, site_root)}
        return render(request, "disclosure/_message_row.html", context, status=422 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"留言 {row.number} 已{'答复' if action == 'answer' else '处理'}")
    return redirect("disclosure-site-messages-manage", site=site_root.slug)


@require_http_methods(["GET", "POST"])
def site_health(request: HttpRequest, site: str) -> HttpResponse:
    """The latest health check of the site (R23); POST runs it now (without external links,
    which the scheduled job checks)."""
    site_root = _site(site)
    if not permissions.may_moderate_site(request.user, site_root):
        raise PermissionDenied("只有本站编辑或管理员可以查看网站健康检查")
    if request.method == "POST":
        health_actions.run(site_root, actor=request.user, external=False)
        messages.success(request, "已完成检查（外部链接由每日定时检查）")
        return redirect("disclosure-site-health", site=site_root.slug)
    result = message_selectors.latest_health(request.user, site_root)
    return render(request, "disclosure/site_health.html", {"site": site_root, "run": result})
