"""Fetch-and-authorise reads of identity. Objects outside the caller's reach are NotFound,
never a hint that they exist (INTERFACES.md)."""

from __future__ import annotations

from django.db.models import QuerySet

from tongban.core import audit
from tongban.core.errors import NotFound
from tongban.core.identifiers import IdentifierError, validate_uscc

from .models import ApiToken, Department, EnterpriseMembership, InboxMessage, Region, StaffRole, User


@audit.no_personal_data("行政区划树：公开信息")
def region_tree() -> list[dict]:
    """The whole region tree, built from one query."""
    nodes: dict[str, dict] = {}
    roots: list[dict] = []
    for r in Region.objects.order_by("path").values("code", "name", "level", "kind", "parent_id", "synthetic"):
        node = {"code": r["code"], "name": r["name"], "level": r["level"], "kind": r["kind"],
                "synthetic": r["synthetic"], "children": []}
        nodes[r["code"]] = node
        (nodes[r["parent_id"]]["children"] if r["parent_id"] in nodes else roots).append(node)
    return roots


@audit.no_personal_data("一个行政区划：公开信息")
def get_region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise NotFound(f"未找到行政区划 {code}")
    return region


@audit.no_personal_data("部门与编码：公开信息")
def departments_public() -> QuerySet[Department]:
    """Departments and their codes are public information (the portal lists them)."""
    return Department.objects.select_related("region", "parent")


@audit.no_personal_data("工作人员的姓名、岗位与部门：以公职身份可见，不含身份证号与手机号")
def staff_visible_to(user: User) -> QuerySet[StaffRole]:
    return StaffRole.objects.visible_to(user).select_related("user", "department", "region")


@audit.own_data("调用者本人作为经办人的企业授权")
def active_membership(user: User, uscc: str) -> EnterpriseMembership:
    try:
        uscc = validate_uscc(uscc)
    except IdentifierError:
        raise NotFound("您未获授权代表该企业办事") from None
    membership = (EnterpriseMembership.objects.select_related("enterprise")
                  .filter(user=user, enterprise_id=uscc, status=EnterpriseMembership.Status.ACTIVE).first())
    if membership is None:
        raise NotFound("您未获授权代表该企业办事")
    return membership


@audit.own_data("调用者本人的 API 令牌")
def tokens_of(user: User) -> QuerySet[ApiToken]:
    """The user's own tokens ("我的 API 令牌"): an administrator's reach (revoking anyone's token
    by id, `get_token_for`) does not put everyone's tokens in their own list."""
    return ApiToken.objects.visible_to(user).filter(user=user)


@audit.scoped_lookup("按编号取令牌以吊销（本人或管理员）：只返回令牌本身，不展示其持有人的个人信息")
def get_token_for(user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.visible_to(user).filter(pk=token_id).first()
    if token is None:
        raise NotFound("未找到该令牌")
    return token


@audit.scoped_lookup("经办人授权的查询集（供处理与列表）：展示其中经办人的是 agents_seen，逐人记录读取")
def memberships_to_manage(user: User, uscc: str | None = None) -> QuerySet[EnterpriseMembership]:
    """Agents' authorisations of the enterprises `user` represents (legal representative):
    requests to decide and authorisations to withdraw. An administrator sees an enterprise's
    only when asking for it by USCC."""
    from .permissions import is_admin

    represented = EnterpriseMembership.objects.filter(
        user=user, role=EnterpriseMembership.Role.LEGAL_REPRESENTATIVE,
        status=EnterpriseMembership.Status.ACTIVE).values("enterprise_id")
    rows = (EnterpriseMembership.objects.select_related("enterprise", "user")
            .filter(role=EnterpriseMembership.Role.AGENT).order_by("status", "-requested_at"))
    if uscc is not None:
        rows = rows.filter(enterprise_id=uscc)
        return rows if is_admin(user) else rows.filter(enterprise_id__in=represented)
    return rows.filter(enterprise_id__in=represented)


@audit.personal_read("identity.agent")
def agents_seen(user: User, memberships) -> list[EnterpriseMembership]:
    """The agents' authorisations a legal representative (or an administrator) is shown, each
    recorded as a read of the agent's (masked) identity — the page and the API render these."""
    rows = list(memberships)
    for m in rows:
        if m.user_id != user.pk:
            audit.record_read("identity.agent", subject_id=m.user_id, obj=m, reason="法定代表人确认经办人授权")
    return rows


@audit.scoped_lookup("取一项经办人授权以处理：处理动作本身写审计记录（identity.agent.*）")
def get_membership_to_manage(user: User, uscc: str, membership_id: int) -> EnterpriseMembership:
    membership = memberships_to_manage(user, uscc).filter(pk=membership_id).first()
    if membership is None:
        raise NotFound("未找到该企业的这项授权")
    return membership


@audit.own_data("调用者本人的消息")
def messages_of(user: User) -> QuerySet[InboxMessage]:
    return InboxMessage.objects.visible_to(user).filter(user=user)


@audit.own_data("调用者本人的一条消息")
def get_message(user: User, message_id: int) -> InboxMessage:
    message = messages_of(user).filter(pk=message_id).first()
    if message is None:
        raise NotFound("未找到该消息")
    return message
