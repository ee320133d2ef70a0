"""The supervision scan's conditions (效能监察): pure reads over cases, clocks, steps, corrections
and the audit trail. Each returns the findings `{case_id: (severity, evidence)}` of one kind;
`actions.scan` opens, keeps or resolves the alerts from them."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone

from tongban.cases import clocks
from tongban.cases.constants import OPEN, Status
from tongban.cases.models import Case, CaseStep, CorrectionRequest
from tongban.core.calendar import get_calendar
from tongban.core.clock import ClockError
from tongban.core.models import AuditRecord

logger = logging.getLogger(__name__)

Findings = dict[int, tuple[str, dict[str, Any]]]
# working days without any step before an open case counts as stalled, per state (None: not watched —
# a case waiting for the applicant's correction is not the department's stall)
STALL_DAYS = {Status.SUBMITTED: 2, Status.ACCEPTED: 5, Status.SUSPENDED: 10}
DECIDED = (Status.APPROVED, Status.DENIED)


def stall_days() -> dict[str, int]:
    return {**STALL_DAYS, **getattr(settings, "TONGBAN_STALL_DAYS", {})}


def min_decision_minutes(item_code: str) -> int:
    """A per-item minimum from acceptance to decision (e.g. a site-inspection item); "*" for all."""
    table = getattr(settings, "TONGBAN_MIN_DECISION_MINUTES", {})
    return int(table.get(item_code, table.get("*", 0)))


def open_cases() -> Any:
    return (Case.objects.filter(status__in=sorted(OPEN), item__isnull=False)
            .select_related("item").prefetch_related("clock_events"))


def clock_findings(cases: list[Case], today: dt.date) -> tuple[Findings, Findings]:
    """R8 on the legal and promised limits: warned (yellow) and overdue (red)."""
    warned: Findings = {}
    overdue: Findings = {}
    for case in cases:
        if case.status != Status.ACCEPTED:
            continue
        try:
            r = clocks.reading(case, today)
        except ClockError as exc:  # one inconsistent clock (e.g. a start after today) must not stop the scan
            logger.error("监察扫描：办件 %s 的时钟无法计算：%s", case.number, exc)
            continue
        states = {"legal": r["state"], "promised": r.get("promised_state")}
        evidence = {"number": case.number, "days_used": r["days_used"], "limit": r["limit"],
                    "deadline": r["deadline"].isoformat() if r["deadline"] else None,
                    "promised_deadline": r["promised_deadline"].isoformat() if r["promised_deadline"] else None,
                    "states": states}
        if "overdue" in states.values():
            overdue[case.pk] = ("critical" if states["legal"] == "overdue" else "warning", evidence)
        elif "warned" in states.values():
            warned[case.pk] = ("warning", evidence)
    return warned, overdue


def stalled(cases: list[Case], today: dt.date) -> Findings:
    limits = stall_days()
    last = dict(CaseStep.objects.filter(case__in=[c.pk for c in cases]).values("case_id")
                .annotate(at=Max("at")).values_list("case_id", "at"))
    cal = get_calendar()
    found: Findings = {}
    for case in cases:
        limit = limits.get(case.status)
        at = last.get(case.pk) or case.submitted_at
        if not limit or at is None:
            continue
        idle = cal.between(timezone.localdate(at), today)
        if idle >= limit:
            found[case.pk] = ("warning", {"number": case.number, "status": case.status, "idle_working_days": idle,
                                          "limit": limit, "last_step_at": timezone.localtime(at).isoformat()})
    return found


def decided_since(since: dt.datetime | None) -> Any:
    rows = Case.objects.filter(status__in=DECIDED, item__isnull=False, decided_at__isnull=False)
    if since is not None:
        rows = rows.filter(decided_at__gte=since)
    return rows.select_related("item")


def too_fast(decided: list[Case]) -> Findings:
    """Decided faster than plausible: less than the item's minimum after acceptance."""
    accepted = dict(CaseStep.objects.filter(case__in=[c.pk for c in decided], action="accept")
                    .values("case_id").annotate(at=Max("at")).values_list("case_id", "at"))
    found: Findings = {}
    for case in decided:
        minimum = min_decision_minutes(case.item.code)
        start = accepted.get(case.pk)
        if not minimum or start is None:
            continue
        minutes = (case.decided_at - start).total_seconds() / 60
        if minutes < minimum:
            found[case.pk] = ("warning", {"number": case.number, "minutes": round(minutes, 1), "minimum": minimum})
    return found


def unread(decided: list[Case]) -> Findings:
    """Decided without any officer having opened the case or its materials (audit trail reads)."""
    ids = {str(c.pk): c for c in decided}
    read = set(AuditRecord.objects.filter(kind=AuditRecord.Kind.READ, object_type="cases.case",
                                          object_id__in=list(ids), action__in=("read:case", "read:case-file"))
               .values_list("object_id", "actor_id"))
    found: Findings = {}
    for key, case in ids.items():
        if not any(obj == key and actor not in (None, case.applicant_id) for obj, actor in read):
            found[case.pk] = ("warning", {"number": case.number, "decided_at":
                                          timezone.localtime(case.decided_at).isoformat()})
    return found


def repeated_corrections(case_ids: list[int]) -> Findings:
    """R9: more than one correction request on one case."""
    rows = (CorrectionRequest.objects.filter(case_id__in=case_ids).values("case_id", "case__number")
            .annotate(n=Count("pk")).filter(n__gte=2))
    return {r["case_id"]: ("info", {"number": r["case__number"], "corrections": r["n"]}) for r in rows}
