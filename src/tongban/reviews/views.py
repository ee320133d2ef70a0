"""Pages of reviews: the review form of a case (`/reviews/new?case=`), my reviews (append,
ask-again), the one-time token page (SMS link, window kiosk — public, never the form when used
or expired), the rectification queues of department heads and supervisors, and a
rectification's page with its actions. Thin views over the same actions and selectors as the
API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.core.errors import Conflict, FieldError, NotFound

from . import actions, checks, permissions, rectification, selectors
from .constants import RECT_ACTIONS, Channel, Finding, Level
from .models import ReasonTag

LEVELS = [(int(v), str(label)) for v, label in Level.choices]


def _errors(exc: FieldError) -> dict[str, str]:
    out: dict[str, str] = {}
    for field, message in exc.errors:
        key = (field or "form").split(".", 1)[0]
        out[key] = f"{out[key]}；{message}" if key in out else message
    return out


def _tag_groups() -> list[dict[str, Any]]:
    tags = list(ReasonTag.objects.filter(active=True))
    return [{"title": "满意的原因（基本满意及以上）", "tags": [t for t in tags if t.min_level >= 3]},
            {"title": "不满意的原因（不满意、非常不满意）", "tags": [t for t in tags if t.max_level <= 2]}]


def _level(raw: str | None) -> Any:
    try:
        return int(raw or "")
    except ValueError:
        return raw


def _form(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    context.setdefault("levels", LEVELS)
    context.setdefault("groups", _tag_groups())
    context.setdefault("errors", {})
    context.setdefault("values", {})
    context.setdefault("chosen", [])
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """The applicant's review of one finished case, or the caller's of one closed 12345 ticket
    (signed in; large-text friendly)."""
    from tongban.cases import selectors as case_selectors
    from tongban.hotline.models import Ticket

    number = (request.GET.get("case") or request.POST.get("case") or "").strip()
    ticket_no = (request.GET.get("ticket") or request.POST.get("ticket") or "").strip()
    if permissions.is_staff(request.user):
        raise PermissionDenied("工作人员不能代替申请人评价")
    case = ticket = None
    if number:
        case = case_selectors.visible_cases(request.user).filter(number=number).select_related(
            "item", "department").first()
    elif ticket_no:
        ticket = Ticket.objects.filter(number=ticket_no, caller_user=request.user).select_related(
            "department", "last_department").first()
    if case is None and ticket is None:
        raise Http404("未找到该办件或工单")
    context: dict[str, Any] = {"case": case, "ticket": ticket,
                               "query": f"case={number}" if case else f"ticket={ticket_no}"}
    if request.method == "POST":
        try:
            actions.submit_review(request.user, case=number if case else None, ticket=ticket_no if ticket else None,
                                  level=_level(request.POST.get("level")), comment=request.POST.get("comment", ""),
                                  tags=request.POST.getlist("tags"), channel=Channel.PORTAL)
        except FieldError as exc:
            return _form(request, "reviews/new.html", {**context, "errors": _errors(exc), "values": request.POST,
                                                       "chosen": request.POST.getlist("tags")}, 422)
        except Conflict as exc:
            return _form(request, "reviews/new.html", {**context, "errors": {"form": exc.message}}, 409)
        except NotFound as exc:
            raise Http404(exc.message) from None
        messages.success(request, "感谢您的评价。")
        return redirect("reviews:mine")
    return _form(request, "reviews/new.html", context)


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.list_reviews(request.user).filter(reviewer=request.user), 20) \
        .get_page(request.GET.get("page"))
    rows = [selectors.review_row(r) for r in page.object_list]
    return render(request, "reviews/mine.html", {"page": page, "rows": rows, "levels": LEVELS,
                                                 "asked": selectors.re_ratings_awaited(request.user)})


@require_POST
def append(request: HttpRequest, review_id: int) -> HttpResponse:
    try:
        review = selectors.get_review(request.user, review_id)
        actions.append(request.user, review, request.POST.get("comment", ""))
        messages.success(request, "追评已提交。")
    except NotFound as exc:
        raise Http404(exc.message) from None
    except (FieldError, Conflict) as exc:
        messages.error(request, "；".join(m for _, m in exc.errors) if isinstance(exc, FieldError) else exc.message)
    return redirect("reviews:mine")


def _gone(request: HttpRequest, why: str, status: int) -> HttpResponse:
    return render(request, "reviews/token_gone.html", {"why": why}, status=status)


def _token_page(request: HttpRequest, lookup: Callable[[], Any], submit: Callable[[Any, Any], Any],
                template: str, context_of: Callable[[Any], dict[str, Any]], staff_refused: str) -> HttpResponse:
    """A one-time link's page: the form while the token is good; unknown → 404, used or expired
    → a page saying so (409), never the form; staff signed in are refused (403)."""
    try:
        context = context_of(lookup())
    except NotFound as exc:
        return _gone(request, exc.message, 404)
    except Conflict as exc:
        return _gone(request, exc.message, 409)
    user = request.user if request.user.is_authenticated else None
    if user is not None and permissions.is_staff(user):
        return _gone(request, staff_refused, 403)
    if request.method == "POST":
        try:
            submit(user, _level(request.POST.get("level")))
        except FieldError as exc:
            return _form(request, template, {**context, "errors": _errors(exc), "values": request.POST,
                                             "chosen": request.POST.getlist("tags")}, 422)
        except Conflict as exc:
            return _gone(request, exc.message, 409)
        except NotFound as exc:
            return _gone(request, exc.message, 404)
        return render(request, "reviews/token_done.html", {})
    return _form(request, template, context)


@login_not_required
@require_http_methods(["GET", "POST"])
def by_token(request: HttpRequest, token: str) -> HttpResponse:
    """SMS link or window kiosk: the form for that one event; used or expired → a page saying so."""
    def submit(user: Any, level: Any) -> None:
        actions.submit_with_token(token, level=level, comment=request.POST.get("comment", ""),
                                  tags=request.POST.getlist("tags"), actor=user)

    return _token_page(request, lambda: checks.invitation_for(token), submit, "reviews/token.html",
                       lambda inv: {"inv": inv, "event": inv.case or inv.visit, "token": token},
                       "工作人员不能代替申请人评价，请将评价器交给办事群众。")


@login_not_required
@require_http_methods(["GET", "POST"])
def re_rate_by_token(request: HttpRequest, token: str) -> HttpResponse:
    """The SMS link of a re-rating request (R27): the re-rating form alone, once."""
    return _token_page(request, lambda: checks.rerating_token_for(token),
                       lambda user, level: rectification.re_rate_with_token(token, level=level, actor=user),
                       "reviews/re_rate.html",
                       lambda t: {"row": selectors.review_row(t.rectification.review), "token": token},
                       "工作人员不能代替评价人再次评价。")


# --- rectifications -----------------------------------------------------------------------------------

def _staff_queue_user(user: Any) -> None:
    if not permissions.is_staff(user):
        raise PermissionDenied("差评整改待办仅供部门和监督人员使用")


@require_GET
def rectifications(request: HttpRequest) -> HttpResponse:
    _staff_queue_user(request.user)
    state = request.GET.get("state", "open")
    if state not in ("", "open", "closed", "rerated", "excluded"):
        state = "open"
    rows = [selectors.rectification_row(r) for r in selectors.rectification_queue(request.user, state=state)]
    return render(request, "reviews/rectifications.html", {
        "rows": rows, "state": state, "supervisor": permissions.is_supervisor(request.user)})


def _rect_page(request: HttpRequest, review_id: int, *, errors: dict[str, str] | None = None,
               status: int = 200) -> HttpResponse:
    rect = selectors.visible_rectifications(request.user).filter(review_id=review_id).first()
    if rect is None:
        raise Http404("未找到该整改单")
    rect = selectors.get_rectification(request.user, rect.pk)
    return render(request, "reviews/rectification.html", {
        "rect": rect, "row": selectors.rectification_row(rect, steps=True), "errors": errors or {},
        "serves": permissions.serves(request.user, rect), "supervises": permissions.supervises(request.user, rect),
        "reviewer": rect.review.reviewer_id == request.user.pk, "findings": Finding.choices, "levels": LEVELS},
        status=status)


@require_GET
def rectification_page(request: HttpRequest, review_id: int) -> HttpResponse:
    return _rect_page(request, review_id)


@require_POST
def rectification_act(request: HttpRequest, review_id: int, action: str) -> HttpResponse:
    if action not in RECT_ACTIONS:
        raise Http404("未知的整改操作")
    body = {k: request.POST.get(k) for k in ("finding", "evidence", "when", "how", "what", "outcome", "reason",
                                             "decision")}
    body["level"] = _level(request.POST.get("level"))
    try:
        rectification.perform(request.user, review_id, action, body,
                              selectors.visible_rectifications(request.user))
    except NotFound as exc:
        raise Http404(exc.message) from None
    except FieldError as exc:
        return _rect_page(request, review_id, errors=_errors(exc), status=422)
    except Conflict as exc:
        return _rect_page(request, review_id, errors={"form": exc.message}, status=409)
    messages.success(request, "已办理。")
    return redirect("reviews:rectification", review_id=review_id)
