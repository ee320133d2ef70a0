"""Reads of a site's message box and health dashboard: the public listing (published
messages, personal data masked, R4), the staff queue (the site's editors and its department)
and the latest health run (the site's editors)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone

from tongban.core import audit
from tongban.core.errors import FieldError, NotFound

from . import permissions
from .constants import HealthCheck, MessageStatus
from .models import DisclosureSiteRoot, HealthRun, SiteMessage


@audit.no_personal_data("a live disclosure site by its slug: public pages")
def site_by_slug(slug: str) -> DisclosureSiteRoot:
    site = DisclosureSiteRoot.objects.live().public().filter(slug=slug[:255]).select_related("department").first()
    if site is None:
        raise NotFound("未找到该站点")
    return site


@audit.no_personal_data("published messages as shown on the site: masked name, masked text and answer (R4)")
def public_messages(site: DisclosureSiteRoot) -> QuerySet[SiteMessage]:
    return (
        SiteMessage.objects.filter(site=site, status=MessageStatus.PUBLISHED)
        .select_related("answer_department")
        .only("pk", "created_at", "title", "author_display", "public_text", "public_answer", "answered_at",
              "answer_department__name")
        .order_by("-created_at", "-pk")
    )


@audit.no_personal_data("one published message's public row: masked name, masked text and answer (R4)")
def public_row(row: SiteMessage) -> dict[str, Any]:
    return {
        "id": row.pk,
        "number": row.number,
        "title": row.title,
        "author": row.author_display,
        "text": row.public_text,
        "created_at": timezone.localtime(row.created_at).isoformat(),
        "answer": row.public_answer or None,
        "answered_at": timezone.localtime(row.answered_at).isoformat() if row.answered_at else None,
        "department": row.answer_department.name if row.answer_department_id else None,
    }


@audit.own_data("the caller's own messages on a site, with their state and ticket number")
def my_messages(user: Any, site: DisclosureSiteRoot) -> QuerySet[SiteMessage]:
    if not getattr(user, "is_authenticated", False):
        return SiteMessage.objects.none()
    return SiteMessage.objects.filter(site=site, author=user).order_by("-created_at", "-pk")[:20]


@audit.scoped_lookup("the site's queue for its editors and department: masked names only, no contact data")
def staff_messages(user: Any, site: DisclosureSiteRoot, status: str = "") -> QuerySet[SiteMessage]:
    if not permissions.may_answer_site(user, site):
        raise PermissionDenied("只有本站编辑或承办部门可以查看留言")
    if status and status not in MessageStatus.values:
        raise FieldError("status", "状态应为：" + "、".join(MessageStatus.values))
    rows = SiteMessage.objects.filter(site=site).order_by("answered_at", "-created_at", "-pk")
    return rows.filter(status=status) if status else rows


@audit.scoped_lookup("a message for its site's editors and department (404 beyond the site's reach)")
def staff_message(user: Any, message_id: int) -> SiteMessage:
    row = SiteMessage.objects.select_related("site").filter(pk=message_id).first()
    if row is None or not permissions.may_answer_site(user, row.site):
        raise NotFound("未找到该留言")
    return row


@audit.scoped_lookup("a message's staff row: masked name, the text, moderation and answer, ticket number")
def staff_row(row: SiteMessage) -> dict[str, Any]:
    return {
        "id": row.pk,
        "number": row.number,
        "title": row.title,
        "author": row.author_display,
        "text": row.text,
        "status": row.status,
        "status_label": MessageStatus(row.status).label,
        "moderation_reason": row.moderation_reason or None,
        "created_at": timezone.localtime(row.created_at).isoformat(),
        "answer": row.answer or None,
        "answered_at": timezone.localtime(row.answered_at).isoformat() if row.answered_at else None,
        "ticket": row.ticket_number or None,
    }


@audit.no_personal_data("the site's latest health run and its failures (pages, columns, links; message titles)")
def latest_health(user: Any, site: DisclosureSiteRoot) -> dict[str, Any] | None:
    if not permissions.may_moderate_site(user, site):
        raise PermissionDenied("只有本站编辑或管理员可以查看网站健康检查")
    run = HealthRun.objects.filter(site=site).prefetch_related("findings").first()
    if run is None:
        return None
    findings = list(run.findings.all())
    return {
        "site": site.slug,
        "started_at": timezone.localtime(run.started_at).isoformat(),
        "finished_at": timezone.localtime(run.finished_at).isoformat(),
        "pages_checked": run.pages_checked,
        "external_checked": run.external_checked,
        "external_skipped": run.external_skipped,
        "passed": not findings,
        "checks": [
            {
                "check": kind.value,
                "label": kind.label,
                "failures": [
                    {"title": f.title, "detail": f.detail, "fix_url": f.fix_url} for f in findings if f.kind == kind
                ],
            }
            for kind in HealthCheck
        ],
    }
