"""Pages: the operator's screen (keyboard only, htmx suggestions while typing) and the public
tracking page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required, login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from ninja.errors import HttpError

from tongban.core.errors import Conflict, FieldError, NotFound

from . import actions, exposure, knowledge, permissions, routing, selectors, stats, urging_actions, urging_selectors
from .intake import normalise_phone
from .models import CallbackLink, Ticket


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
    articles = knowledge.search(text[:100], limit=3) if len(text) >= 2 else []
    return render(request, "hotline/_suggest.html", {"s": suggestion, "department": department, "earlier": earlier,
                                                     "articles": articles})


def _rating(post: Any) -> dict:
    """The caller's rating from a form: level 1–5, resolved yes/no, comment."""
    level = post.get("level", "")
    resolved = post.get("resolved", "")
    return {"level": int(level) if level.isdigit() else None,
            "resolved": {"yes": True, "no": False}.get(resolved), "comment": post.get("comment", "")[:500]}


def _awaits_rating(ticket: Ticket) -> bool:
    return ticket.status == "closed" and not (ticket.callback and
                                             ticket.callback.get("done_at_reopen") == ticket.reopened_count)


@login_not_required
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Tracking by number and the last four phone digits (or the secret); a closed ticket not yet
    called back can be rated here (anonymous reporters rate here, R25)."""
    context: dict = {}
    status = 200
    if request.method == "POST":
        number = request.POST.get("number", "").strip()[:20]
        proof = (request.POST.get("phone_last4", "").strip()[:4], request.POST.get("secret", "").strip()[:100])
        who = request.META.get("REMOTE_ADDR", "")
        try:
            if request.POST.get("rate"):
                try:
                    actions.callback_by_caller(number, *proof, _rating(request.POST), who=who)
                    context["rated"] = True
                except (FieldError, Conflict) as exc:
                    context["rating_error"] = ("；".join(m for _, m in exc.errors) if isinstance(exc, FieldError)
                                               else exc.message)
                    status = 422 if isinstance(exc, FieldError) else 409
            ticket = selectors.track(number, *proof, who=who)
            context.update(ticket=selectors.public(ticket), proof={"number": number, "phone_last4": proof[0],
                                                                   "secret": proof[1]},
                           awaits_rating=_awaits_rating(ticket))
        except NotFound as exc:
            context["error"] = exc.message
            return render(request, "hotline/track.html", context, status=404)
        except HttpError:
            context["error"] = "尝试次数过多，请稍后再试"
            return render(request, "hotline/track.html", context, status=429)
    return render(request, "hotline/track.html", context, status=status)


@login_not_required
@require_http_methods(["GET", "POST"])
def callback_link(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time SMS callback link: the caller says whether it was solved and rates it."""
    link = (CallbackLink.objects.select_related("ticket", "ticket__department")
            .filter(token_hash=CallbackLink.hash(token[:100])).first())
    if link is None:
        return render(request, "hotline/callback.html", {"gone": "回访链接无效"}, status=404)
    context: dict = {"ticket": link.ticket}
    if request.method == "POST":
        try:
            actions.callback_by_link(token[:100], _rating(request.POST))
            return render(request, "hotline/callback.html", {"done": True, "ticket": link.ticket})
        except FieldError as exc:
            context["errors"] = dict(exc.errors)
            return render(request, "hotline/callback.html", context, status=422)
        except Conflict as exc:
            return render(request, "hotline/callback.html", {"gone": exc.message}, status=409)
    if link.used_at is not None:
        context["gone"] = "该回访链接已使用过，感谢您的评价"
    elif link.expires_at < timezone.now():
        context["gone"] = "该回访链接已过期，如需反映问题请拨打12345"
    return render(request, "hotline/callback.html", context)


@login_not_required
@require_GET
def knowledge_page(request: HttpRequest) -> HttpResponse:
    """Public knowledge-base search (the same articles the operators answer from)."""
    q = request.GET.get("q", "")[:100].strip()
    items = knowledge.search(q, limit=10, log_misses=True) if q else []
    return render(request, "hotline/knowledge.html", {"q": q, "items": items})


@login_not_required
@require_GET
def knowledge_article(request: HttpRequest, pk: int) -> HttpResponse:
    article = knowledge.in_force().filter(pk=pk).first()
    if article is None:
        raise Http404("未找到该知识库文章，或已过有效期")
    return render(request, "hotline/article.html", {"a": knowledge.row(article)})


@login_required
@require_GET
def stats_page(request: HttpRequest) -> HttpResponse:
    """The dashboard (ECharts from static files; the data in a json_script block)."""
    context: dict = {"form": request.GET}
    try:
        data = stats.overview(request.user, request.GET.get("region", "")[:12] or None,
                              request.GET.get("from", "")[:10] or None, request.GET.get("to", "")[:10] or None)
    except FieldError as exc:
        context["errors"] = [m for _, m in exc.errors]
        return render(request, "hotline/stats.html", context, status=422)
    points = [(d["day"][5:], d) for d in data["days"]] or [(m["month"], m) for m in data["months"]]
    chart = {"days": [label for label, _ in points], "filed": [p["filed"] for _, p in points],
             "closed": [p["closed"] for _, p in points], "by_month": not data["days"],
             "categories": [{"name": c["category"], "value": c["filed"]} for c in data["categories"]],
             "regions": [r["name"] for r in data["regions"][:15]][::-1],
             "region_counts": [r["filed"] for r in data["regions"][:15]][::-1],
             "rising": [r["subject"] for r in data["hot"]["rising_subjects"]][::-1],
             "rising_growth": [r["growth"] for r in data["hot"]["rising_subjects"]][::-1]}
    context.update(data=data, chart=chart)
    return render(request, "hotline/stats.html", context)


