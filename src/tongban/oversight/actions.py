"""The only write path of oversight: the supervision scan (opens, keeps or resolves alerts: one
open per object and kind), the supervisor's handling of an alert (acknowledge, resolve,
dismiss with a reason) and the 督办 notice about an alert's object, sent through the hotline's
urging mechanism (DESIGN.md: one mechanism — levels 催办 → 督办 → 通报, reply deadlines, the
department's reply and escalation all live there). The statistics refresh writes only derived
tables (`stats`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from tongban.core import audit
from tongban.core.errors import Conflict, FieldError, NotFound

from . import scan as conditions
from . import stats
from .models import Alert, StatsWatermark
from .selectors import ALERT_TARGET, urging_reason

ACTIVE = (Alert.State.OPEN, Alert.State.ACKNOWLEDGED)
SCAN_MARK = "scan"
URGE_DEFAULT_LEVEL = "督办"
# kinds whose condition ends by itself (the scan resolves them); the others stay for a supervisor
SELF_RESOLVING = {Alert.Kind.WARNED, Alert.Kind.OVERDUE, Alert.Kind.STALLED}


def _sync(kind: str, found: conditions.Findings, watched: set[int] | None) -> tuple[int, int]:
    """Open an alert for each new finding; resolve the active ones of `watched` no longer found."""
    active = {a.case_id: a for a in Alert.objects.filter(kind=kind, state__in=ACTIVE)}
    opened = resolved = 0
    now = timezone.now()
    new = [cid for cid in found if cid not in active]
    meta = {c[0]: (c[1], c[2]) for c in
                conditions.Case.objects.filter(pk__in=new).values_list("pk", "region_id", "department_id")}
    for cid in new:
        severity, evidence = found[cid]
        try:
            with transaction.atomic():
                Alert.objects.create(kind=kind, severity=severity, case_id=cid, region_id=meta[cid][0],
                                     department_id=meta[cid][1], evidence=evidence, opened_at=now)
            opened += 1
        except IntegrityError:  # a concurrent scan opened it
            continue
    if watched is not None:
        for cid, alert in active.items():
            if cid in watched and cid not in found:
                Alert.objects.filter(pk=alert.pk, state__in=ACTIVE).update(
                    state=Alert.State.RESOLVED, reason="条件已消除（扫描自动解决）", closed_at=now)
                resolved += 1
    return opened, resolved


def scan(now: dt.datetime | None = None) -> dict[str, Any]:
    """Every open case (clocks cross thresholds by the day) and the cases decided since the last
    scan. Returns what was opened and resolved per kind."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    mark, _ = StatsWatermark.objects.get_or_create(name=SCAN_MARK)
    open_cases = list(conditions.open_cases())
    open_ids = {c.pk for c in open_cases}
    decided = list(conditions.decided_since(mark.changes_since - dt.timedelta(minutes=1)
                                            if mark.changes_since else None))
    warned, overdue = conditions.clock_findings(open_cases, today)
    every_case = open_ids | {c.pk for c in decided}
    results = {
        Alert.Kind.WARNED: _sync(Alert.Kind.WARNED, warned, every_case),
        Alert.Kind.OVERDUE: _sync(Alert.Kind.OVERDUE, overdue, every_case),
        Alert.Kind.STALLED: _sync(Alert.Kind.STALLED, conditions.stalled(open_cases, today), every_case),
        Alert.Kind.TOO_FAST: _sync(Alert.Kind.TOO_FAST, conditions.too_fast(decided), None),
        Alert.Kind.UNREAD: _sync(Alert.Kind.UNREAD, conditions.unread(decided), None),
        Alert.Kind.CORRECTIONS: _sync(Alert.Kind.CORRECTIONS, conditions.repeated_corrections(list(every_case)),
                                      None),
    }
    # cases that left the open states: their clock alerts end (decided, withdrawn …)
    for kind in SELF_RESOLVING:
        Alert.objects.filter(kind=kind, state__in=ACTIVE).exclude(case__status__in=sorted(conditions.OPEN)).update(
            state=Alert.State.RESOLVED, reason="办件已不在办理中（扫描自动解决）", closed_at=now)
    mark.changes_since = now
    mark.save()
    summary = {str(k): {"opened": o, "resolved": r} for k, (o, r) in results.items()}
    audit.record("oversight.scan", data={"open_cases": len(open_cases), "decided": len(decided), **summary})
    return summary


