"""A site's message box (留言), health dashboard (R23) and administration (站点管理) as pages: the
public listing with the form (signed-in citizens; one message per form token), the staff queue
with publish / hide / answer by htmx, the dashboard of the latest health check with "check now",
and the site administrator's screen: its staff (grant, revoke) and its settings (R22 footer,
message box), by site_admin.py's rules — 404 to anyone but its administrators."""

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

from . import health_actions, message_actions, message_selectors, permissions, site_admin
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
        "may_administer": site_admin.is_site_admin(request.user, site_root),
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
    context = {"site": site_root, "run": result, "may_administer": site_admin.is_site_admin(request.user, site_root)}
    return render(request, "disclosure/site_health.html", context)


# --- 站点管理: a site's administrator (site_admin.py) ----------------------------------------------------

# the settings form: (field, label, help); text limits and required fields are site_admin's
SETTINGS_TEXT = (
    ("organiser", "主办单位", "网站页脚标明的主办单位（R22，必填）"),
    ("contact", "联系方式", "网站页脚标明的联系电话或地址（R22，必填）"),
    ("site_code", "网站标识码", "政府网站标识码，如 2102000001"),
)
SETTINGS_SWITCHES = (
    ("messages_enabled", "开通网站留言", "关闭后本站留言页不再接收新留言"),
    ("messages_to_hotline", "留言转12345热线", "开启后，每条留言提交时即转为12345工单，工单编号记入留言"),
)


def _administered(request: HttpRequest, slug: str):
    """The site, when the caller administers it; 404 otherwise (as the API)."""
    try:
        return site_admin.admin_site(request.user, slug)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _admin_page(request: HttpRequest, site_root, *, status: int = 200, typed: dict | None = None,
                errors: dict | None = None, grant: dict | None = None, grant_errors: dict | None = None,
                revoke_error: str = "") -> HttpResponse:
    user, errors = request.user, errors or {}
    values = typed if typed is not None else site_admin.site_settings(site_root)
    grantable = site_admin.grantable_roles(user)
    staff = [
        {**row, "roles": [(r, site_admin.SITE_ROLES[r], r in grantable) for r in row["roles"]]}
        for row in site_admin.site_staff(user, site_root)
    ]
    context = {
        "site": site_root,
        "staff": staff,
        "roles": [(r, site_admin.SITE_ROLES[r]) for r in grantable],
        "appoints_admins": "admin" in grantable,
        "grant": grant or {"role": "editor"},
        "grant_errors": grant_errors or {},
        "revoke_error": revoke_error,
        "text_fields": [
            {"name": n, "label": label, "help": help_text, "value": values.get(n, ""), "error": errors.get(n),
             "limit": site_admin.TEXT_LIMITS[n], "required": n in site_admin.REQUIRED}
            for n, label, help_text in SETTINGS_TEXT
        ],
        "switches": [
            {"name": n, "label": label, "help": help_text, "checked": bool(values.get(n)), "error": errors.get(n)}
            for n, label, help_text in SETTINGS_SWITCHES
        ],
        "settings_error": "；".join(m for f, m in errors.items() if f not in site_admin.SETTINGS_FIELDS),
    }
    return render(request, "disclosure/site_admin.html", context, status=status)


@require_http_methods(["GET", "POST"])
def site_admin_page(request: HttpRequest, site: str) -> HttpResponse:
    """GET: the site's staff and settings; POST: save the settings (a new revision, published when
    the site is live). Errors are shown at their fields and the form keeps what was typed."""
    site_root = _administered(request, site)
    if request.method == "POST":
        typed = {name: request.POST.get(name, "") for name, _, _ in SETTINGS_TEXT}
        typed |= {name: name in request.POST for name, _, _ in SETTINGS_SWITCHES}
        try:
            site_admin.update_settings(request.user, site_root, dict(typed))
        except FieldError as exc:
            return _admin_page(request, site_root, status=422, typed=typed, errors=dict(exc.errors))
        messages.success(request, "本站设置已保存" + ("并已发布" if site_root.live else ""))
        return redirect("disclosure-site-admin", site=site_root.slug)
    return _admin_page(request, site_root)


@require_POST
def site_staff_action(request: HttpRequest, site: str, action: str) -> HttpResponse:
    """Grant (`grant`) or revoke (`revoke`) a role of the site to a staff account."""
    site_root = _administered(request, site)
    if action not in ("grant", "revoke"):
        raise Http404("未找到该操作")
    username, role = request.POST.get("username", "").strip(), request.POST.get("role", "")
    try:
        if action == "grant":
            site_admin.grant(request.user, site_root, username, role)
        else:
            site_admin.revoke(request.user, site_root, username, role)
    except FieldError as exc:
        if action == "grant":
            return _admin_page(request, site_root, status=422, grant={"username": username, "role": role},
                               grant_errors=dict(exc.errors))
        return _admin_page(request, site_root, status=422, revoke_error="；".join(m for _, m in exc.errors))
    label = site_admin.SITE_ROLES[role]
    done = f"已任命 {username} 为本站{label}" if action == "grant" else f"已免去 {username} 的本站{label}角色"
    messages.success(request, done)
    return redirect("disclosure-site-admin", site=site_root.slug)