@login_not_required
@require_GET
def exposure_page(request: HttpRequest) -> HttpResponse:
    """曝光纠错: published problems and their corrections (public facts only)."""
    rows = [exposure.public_row(e) for e in exposure.published()[:100]]
    return render(request, "hotline/exposure.html", {"rows": rows})


def _require_staff(request: HttpRequest) -> None:
    if not permissions.is_staff_reader(request.user):
        raise PermissionDenied


@login_required
@require_GET
def queue_page(request: HttpRequest) -> HttpResponse:
    """The staff queue (operators: all in their region; departments: theirs), nearest deadline first."""
    _require_staff(request)
    status = request.GET.get("status", "")[:20]
    rows = list(selectors.queue(request.user, status=status)[:100])
    open_urgings = urging_selectors.urgings_for(request.user, state="open").count()
    return render(request, "hotline/queue.html", {"rows": rows, "status": status, "open_urgings": open_urgings,
                                                  "statuses": Ticket._meta.get_field("status").choices})


@login_required
@require_http_methods(["GET", "POST"])
def urgings_page(request: HttpRequest) -> HttpResponse:
    """督办: the urgings addressed to the officer's department (operators and supervisors: their
    region's), open ones first with their reply deadline, each answerable here."""
    _require_staff(request)
    context: dict = {"errors": {}}
    status = 200
    if request.method == "POST":
        pk = request.POST.get("urging", "")
        try:
            urging_actions.reply(request.user, int(pk) if pk.isdigit() else 0, request.POST.get("text", "")[:4000])
            from django.shortcuts import redirect

            return redirect(f"{request.path}?done={pk}")
        except FieldError as exc:
            context["errors"], status = dict(exc.errors), 422
        except Conflict as exc:
            context["conflict"], status = exc.message, 409
        except NotFound as exc:
            raise Http404(exc.message) from None
        context["failed"] = pk
    state = request.GET.get("state", "open")[:10]
    try:
        rows = urging_selectors.urgings_for(request.user, state=state if state != "all" else "")
    except FieldError:
        state, rows = "open", urging_selectors.urgings_for(request.user, state="open")
    context.update(rows=[urging_selectors.row(u, request.user) for u in rows[:100]], state=state,
                   done=request.GET.get("done", "")[:12])
    return render(request, "hotline/urgings.html", context, status=status)


def _action_body(action: str, post: Any) -> dict:
    body: dict[str, Any] = {}
    for key in ("department", "reason", "reply", "result_type", "comment", "master", "level"):
        if post.get(key):
            body[key] = post.get(key)[:4000]
    if action == "callback":
        if post.get("unreachable"):
            return {"unreachable": True}
        body.update(_rating(post))
        body = {k: v for k, v in body.items() if v is not None}
    if action == "request-extension":
        days = post.get("days", "")
        body["days"] = int(days) if days.isdigit() else None
    if action == "decide-extension":
        body["approve"] = {"yes": True, "no": False}.get(post.get("approve", ""))
    return body


@login_required
@require_http_methods(["GET", "POST"])
def ticket_page(request: HttpRequest, number: str) -> HttpResponse:
    """One ticket for staff in scope, with a form for every action open to them now."""
    from tongban.identity.models import Department

    _require_staff(request)
    number = number[:20]
    context: dict = {"errors": {}}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")[:30]
        try:
            if action == "add-co-department":
                actions.add_co_department(request.user, number, {k: request.POST.get(k, "")[:4000]
                                                                 for k in ("department", "reason")})
            elif action == "co-reply":
                actions.co_reply(request.user, number, request.POST.get("department", "")[:40],
                                 {"reply": request.POST.get("reply", "")[:4000]})
            else:
                actions.perform(request.user, number, action, _action_body(action, request.POST))
            from django.shortcuts import redirect

            return redirect(f"{request.path}?done={action}")
        except FieldError as exc:
            context["errors"], status = dict(exc.errors), 422
        except Conflict as exc:
            context["conflict"], status = exc.message, 409
        except NotFound as exc:  # an unknown action, or a ticket the department does not hold
            raise Http404(exc.message) from None
        context["failed_action"] = action
    ticket = selectors.staff_ticket(request.user, number)
    if ticket is None:
        raise Http404("未找到该工单")
    user = request.user
    allowed = {a for a in permissions.ACTIONS if permissions.may_act(user, a, ticket)}
    if permissions.may_add_co_department(user, ticket):
        allowed.add("add-co-department")
    mine = permissions.department_ids(user)
    co_mine = [c for c in ticket.co_departments.all() if c.department_id in mine and c.replied_at is None]
    urgings = [urging_selectors.row(u, user) for u in urging_selectors.urgings_for(user, target=ticket.number)
               .filter(target_kind=urging_actions.TICKET)]
    context.update(
        t=ticket, full=selectors.full(user, ticket, record=request.method == "GET"), allowed=allowed, urgings=urgings,
        done=request.GET.get("done", "")[:30],
        levels=[(5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意")],
        co_mine=co_mine,
        departments=Department.objects.order_by("parent_id", "id").only("id", "name") if allowed & {
            "dispatch", "reroute", "add-co-department"} else [])
    return render(request, "hotline/ticket.html", context, status=status)
