"""Identity endpoints of INTERFACES.md (Foundation) and the caller's own tokens."""


from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router
from ninja.throttling import AnonRateThrottle

from tongban.core.errors import FieldError
from tongban.core.idempotency import idempotent
from tongban.core.masking import mask_id_number, mask_phone
from tongban.core.pagination import paginate

from . import actions, selectors
from .authentication import ACTING_HEADER
from .models import ApiToken, EnterpriseMembership, InboxMessage, StaffRole, User
from .permissions import is_staff_member
from .schemas import (
    AccountOut,
    EnterpriseIn,
    MembershipOut,
    MeOut,
    NewTokenOut,
    RegisterIn,
    SmsLoginIn,
    SmsSendIn,
    TokenIn,
    TokenOut,
)
from .views.messages import attachment_response

router = Router(tags=["身份与组织"])


def _role(r: StaffRole) -> dict:
    return {"role": r.role, "role_name": r.get_role_display(), "department": r.department_id,
            "department_name": r.department.name if r.department_id else None,
            "region": r.region_id, "region_name": r.region.name}


def _membership(m: EnterpriseMembership) -> dict:
    return {"id": m.pk, "uscc": m.enterprise_id, "enterprise": m.enterprise.name, "role": m.role,
            "status": m.status, "status_name": m.get_status_display()}


def _account(user: User) -> dict:
    return {"id": user.pk, "username": user.username, "name": user.name,
            "real_name_level": user.real_name_level, "id_number": mask_id_number(user.id_number),
            "phone": mask_phone(user.phone)}


@router.get("/regions", auth=None, summary="行政区划树")
def regions(request: HttpRequest) -> list[dict]:
    return selectors.region_tree()


@router.get("/departments", auth=None, summary="部门列表")
def departments(request: HttpRequest, page: int = 1, page_size: int = 100, region: str = "") -> dict:
    rows = selectors.departments_public()
    if region:
        rows = rows.filter(region__path__startswith=selectors.get_region(region).path)
    return paginate(rows, page, page_size, lambda d: {
        "id": d.pk, "name": d.name, "abbr": d.abbr, "uscc": d.uscc, "region": d.region_id,
        "region_name": d.region.name, "parent": d.parent_id})


@router.get("/me", response=MeOut, summary="当前用户")
def me(request: HttpRequest) -> dict:
    user: User = request.auth
    roles = [_role(r) for r in user.staff_roles.select_related("department", "region")]
    memberships = [_membership(m) for m in user.memberships.select_related("enterprise")]
    session = getattr(request, "session", None)
    acting = request.META.get(ACTING_HEADER) or (session.get("acting_for") if session is not None else None)
    return {**_account(user), "kind": user.kind, "roles": roles,
            "department": roles[0]["department"] if roles else None,
            "region": roles[0]["region"] if roles else None,
            "enterprises": memberships, "acting_for": acting or None}


@router.post("/accounts/register", auth=None, response={201: AccountOut}, summary="自然人注册",
             throttle=[AnonRateThrottle("30/m")])
@idempotent
def register(request: HttpRequest, payload: RegisterIn):
    user = actions.register_person(**payload.dict())
    return 201, _account(user)


@router.post("/me/enterprises", response={201: MembershipOut}, summary="申请代表企业办事")
@idempotent
def request_enterprise(request: HttpRequest, payload: EnterpriseIn):
    membership = actions.request_enterprise(request.auth, **payload.dict())
    return 201, _membership(membership)


@router.get("/me/enterprises", summary="我可代表的企业")
def my_enterprises(request: HttpRequest) -> list[dict]:
    rows = EnterpriseMembership.objects.visible_to(request.auth).select_related("enterprise")
    return [_membership(m) for m in rows]


def _agent_membership(m: EnterpriseMembership) -> dict:
    """An agent's authorisation as the legal representative sees it: who (masked beyond the
    name they need to recognise), since when, in what state."""
    return {**_membership(m), "agent": m.user.name, "agent_id_number": mask_id_number(m.user.id_number),
            "agent_phone": mask_phone(m.user.phone), "requested_at": m.requested_at, "decided_at": m.decided_at}


@router.get("/enterprises/{uscc}/memberships", summary="本企业的经办人授权（法定代表人确认或撤销）")
def enterprise_memberships(request: HttpRequest, uscc: str, page: int = 1, page_size: int = 20) -> dict:
    found = paginate(selectors.memberships_to_manage(request.auth, uscc.strip().upper()), page, page_size)
    found["items"] = [_agent_membership(m) for m in selectors.agents_seen(request.auth, found["items"])]
    return found


