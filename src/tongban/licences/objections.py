"""Objections to a data use (the data-use tracker, issue 6 item 6).

The subject files an objection to one use shown in their tracker; it goes to the supervision
queue of the region of whoever used the data (supervisors of that region and above, and
administrators) and is answered upheld or dismissed, with a reason, within
`TONGBAN_OBJECTION_DAYS` working days (default 15, R5 calendar). This module reads; the
writes are in `objection_actions`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from tongban.core.errors import FieldError
from tongban.identity.constants import Role
from tongban.identity.scoping import grants_of, is_admin

from .models import Objection

MAX_TEXT = 1000
State = Objection.State


def objection_days() -> int:
    return int(getattr(settings, "TONGBAN_OBJECTION_DAYS", 15))


def _text(value: str | None, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise FieldError(field, f"请填写{label}")
    if len(value) > MAX_TEXT:
        raise FieldError(field, f"{label}不能超过{MAX_TEXT}字")
    return value


def supervises(user: Any, objection: Objection) -> bool:
    return is_admin(user) or any(g.role == Role.SUPERVISOR and objection.region.path.startswith(g.region_path)
                                 for g in grants_of(user))


def queue(user: Any, state: str = "") -> QuerySet[Objection]:
    """The supervision queue: supervisors of the region and above, administrators; others 403."""
    rows = Objection.objects.select_related("data_use", "subject", "region", "decided_by")
    if not is_admin(user):
        paths = [g.region_path for g in grants_of(user) if g.role == Role.SUPERVISOR]
        if not paths:
            raise PermissionDenied("仅监督人员或管理员可查看异议")
        condition = Q()
        for path in paths:
            condition |= Q(region__path__startswith=path)
        rows = rows.filter(condition)
    if state:
        if state not in State.values:
            raise FieldError("state", "状态应为 open、upheld 或 dismissed")
        rows = rows.filter(state=state)
    return rows.order_by("state", "due", "id")


def out(o: Objection) -> dict[str, Any]:
    return {"id": o.pk, "data_use": o.data_use_id, "state": o.state, "state_name": o.get_state_display(),
            "reason": o.reason, "filed_at": timezone.localtime(o.filed_at).isoformat(), "due": o.due.isoformat(),
            "overdue": o.state == State.OPEN and o.due < timezone.localdate(),
            "decision_reason": o.decision_reason,
            "decided_at": timezone.localtime(o.decided_at).isoformat() if o.decided_at else None}


def queue_row(o: Objection) -> dict[str, Any]:
    record = o.data_use
    return {**out(o), "subject": o.subject.name or o.subject.get_username(), "region": o.region_id,
            "use": {"action": record.action, "actor": record.actor_label, "department": record.department,
                    "at": timezone.localtime(record.created_at).isoformat(), "why": record.reason}}
