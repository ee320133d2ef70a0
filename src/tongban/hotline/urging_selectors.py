"""Reads of urging (督办): a department's urgings to answer, an object's urgings, and the 通报
list of the supervision report. Urgings hold no personal data: department, level, the
object's number, the centre's reason and the department's reply."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import F

from tongban.core import audit
from tongban.core.errors import FieldError

from . import permissions
from .constants import UrgingLevel, UrgingState
from .deadlines import TZ
from .models import Urging


def _iso(value: Any) -> str | None:
    return value.astimezone(TZ).isoformat() if value else None


@audit.scoped_lookup("督办的查询集（被督办部门：本部门；中心与监督人员：本辖区）：行由 row 展示，不含个人信息")
def urgings_for(user: Any, state: str = "", target: str = "") -> Any:
    """Open first, nearest reply deadline first (a pending one last)."""
    if not permissions.is_staff_reader(user):
        raise PermissionDenied
    if state and state not in UrgingState.values:
        raise FieldError("state", "状态应为 open、replied 或 overdue")
    rows = Urging.objects.visible_to(user).select_related("department", "replied_by")
    if state:
        rows = rows.filter(state=state)
    if target:
        rows = rows.filter(target_number=target)
    return rows.order_by("state", F("reply_due").asc(nulls_last=True), "id")


@audit.scoped_lookup("督办列表行：部门、级别、事由、回复期限与部门回复")
def row(u: Urging, user: Any = None) -> dict:
    return {"id": u.pk, "target": {"kind": u.target_kind, "number": u.target_number},
            "department": {"id": u.department_id, "name": u.department.name}, "level": u.level,
            "trigger": u.trigger, "trigger_label": u.get_trigger_display(), "reason": u.reason,
            "state": u.state, "state_label": u.get_state_display(), "reply_days": u.reply_days,
            "reply_due": _iso(u.reply_due), "reply_due_pending": u.reply_due is None,
            "reply": ({"text": u.reply_text, "by": u.replied_by.name if u.replied_by_id else "",
                       "at": _iso(u.replied_at)} if u.state == UrgingState.REPLIED else None),
            "previous": u.previous_id, "created_at": _iso(u.created_at),
            "may_reply": bool(user is not None and u.state == UrgingState.OPEN
                              and permissions.may_reply_urging(user, u))}


@audit.no_personal_data("督查通报：通报级督办的部门、对象编号、事由与回复情况")
def notices(first: dt.date, last: dt.date, regions: list[str] | None = None) -> list[dict]:
    """The 通报 urgings created first..last (in the regions), for the supervision report."""
    rows = Urging.objects.filter(level=UrgingLevel.NOTIFY, created_at__date__gte=first, created_at__date__lte=last)
    if regions is not None:
        rows = rows.filter(region_id__in=regions)
    return [{"department": u.department.name, "target": {"kind": u.target_kind, "number": u.target_number},
             "reason": u.reason, "state": u.state, "state_label": u.get_state_display(),
             "created_at": _iso(u.created_at), "replied_at": _iso(u.replied_at)}
            for u in rows.select_related("department").order_by("created_at", "id")]
