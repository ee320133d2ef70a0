"""Writes of exposure (曝光纠错): the centre publishes a candidate after the R21 check, later
records its correction, or withdraws it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tongban.core import audit
from tongban.core.errors import Conflict, FieldError, NotFound

from . import exposure, permissions
from .models import Exposure, ExposureStatus, Ticket


def _operator(actor: Any) -> None:
    if not permissions.is_operator(actor):
        raise PermissionDenied


def _checked(text: str, field: str, ticket: Ticket, minimum: int = 10) -> str:
    text = (text or "").strip()
    if len(text) < minimum:
        raise FieldError(field, f"内容至少{minimum}字")
    if len(text) > 1000:
        raise FieldError(field, "内容不能超过1000字")
    found = exposure.findings(text, ticket)
    if found:
        raise FieldError(field, "含有个人信息，不能公开（R21）：" + "；".join(found[:5]) + "。请删除后再发布")
    return text


@transaction.atomic
def publish(actor: Any, number: str, summary: str) -> Exposure:
    """Publish a candidate ticket on the portal with the centre's summary (R21-checked)."""
    _operator(actor)
    ticket = Ticket.objects.visible_to(actor).select_for_update().filter(number=number).first()
    if ticket is None:
        raise NotFound("未找到该工单")
    if Exposure.objects.filter(ticket=ticket).exists():
        raise Conflict("该工单已曝光")
    if not [c for c in exposure.candidates(actor, limit=100000) if c["number"] == ticket.number]:
        raise Conflict(f"该工单不是曝光候选（须超过{exposure.threshold()}个工作日未办结，或二次回访不满意）")
    text = _checked(summary, "summary", ticket)
    ticket = Ticket.objects.select_related("department", "subject", "region").get(pk=ticket.pk)
    row = Exposure.objects.create(
        ticket=ticket, reason="unsatisfied" if ticket.escalated else "overdue",
        department_name=ticket.department.name if ticket.department_id else "未派单",
        subject_name=ticket.subject.name if ticket.subject_id else "其他", region_name=ticket.region.name,
        street=ticket.street, days_open=exposure.days_open(ticket), summary=text, published_by=actor,
        published_at=timezone.now())
    audit.record("hotline.exposure.published", obj=row, actor=actor, data={"number": ticket.number})
    return row


def _exposure(pk: Any) -> Exposure:
    row = Exposure.objects.select_for_update().select_related("ticket").filter(
        pk=pk if isinstance(pk, int) else -1).first()
    if row is None:
        raise NotFound("未找到该曝光")
    return row


@transaction.atomic
def correct(actor: Any, exposure_id: Any, correction: str) -> Exposure:
    """Record how the problem was corrected (shown beside the exposure)."""
    _operator(actor)
    row = _exposure(exposure_id)
    if row.status != ExposureStatus.PUBLISHED:
        raise Conflict(f"该曝光当前状态为“{row.get_status_display()}”，不能再登记整改")
    row.correction = _checked(correction, "correction", row.ticket)
    row.status, row.corrected_at = ExposureStatus.CORRECTED, timezone.now()
    row.save()
    audit.record("hotline.exposure.corrected", obj=row, actor=actor, data={"number": row.ticket.number})
    return row


@transaction.atomic
def withdraw(actor: Any, exposure_id: Any, reason: str) -> Exposure:
    _operator(actor)
    row = _exposure(exposure_id)
    if not (reason or "").strip():
        raise FieldError("reason", "撤下须说明理由")
    if row.status == ExposureStatus.WITHDRAWN:
        raise Conflict("该曝光已撤下")
    row.status = ExposureStatus.WITHDRAWN
    row.save(update_fields=["status"])
    audit.record("hotline.exposure.withdrawn", obj=row, actor=actor,
                 data={"number": row.ticket.number, "reason": reason.strip()[:500]})
    return row