@router.post("/enterprises/{uscc}/memberships/{membership_id}/{decision}", response=MembershipOut,
             summary="确认、拒绝或撤销经办人授权（decision：approve、refuse、revoke）")
def decide_enterprise_membership(request: HttpRequest, uscc: str, membership_id: int, decision: str) -> dict:
    if decision not in DECISIONS:
        raise FieldError("decision", f"未知的操作“{decision[:20]}”，可选：{'、'.join(DECISIONS)}")
    membership = selectors.get_membership_to_manage(request.auth, uscc.strip().upper(), membership_id)
    return _membership(DECISIONS[decision](request.auth, membership))


DECISIONS = {
    "approve": lambda actor, m: actions.decide_membership(actor, m, approve=True),
    "refuse": lambda actor, m: actions.decide_membership(actor, m, approve=False),
    "revoke": actions.revoke_membership,
}


def _message(m: InboxMessage) -> dict:
    return {"id": m.pk, "kind": m.kind, "title": m.title, "body": m.body, "link": m.link,
            "enterprise": m.enterprise_id, "created_at": m.created_at, "read": m.read_at is not None,
            "attachment": f"/api/me/messages/{m.pk}/attachment" if m.attachment else None,
            "attachment_name": m.attachment_name or None}


@router.get("/me/messages", summary="消息中心：我的消息（通知书、提醒）")
def my_messages(request: HttpRequest, unread: bool = False, page: int = 1, page_size: int = 20) -> dict:
    rows = selectors.messages_of(request.auth)
    if unread:
        rows = rows.filter(read_at__isnull=True)
    result = paginate(rows, page, page_size, _message)
    result["unread"] = selectors.messages_of(request.auth).filter(read_at__isnull=True).count()
    return result


@router.post("/me/messages/{message_id}/read", summary="标记消息为已读")
def read_message(request: HttpRequest, message_id: int) -> dict:
    return _message(actions.mark_read(request.auth, selectors.get_message(request.auth, message_id)))


@router.get("/me/messages/{message_id}/attachment", summary="下载消息附件（如通知书 PDF）",
            response={200: None})
def message_attachment(request: HttpRequest, message_id: int):
    return attachment_response(selectors.get_message(request.auth, message_id))


@router.get("/me/tokens", summary="我的 API 令牌")
def my_tokens(request: HttpRequest, page: int = 1, page_size: int = 20) -> dict:
    return paginate(selectors.tokens_of(request.auth), page, page_size,
                    lambda t: TokenOut.from_orm(t).dict())


@router.post("/me/tokens", response={201: NewTokenOut}, summary="创建 API 令牌（仅显示一次）")
@idempotent
def create_token(request: HttpRequest, payload: TokenIn):
    token, raw = actions.create_token(request.auth, days=payload.days, name=payload.name)
    return 201, {**TokenOut.from_orm(token).dict(), "token": raw}


@router.delete("/me/tokens/{token_id}", response=TokenOut, summary="吊销 API 令牌")
def revoke_token(request: HttpRequest, token_id: int) -> ApiToken:
    return actions.revoke_token(request.auth, selectors.get_token_for(request.auth, token_id))


@router.get("/staff", summary="可见的工作人员（按部门与区划限定）")
def staff(request: HttpRequest, page: int = 1, page_size: int = 20) -> dict:
    if not is_staff_member(request.auth):
        raise PermissionDenied
    rows = selectors.staff_visible_to(request.auth).order_by("department_id", "user__username")
    return paginate(rows, page, page_size, lambda r: {
        "username": r.user.username, "name": r.user.name, "role": r.role,
        "department": r.department_id, "region": r.region_id})


@router.post("/auth/sms/send", auth=None, summary="发送短信登录验证码",
             throttle=[AnonRateThrottle("10/m")])
def sms_send(request: HttpRequest, payload: SmsSendIn) -> dict:
    actions.send_login_code(payload.phone)
    return {"detail": "如该手机号已注册，验证码已发送"}


@router.post("/auth/sms/login", auth=None, summary="短信验证码登录（建立浏览器会话）",
             throttle=[AnonRateThrottle("20/m")])
def sms_login(request: HttpRequest, payload: SmsLoginIn) -> dict:
    user = actions.verify_login_code(payload.phone, payload.code)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return _account(user)
