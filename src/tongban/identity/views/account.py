"""The signed-in user's own account: identity, enterprises, acting identity, API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.core import audit
from tongban.core.errors import Conflict, FieldError, NotFound

from .. import actions, selectors
from ..forms import ActingForm, TokenForm
from ..middleware import SESSION_ACTING_FOR


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(request, "identity/account.html", {
        "memberships": user.memberships.select_related("enterprise"),
        "roles": user.staff_roles.select_related("department", "region"),
        "acting_for": request.session.get(SESSION_ACTING_FOR, ""),
        "tokens": selectors.tokens_of(user)[:20],
        "agents": _agents_seen_by(user),
        "token_form": TokenForm(),
    })


def _agents_seen_by(user) -> list:
    """The legal representative reads the agents' (masked) identities: each read recorded."""
    return selectors.agents_seen(user, selectors.memberships_to_manage(user)[:50])


@require_POST
def decide_agent(request: HttpRequest, membership_id: int, decision: str) -> HttpResponse:
    """The legal representative approves, refuses or withdraws an agent's authorisation."""
    membership = selectors.memberships_to_manage(request.user).filter(pk=membership_id).first()
    if membership is None or decision not in ("approve", "refuse", "revoke"):
        messages.error(request, "未找到该授权，或您无权处理")
        return redirect("identity:account")
    try:
        if decision == "revoke":
            actions.revoke_membership(request.user, membership)
        else:
            actions.decide_membership(request.user, membership, approve=decision == "approve")
    except (Conflict, NotFound) as exc:
        messages.error(request, exc.message or "该授权已处理")
        return redirect("identity:account")
    done = {"approve": "已确认", "refuse": "已拒绝", "revoke": "已撤销"}[decision]
    messages.success(request, f"{done}{membership.user.name}代表“{membership.enterprise.name}”办事的授权")
    return redirect("identity:account")


@require_POST
def switch_identity(request: HttpRequest) -> HttpResponse:
    """Switch explicitly between acting as oneself and acting for an enterprise."""
    form = ActingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "您未获授权代表该企业办事")
        return redirect("identity:account")
    uscc = form.cleaned_data["uscc"]
    if not uscc:
        request.session.pop(SESSION_ACTING_FOR, None)
        audit.record("identity.acting.self", kind=audit.Kind.AUTH, subject_id=request.user.pk)
        messages.success(request, "已切换为以个人身份办事")
        return redirect("identity:account")
    try:
        membership = selectors.active_membership(request.user, uscc)
    except NotFound as exc:
        messages.error(request, exc.message)
        return redirect("identity:account")
    request.session[SESSION_ACTING_FOR] = uscc
    audit.record("identity.acting.enterprise", kind=audit.Kind.AUTH, subject_id=request.user.pk,
                 obj=membership.enterprise, data={"uscc": uscc})
    messages.success(request, f"已切换为代表“{membership.enterprise.name}”办事，所有操作将记录代办关系")
    return redirect("identity:account")


@require_http_methods(["POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(m for errs in form.errors.values() for m in errs))
        return redirect("identity:account")
    try:
        _, raw = actions.create_token(request.user, days=form.cleaned_data["days"], name=form.cleaned_data["name"])
    except FieldError as exc:
        messages.error(request, exc.errors[0][1])
        return redirect("identity:account")
    return render(request, "identity/token_created.html", {"token": raw})


@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        actions.revoke_token(request.user, selectors.get_token_for(request.user, token_id))
    except NotFound as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "令牌已吊销")
    return redirect("identity:account")
