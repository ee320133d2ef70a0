"""The officers' pages of cases, mounted under /staff/cases/ (staff session with TOTP): the
queue of their department and region (filters, soonest deadline first, paginated) and the case
page with the actions its state allows, as forms calling `cases.actions`.

With htmx an action form swaps the case panel in place (the new state, or the form with its
errors); without JavaScript the same forms post and redirect back (or re-render with 422/409).
A 409 — another officer acted first, or the case changed since the page was loaded
(`lock_version`) — is an inline message, never a 500."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.core.errors import Conflict, FieldError

from . import actions, pages, permissions, selectors
from .constants import ACTION_LABELS, Channel, Status
from .models import Case
from .views import _case_or_404, _int, case_context, field_errors

PAGE_SIZE = 20
# The actions these pages offer, in the order they are shown.
PAGE_ACTIONS = ("accept", "request-correction", "reject", "approve", "deny", "review")
DECISIONS = frozenset({"approve", "deny"})


def _require_staff(request: HttpRequest) -> None:
    if not pages.is_case_staff(request.user):
        raise PermissionDenied


def _flag(value: str | None) -> bool:
    return (value or "") in ("1", "true", "on", "yes")


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    get = request.GET
    status = get.get("status", "") if get.get("status", "") in Status.values else ""
    filters = {"status": status, "warned": _flag(get.get("warned")), "overdue": _flag(get.get("overdue")),
               "item": get.get("item", "").strip()[:40], "channel": get.get("channel", "")}
    page = Paginator(pages.officer_queue(request.user, **filters), PAGE_SIZE).get_page(get.get("page"))
    rows = []
    for case in page.object_list:
        row = selectors.list_row(case)
        row["clock_words"] = pages.clock_words(row["clock_state"])
        row["deadline_day"] = pages.parse_day(row["deadline"])
        row["applicant"] = case.on_behalf_of.name if case.on_behalf_of_id else case.applicant.name
        rows.append(row)
    query = get.copy()
    query.pop("page", None)
    return render(request, "cases/staff/queue.html", {
        "page": page, "rows": rows, "filters": filters, "statuses": Status.choices, "channels": Channel.choices,
        "items": pages.queue_items(request.user), "query": query.urlencode(),
        "can_file_walk_in": bool(_window_grants(request.user))})


def allowed_actions(user: Any, case: Case) -> list[str]:
    """The actions of these pages that the state allows and the user may take: the 受理-stage
    ones for window staff, officers and heads of the department (`permissions.receives`),
    deciding for officers and heads (`permissions.handles`) — as `cases.actions` checks them."""
    receives, handles = permissions.receives(user, case), permissions.handles(user, case)
    wanted = []
    if case.status == Status.SUBMITTED:
        wanted = ["accept", "request-correction", "reject"]
    elif case.status == Status.CORRECTION and case.accepted_on is None:
        wanted = ["reject"]
    elif case.status == Status.ACCEPTED:
        wanted = ["request-correction", "approve", "deny"]
        slot = None if receives else permissions.parallel_slot(user, case)
        if slot is not None and not slot.opinion:
            return ["review"]  # 并联审批: the parallel department gives its opinion, the lead decides
    return [a for a in wanted if (handles if a in DECISIONS else receives)]


def _panel_context(request: HttpRequest, case: Case, *, action: str = "", errors: dict[str, str] | None = None,
                   values: Any = None, done: str = "") -> dict[str, Any]:
    context = case_context(request.user, case, for_applicant=False)
    materials = context["detail"]["materials"]
    first = context["detail"]["corrections"][0]["materials"] if context["detail"]["corrections"] else None
    context.update({
        "actions": [{"name": a, "label": ACTION_LABELS[a]} for a in allowed_actions(request.user, case)],
        "tolerable": [m for m in materials if m["tolerable"] and m["provision"] in ("missing", "promised")],
        # R9: a later correction may name only materials of the first notice
        "correctable": [m for m in materials if first is None or m["name"] in first],
        "first_notice": first, "failed_action": action, "errors": errors or {},
        "values": values if values is not None else {},
        "chosen": set(values.getlist("materials")) if values else set(),
        "chosen_missing": set(values.getlist("missing")) if values else set(),
        "done": done,
    })
    return context


@require_GET
def case_page(request: HttpRequest, number: str) -> HttpResponse:
    _require_staff(request)
    case = _case_or_404(request.user, number)
    return render(request, "cases/staff/case.html", _panel_context(request, case))


def _body(post: Any) -> dict[str, Any]:
    return {"materials": post.getlist("materials"), "missing": post.getlist("missing"),
            "reason": post.get("reason", ""), "basis": post.get("basis", ""),
            "opinion": post.get("opinion", ""), "note": post.get("note", ""),
            "lock_version": _int(post.get("lock_version"))}


@require_POST
def act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    _require_staff(request)
    case = _case_or_404(request.user, number)
    htmx = request.headers.get("HX-Request") == "true"
    if action not in PAGE_ACTIONS:
        return _failed(request, case, action, {"form": f"没有名为“{action}”的办理操作"}, 404, htmx)
    try:
        actions.perform(request.user, case, action, _body(request.POST))
    except FieldError as exc:
        return _failed(request, case, action, field_errors(exc), 422, htmx)
    except Conflict as exc:
        return _failed(request, case, action, {"form": exc.message}, 409, htmx)
    done = f"已{ACTION_LABELS[action]}：办件 {number}"
    if htmx:
        fresh = _case_or_404(request.user, number)
        return render(request, "cases/staff/_panel.html", _panel_context(request, fresh, done=done))
    messages.success(request, done)
    return redirect("staff:cases:case", number=number)


def _failed(request: HttpRequest, case: Case, action: str, errors: dict[str, str], status: int,
            htmx: bool) -> HttpResponse:
    fresh = _case_or_404(request.user, case.number)  # what the case is now (another officer may have acted)
    context = _panel_context(request, fresh, action=action, errors=errors, values=request.POST)
    if htmx:  # htmx swaps 2xx only: the panel with its message comes back as 200
        return render(request, "cases/staff/_panel.html", context)
    return render(request, "cases/staff/case.html", context, status=status)


# --- window filing for a walk-in (帮办代办, issue 5 item 1) -----------------------------------------

def _window_grants(user: Any) -> list[Any]:
    from tongban.identity.constants import Role
    from tongban.identity.scoping import grants_of

    return [g for g in grants_of(user) if g.role == Role.WINDOW]


def _window_implementations(grants: list[Any]) -> list[Any]:
    """The implementations the window receives for: in its regions, of its department when it has one."""
    from django.db.models import Q

    from tongban.catalog.models import ItemImplementation

    scope = Q(pk__in=[])
    for g in grants:
        here = Q(region_id=[c for c in g.region_path.strip("/").split("/") if c][-1])
        scope |= here & Q(department_id=g.department_id) if g.department_id else here
    return list(ItemImplementation.objects.filter(scope, active=True, item__active=True,
                                                  item__current_version__isnull=False)
                .select_related("item", "region").order_by("item__code", "region_id"))


def _walk_in_page(request: HttpRequest, impls: list[Any], *, chosen: Any = None, values: Any = None,
                  errors: dict[str, str] | None = None, status: int = 200) -> HttpResponse:
    import uuid

    from tongban.catalog import selectors as catalog

    from . import materials as mats

    rows = []
    if chosen is not None:
        rows = [{"name": r["name"], "source": r["source"].split(":", 1)[0], "required": r["required"],
                 "hint": r.get("provision_hint", "")}
                for r in mats.material_list(catalog.version_in_force(chosen.item), {})]
    return render(request, "cases/staff/walk_in.html", {
        "implementations": impls, "chosen": chosen, "materials": rows, "values": values or {},
        "received": set(values.getlist("received")) if hasattr(values, "getlist") else set(),
        "errors": errors or {}, "token": uuid.uuid4().hex}, status=status)


@require_http_methods(["GET", "POST"])
def walk_in(request: HttpRequest) -> HttpResponse:
    """窗口收件: window staff file a case for a walk-in applicant — the same `Case` as online,
    channel 窗口, recording who acted for whom; the paper materials received at the counter are
    recorded as submitted. A double-clicked submit files one case (a one-time form token)."""
    import json

    from django.db import IntegrityError, transaction

    from tongban.core.models import IdempotencyRecord

    grants = _window_grants(request.user)
    if not grants:
        raise PermissionDenied("只有窗口工作人员可以为申请人登记收件")
    impls = _window_implementations(grants)
    by_key = {f"{i.item.code}@{i.region_id}": i for i in impls}
    source = request.POST if request.method == "POST" else request.GET
    chosen = by_key.get(source.get("implementation", ""))
    if request.method != "POST":
        if source.get("implementation") and chosen is None:
            return _walk_in_page(request, impls, values=source, status=422,
                                 errors={"implementation": "请选择本窗口受理的事项"})
        return _walk_in_page(request, impls, chosen=chosen, values=source)
    if chosen is None:
        return _walk_in_page(request, impls, values=source, status=422,
                             errors={"implementation": "请选择本窗口受理的事项"})
    applicant = (source.get("applicant") or "").strip()[:18]
    if not applicant:
        return _walk_in_page(request, impls, chosen=chosen, values=source, status=422,
                             errors={"applicant": "请填写申请人的公民身份号码"})
    token = (source.get("token") or "").strip()[:64]
    if not token:
        return _walk_in_page(request, impls, chosen=chosen, values=source, status=422,
                             errors={"form": "表单已失效，请重新提交"})
    caller, key = f"u{request.user.pk}", f"walk-in:{token}"
    earlier = IdempotencyRecord.objects.filter(caller=caller, key=key).first()
    if earlier is not None and earlier.body:  # a double-clicked submit: the case it filed
        return redirect("staff:cases:case", number=json.loads(earlier.body)["number"])
    claims = [{"name": n, "provision": "uploaded", "reference": "window-paper"} for n in source.getlist("received")]
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(caller=caller, key=key, method="POST",
                                                      path=request.path[:300], request_hash="")
            case = actions.submit(request.user, item=chosen.item.code, region=chosen.region_id,
                                  applicant=applicant,
                                  on_behalf_of=(source.get("on_behalf_of") or "").strip()[:18] or None,
                                  materials=claims)
            record.status, record.body = 201, json.dumps({"number": case.number})
            record.save(update_fields=["status", "body"])
    except IntegrityError:
        return _walk_in_page(request, impls, chosen=chosen, values=source, status=409,
                             errors={"form": "正在登记，请稍候在办件待办中查看"})
    except FieldError as exc:
        return _walk_in_page(request, impls, chosen=chosen, values=source, status=422, errors=field_errors(exc))
    except Conflict as exc:
        return _walk_in_page(request, impls, chosen=chosen, values=source, status=409, errors={"form": exc.message})
    messages.success(request, f"已登记收件：办件 {case.number}（窗口代办，申请人 {case.applicant.name}）")
    return redirect("staff:cases:case", number=case.number)
