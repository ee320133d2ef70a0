"""Fetch-and-authorise reads of identity. Objects outside the caller's reach are NotFound,
never a hint that they exist (INTERFACES.md)."""

from __future__ import annotations

from django.db.models import QuerySet

from tongban.core.errors import NotFound
from tongban.core.identifiers import IdentifierError, validate_uscc

from .models import ApiToken, Department, EnterpriseMembership, InboxMessage, Region, StaffRole, User


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


def get_region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise NotFound(f"未找到行政区划 {code}")
    return region


def departments_public() -> QuerySet[Department]:
    """Departments and their codes are public information (the portal lists them)."""
    return Department.objects.select_related("region", "parent")


def staff_visible_to(user: User) -> QuerySet[StaffRole]:
    return StaffRole.objects.visible_to(user).select_related("user", "department", "region")


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


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """The user's own tokens ("我的 API 令牌"): an administrator's reach (revoking anyone's token
    by id, `get_token_for`) does not put everyone's tokens in their own list."""
    return ApiToken.objects.visible_to(user).filter(user=user)


def get_token_for(user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.visible_to(user).filter(pk=token_id).first()
    if token is None:
        raise NotFound("未找到该令牌")
    return token


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


def get_membership_to_manage(user: User, uscc: str, membership_id: int) -> EnterpriseMembership:
    membership = memberships_to_manage(user, uscc).filter(pk=membership_id).first()
    if membership is None:
        raise NotFound("未找到该企业的这项授权")
    return membership


def messages_of(user: User) -> QuerySet[InboxMessage]:
    return InboxMessage.objects.visible_to(user).filter(user=user)


def get_message(user: User, message_id: int) -> InboxMessage:
    message = messages_of(user).filter(pk=message_id).first()
    if message is None:
        raise NotFound("未找到该消息")
    return message
