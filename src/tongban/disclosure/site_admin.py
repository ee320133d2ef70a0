"""A site's administrator (站点管理员, issue 7): manages that site's editors and reviewers (the
members of its Wagtail groups) and its settings (R22 footer identity, the message box), and
nothing of any other site. Site administrators are appointed by platform administrators; in the
Wagtail admin they hold their own site's page and collection permissions, so the tenancy rules
(tenancy.py) hide every other site from them exactly as from an editor.

Roles are the site's groups made by `page_actions.ensure_site_groups`: 编辑 (editor), 审核
(reviewer), 管理员 (administrator)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction

from tongban.core import audit
from tongban.core.errors import FieldError
from tongban.identity.models import User
from tongban.identity.scoping import is_admin

from .models import DisclosureSiteRoot
from .page_actions import ensure_site_groups

# API role name → the group's suffix (page_actions.SITE_GROUP_PERMISSIONS)
SITE_ROLES = {"editor": "编辑", "reviewer": "审核", "admin": "管理员"}
# what a site administrator may grant; the administrator role itself only a platform administrator
DELEGABLE = ("editor", "reviewer")
SETTINGS_FIELDS = ("organiser", "contact", "site_code", "messages_enabled", "messages_to_hotline")
TEXT_LIMITS = {"organiser": 100, "contact": 100, "site_code": 20}
REQUIRED = {"organiser": "主办单位", "contact": "联系方式"}  # R22: no site goes live without them


def group_name(site: DisclosureSiteRoot, role: str) -> str:
    return site.group_name(SITE_ROLES[role])


def site_group(site: DisclosureSiteRoot, role: str) -> Group:
    """The site's group for `role`, made (with its permissions) when an older site lacks it."""
    group = Group.objects.filter(name=group_name(site, role)).first()
    if group is None:
        ensure_site_groups(site)
        group = Group.objects.get(name=group_name(site, role))
    return group


def is_site_admin(user: Any, site: DisclosureSiteRoot) -> bool:
    """A platform administrator, or a member of the site's 管理员 group."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_admin(user):
        return True
    return user.groups.filter(name=group_name(site, "admin")).exists()


@audit.no_personal_data("a disclosure site for its administrators (404 to anyone else, live or not)")
def admin_site(actor: Any, slug: str) -> DisclosureSiteRoot:
    from tongban.core.errors import NotFound

    site = DisclosureSiteRoot.objects.filter(slug=(slug or "")[:255]).first()
    if site is None or not is_site_admin(actor, site):
        raise NotFound("未找到该站点")
    return site


def _require(actor: Any, site: DisclosureSiteRoot) -> None:
    if not is_site_admin(actor, site):
        raise PermissionDenied("只有本站管理员可以管理本站人员与设置")


def grantable_roles(actor: Any) -> tuple[str, ...]:
    """The roles `actor` may grant and revoke: a platform administrator all three, a site's
    administrator its editors and reviewers."""
    return tuple(SITE_ROLES) if is_admin(actor) else DELEGABLE


def _role(role: str, actor: Any) -> str:
    if role not in SITE_ROLES:
        raise FieldError("role", "角色应为：editor（编辑）、reviewer（审核）、admin（站点管理员）")
    if role not in grantable_roles(actor):
        raise FieldError("role", "站点管理员由平台管理员任命；本站管理员只能任免编辑和审核人员")
    return role


@audit.scoped_lookup("the site's own staff: account names and display names of its three groups only")
def site_staff(actor: Any, site: DisclosureSiteRoot) -> list[dict[str, Any]]:
    _require(actor, site)
    rows: dict[int, dict[str, Any]] = {}
    for role in SITE_ROLES:
        for user in site_group(site, role).user_set.order_by("username").only("pk", "username", "name"):
            row = rows.setdefault(user.pk, {"username": user.username, "name": user.name, "roles": []})
            row["roles"].append(role)
    return sorted(rows.values(), key=lambda r: r["username"])


def _member(username: str) -> User:
    username = (username or "").strip()[:150]
    if not username:
        raise FieldError("username", "请填写工作人员的账号")
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise FieldError("username", f"未找到启用的账号“{username}”")
    from .permissions import is_staff

    if not is_staff(user):
        raise FieldError("username", "只能把政务工作人员设为站点编辑、审核或管理员")
    return user


def grant(actor: Any, site: DisclosureSiteRoot, username: str, role: str) -> list[dict[str, Any]]:
    _require(actor, site)
    role = _role(role, actor)
    user = _member(username)
    with transaction.atomic():
        site_group(site, role).user_set.add(user)
        audit.record("disclosure.site.grant", obj=site, subject_id=user.pk, data={"role": role})
    return site_staff(actor, site)


def revoke(actor: Any, site: DisclosureSiteRoot, username: str, role: str) -> list[dict[str, Any]]:
    _require(actor, site)
    role = _role(role, actor)
    group = site_group(site, role)
    user = group.user_set.filter(username=(username or "")[:150]).first()
    if user is None:
        raise FieldError("username", f"“{username}”不是本站的{SITE_ROLES[role]}人员")
    with transaction.atomic():
        group.user_set.remove(user)
        audit.record("disclosure.site.revoke", obj=site, subject_id=user.pk, data={"role": role})
    return site_staff(actor, site)


@audit.no_personal_data("a site's settings: footer identity (R22) and message box switches")
def site_settings(site: DisclosureSiteRoot) -> dict[str, Any]:
    return {"site": site.slug, "title": site.title, **{name: getattr(site, name) for name in SETTINGS_FIELDS}}


def update_settings(actor: Any, site: DisclosureSiteRoot, changes: dict[str, Any]) -> dict[str, Any]:
    """Change the site's settings (a new revision, published when the site is live)."""
    _require(actor, site)
    errors = []
    for name, value in changes.items():
        if name not in SETTINGS_FIELDS:
            errors.append((name, "不能修改的设置项"))
        elif name in TEXT_LIMITS:
            text = str(value or "").strip()
            if len(text) > TEXT_LIMITS[name]:
                errors.append((name, f"不能超过{TEXT_LIMITS[name]}字（现为{len(text)}字）"))
            elif name in REQUIRED and not text:
                errors.append((name, f"请填写{REQUIRED[name]}（网站页脚须标明，R22）"))
            changes[name] = text
        elif not isinstance(value, bool):
            errors.append((name, "应为 true 或 false"))
    if errors:
        raise FieldError(errors=errors)
    page = DisclosureSiteRoot.objects.get(pk=site.pk)
    for name, value in changes.items():
        setattr(page, name, value)
    with transaction.atomic():
        revision = page.save_revision(user=actor if getattr(actor, "pk", None) else None, log_action=True)
        if page.live:
            revision.publish(user=actor if getattr(actor, "pk", None) else None)
        audit.record("disclosure.site.settings", obj=page, data={"changed": sorted(changes)})
    return site_settings(DisclosureSiteRoot.objects.get(pk=site.pk))
