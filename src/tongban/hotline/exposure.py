"""Exposure (曝光纠错, S4 五(二)): the candidates and the publication check (R21).

A candidate is an open ticket older than `TONGBAN_HOTLINE_EXPOSURE_DAYS` working days (15),
or one a caller was twice unsatisfied with (`escalated`), not yet published. What is published
is a snapshot of public facts — department, subject, district, street, working days open — and
the centre's own summary, which must be free of names, phones, ID numbers and house numbers."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone

from tongban.core import privacy
from tongban.core.calendar import working_days_between

from . import permissions
from .constants import OPEN_STATUSES
from .deadlines import TZ
from .models import Exposure, ExposureStatus, Ticket

# 3号楼, 2单元, 501室, 12号, 3栋, 2-501: what locates a home down to the door
HOUSE_NUMBER = re.compile(r"\d+\s*(?:号楼|栋|幢|单元|室|户|号(?![线码文])|层)|\d+-\d+-?\d*(?:室)?")


def threshold() -> int:
    return int(getattr(settings, "TONGBAN_HOTLINE_EXPOSURE_DAYS", 15))


def days_open(ticket: Ticket) -> int:
    start = ticket.filed_at.astimezone(TZ).date()
    end = (ticket.closed_at or timezone.now()).astimezone(TZ).date()
    return working_days_between(start, end)


def candidates(user: Any, limit: int = 100) -> list[dict]:
    if not permissions.is_operator(user) and not permissions.is_supervisor(user):
        raise PermissionDenied
    from tongban.core.calendar import add_working_days

    today = timezone.localdate()
    # filed on or before the day that is `threshold` working days before today
    cutoff = today
    for back in range(1, 120):
        day = today - dt.timedelta(days=back)
        if add_working_days(day, threshold()) <= today:
            cutoff = day
            break
    rows = (Ticket.objects.visible_to(user).filter(exposure__isnull=True)
            .filter(Q(status__in=OPEN_STATUSES, filed_at__date__lte=cutoff) | Q(escalated=True))
            .select_related("department", "subject", "region").order_by("filed_at")[:limit])
    return [{"number": t.number, "reason": "unsatisfied" if t.escalated else "overdue",
             "reason_label": "二次不满意" if t.escalated else f"超过{threshold()}个工作日未办结",
             "department": t.department.name if t.department_id else "—",
             "subject": t.subject.name if t.subject_id else "—", "region": t.region.name, "street": t.street,
             "days_open": days_open(t)} for t in rows]


def findings(text: str, ticket: Ticket | None = None) -> list[str]:
    """What must go before publication: names, phones, ID numbers, house numbers (R21)."""
    out = [f"{f.label}：{f.text}" for f in privacy.scan(text)]
    out += [f"门牌号：{m.group(0)}" for m in HOUSE_NUMBER.finditer(text)]
    if ticket is not None:
        if ticket.caller_name and len(ticket.caller_name) >= 2 and ticket.caller_name in text:
            out.append(f"来电人姓名：{ticket.caller_name}")
        if ticket.caller_phone and ticket.caller_phone[-8:] in re.sub(r"\D", "", text):
            out.append("来电人电话")
    return out


def public_row(e: Exposure) -> dict:
    return {"id": e.pk, "department": e.department_name, "subject": e.subject_name, "region": e.region_name,
            "street": e.street, "days_open": e.days_open, "summary": e.summary, "status": e.status,
            "status_label": e.get_status_display(), "reason": e.reason,
            "published_on": e.published_at.astimezone(TZ).date().isoformat(),
            "correction": e.correction, "corrected_on": e.corrected_at.astimezone(TZ).date().isoformat()
            if e.corrected_at else None}


def published() -> Any:
    return Exposure.objects.exclude(status=ExposureStatus.WITHDRAWN).order_by("-published_at")