def _transition(actor: Any, alert: Alert, action: str, reason: str) -> Alert:
    reason = (reason or "").strip()
    if action in ("dismiss", "resolve") and not reason:
        raise FieldError("reason", "请填写理由（排除或解决预警须说明理由）")
    if len(reason) > 2000:
        raise FieldError("reason", "理由不能超过2000个字")
    allowed = {"acknowledge": (Alert.State.OPEN,), "resolve": ACTIVE, "dismiss": ACTIVE}
    if action not in allowed:
        raise NotFound(f"未知的预警操作 {action}")
    target = {"acknowledge": Alert.State.ACKNOWLEDGED, "resolve": Alert.State.RESOLVED,
              "dismiss": Alert.State.DISMISSED}[action]
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.state not in allowed[action]:
            raise Conflict(f"预警当前状态为“{locked.get_state_display()}”，不能执行此操作")
        now = timezone.now()
        locked.state = target
        if action == "acknowledge":
            locked.acknowledged_at = now
        else:
            locked.closed_at, locked.closed_by, locked.reason = now, actor, reason
        locked.save()
        audit.record(f"oversight.alert.{action}", obj=locked, data={"kind": locked.kind, "reason": reason})
    return locked


def handle_alert(actor: Any, alert: Alert, action: str, reason: str = "", level: str | None = None) -> Alert:
    """acknowledge, resolve (reason) or dismiss (reason; 422 without), or urge (督办 through the
    hotline's urging; the level defaults to 督办, the reason to the alert's finding)."""
    if action == "urge":
        return urge_alert(actor, alert, level or URGE_DEFAULT_LEVEL, reason)
    return _transition(actor, alert, action, reason)


def urge_alert(actor: Any, alert: Alert, level: str = URGE_DEFAULT_LEVEL, reason: str = "") -> Alert:
    """Send a 督办 notice to the department about the alert's case through the hotline's urging
    (which checks the level and the reason, notifies the department's heads, takes their reply
    and escalates it when unanswered). An active alert only (else 409); a second urging of the
    same level while one waits for the reply is 409 (a double click → one); an open alert
    becomes acknowledged."""
    from tongban.hotline import urging_actions, urging_selectors

    reason = (reason or "").strip() or urging_reason(alert)
    with transaction.atomic():
        locked = Alert.objects.select_for_update().select_related("case").get(pk=alert.pk)
        if locked.state not in ACTIVE:
            raise Conflict(f"预警当前状态为“{locked.get_state_display()}”，不能督办")
        waiting = urging_selectors.urgings_for(actor, state="open", target=locked.case.number).filter(
            target_kind=ALERT_TARGET, level=level)
        if waiting.exists():
            raise Conflict(f"该办件已有待回复的{level}，请等待部门回复或逾期升级")
        urging = urging_actions.urge(ALERT_TARGET, locked.case.number, locked.department_id, level, reason, actor,
                                     region=locked.region_id)
        if locked.state == Alert.State.OPEN:
            locked.state, locked.acknowledged_at = Alert.State.ACKNOWLEDGED, timezone.now()
            locked.save(update_fields=["state", "acknowledged_at"])
        audit.record("oversight.alert.urge", obj=locked, data={"kind": locked.kind, "case": locked.case.number,
                                                               "urging": urging.pk, "level": level})
    return locked


def refresh_statistics() -> list[dt.date]:
    """The incremental refresh of the daily summaries (derived data; the run itself is audited)."""
    days = stats.refresh_touched()
    audit.record("oversight.stats.refresh", data={"days": [d.isoformat() for d in days][:100]})
    return days


def rebuild_statistics(first: dt.date, last: dt.date) -> int:
    written = stats.rebuild(first, last)
    audit.record("oversight.stats.rebuild", data={"from": first.isoformat(), "to": last.isoformat(),
                                                  "rows": written})
    return written
