"""Pages of the licence library: the public verification page and key register, the holder's
licences and their data-use tracker. Thin: the same selectors as the API."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.core import audit
from tongban.core.errors import Conflict, FieldError, NotFound

from . import data_uses, objection_actions, selectors, throttle, vault, vault_actions
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
    return _data_uses_page(request)


def _data_uses_page(request: HttpRequest, message: str = "") -> HttpResponse:
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    try:
        uses = data_uses.data_uses(request.user, page, 50)
    except Exception:  # a page past the end: the first page
        uses = data_uses.data_uses(request.user, 1, 50)
    return render(request, "licences/data_uses.html", {"uses": uses, "message": message})


@require_POST
def data_use_objection(request: HttpRequest, use_id: int) -> HttpResponse:
    try:
        objection = objection_actions.file_objection(request.user, use_id, request.POST.get("reason", ""))
        message = f"异议已提交，将于 {objection.due.isoformat()} 前答复。"
    except FieldError as exc:
        message = "；".join(m for _, m in exc.errors)
    except (NotFound, Conflict) as exc:
        message = exc.message
    return _data_uses_page(request, message)


@require_GET
def my_vault(request: HttpRequest) -> HttpResponse:
    return _vault_page(request)


def _vault_page(request: HttpRequest, message: str = "") -> HttpResponse:
    rows = [vault.row(e) for e in vault.entries_of(request.user)[:200]]
    return render(request, "licences/vault.html", {"rows": rows, "message": message})


@require_POST
def vault_delete(request: HttpRequest, entry_id: int) -> HttpResponse:
    try:
        vault_actions.delete_entry(request.user, entry_id)
        message = "已从材料库删除。"
    except NotFound:
        message = "未找到该材料。"
    return _vault_page(request, message)


@require_http_methods(["GET", "POST"])
def case_consents(request: HttpRequest, number: str) -> HttpResponse:
    """证照调取授权 of one case: each fetch's preview and state; the applicant consents or
    withdraws (until acceptance). Whoever may not see the case gets the ordinary 404."""
    from django.core.exceptions import PermissionDenied

    from tongban.cases import consents
    from tongban.cases.selectors import get_case

    try:
        case = get_case(request.user, number)
    except NotFound:
        raise Http404 from None
    message, error, status = "", "", 200
    if request.method == "POST":
        position = request.POST.get("position", "")
        try:
            if request.POST.get("action") == "grant-all":
                done = consents.grant_all(request.user, case, request.POST.get("digest") or None)
                message = f"已一次同意并调取 {len(done)} 项。"
            elif not position.isdigit():
                raise FieldError("material", "请选择材料")
            elif request.POST.get("action") == "withdraw":
                m = consents.withdraw(request.user, case, int(position))
                message = f"已撤回同意：《{m.name}》不再调取，改为未提交。"
            else:
                f = consents.grant(request.user, case, int(position), request.POST.get("digest") or None)
                message = f"已同意并调取《{f.material}》。"
        except PermissionDenied as exc:
            error, status = str(exc), 403
        except FieldError as exc:
            error, status = "；".join(m for _, m in exc.errors), 422
        except Conflict as exc:
            error, status = exc.message, 409
        case = get_case(request.user, number)
    from tongban.cases import permissions

    rows = consents.case_fetches(case)
    waiting = consents.pending(rows)
    parent = bool(case.bundle_id and not case.item_version_id)
    return render(request, "licences/consents.html", {
        "case": case, "rows": [f.out() for f in rows], "message": message, "error": error, "parent": parent,
        "departments": consents.by_department(rows), "pending": len(waiting),
        "digest": consents.combined_digest(waiting) if waiting else "",
        "own": permissions.speaks_for_applicant(request.user, case),
        "open": parent or (case.accepted_on is None and case.status in consents.OPEN_STATES)}, status=status)
