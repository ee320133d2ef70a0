"""Reads of cases, always scoped: officers see their department's cases in their region and
below, supervisors their region's, applicants their own and those of the enterprises they are
active agents of, window staff the cases they filed. Anything else is NotFound — never a hint
that the case exists. A read of someone else's case is recorded (audit.record_read)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from tongban.core import audit
from tongban.core.errors import FieldError, NotFound
from tongban.core.masking import mask_id_number, mask_phone
from tongban.identity.models import EnterpriseMembership
from tongban.identity.scoping import grants_of, scope_filter

from . import clocks, permissions, process
from .constants import ACTION_LABELS, OPEN, Provision, Status
from .models import Case, CaseClockEvent, CaseMaterial, CaseParallelReview

DETAIL_RELATED = ("item", "bundle", "region", "department", "applicant", "on_behalf_of", "filed_by", "assignee",
                  "item_version", "parent")


@audit.scoped_lookup("可见办件的查询集：列表行（list_row）不含个人信息，详情由 case_detail 展示并记录读取")
def visible_cases(user: Any) -> QuerySet[Case]:
    """Staff: their department and region (supervisors: their region), plus for window staff
    the cases they filed for walk-ins — staff never apply as themselves, so no owner branch
    keeps the queue on its (department, status, deadline) index. Applicants: their own cases
    and those of the enterprises they act for."""
    staff = bool(grants_of(user))
    condition = scope_filter(Case, user, owner=not staff)
    if condition is None:
        return Case.objects.all()
    if staff:
        if permissions.is_window_staff(user):
            condition |= Q(filed_by=user)
        parallel = permissions.parallel_departments_of(user)
        if parallel:  # 并联审批: the cases a parallel department reviews (department ids are per region)
            # resolved to a list first: an OR with a subquery would make PostgreSQL scan every open case of
            # the city instead of the department's (department, status, deadline) index (bench_cases: queue)
            reviewed = list(CaseParallelReview.objects.filter(department_id__in=parallel)
                            .values_list("case_id", flat=True))
            if reviewed:
                condition |= Q(pk__in=reviewed)
    elif getattr(user, "is_authenticated", False):
        enterprises = list(EnterpriseMembership.objects.filter(user=user, status=EnterpriseMembership.Status.ACTIVE)
                           .values_list("enterprise_id", flat=True))
        if enterprises:
            condition |= Q(on_behalf_of__in=enterprises)
    return Case.objects.filter(condition)


@audit.scoped_lookup("按编号取可见办件：由 case_detail 展示并记录读取")
def get_case(user: Any, number: str) -> Case:
    rows = visible_cases(user).select_related(*DETAIL_RELATED).prefetch_related(
        Prefetch("clock_events", queryset=CaseClockEvent.objects.order_by("on", "id")))
    case = rows.filter(number=number).first()
    if case is None:
        raise NotFound(f"未找到办件 {number}")
    return case


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def _is_staff_viewer(user: Any) -> bool:
    return bool(grants_of(user)) or bool(getattr(user, "is_superuser", False))


@audit.personal_read("case")
def case_detail(user: Any, case: Case, *, record: bool = True) -> dict[str, Any]:
    """The case as GET shows it: status, steps with times, clock, notices, materials."""
    own = permissions.speaks_for_applicant(user, case)
    handler = permissions.receives(user, case)
    if record and not own:
        audit.record_read("case", subject_id=case.applicant_id, reason=f"查看办件 {case.number}", obj=case)
    applicant = case.applicant
    # a parallel department reviews the application as filed (并联审批)
    full = own or handler or (_is_staff_viewer(user) and permissions.parallel_slot(user, case) is not None)
    out = _summary(case)
    reading = clocks.reading(case)
    projected = (None, None)
    if reading["state"] == clocks.NOT_STARTED:
        projected = clocks.projected_deadlines(case)
    out.update({
        "lock_version": case.lock_version,
        "item_version": case.item_version.number if case.item_version_id else None,
        "applicant": {"name": applicant.name, "id_number": applicant.id_number if full else mask_id_number(
            applicant.id_number), "phone": applicant.phone if full else mask_phone(applicant.phone)},
        "on_behalf_of": ({"uscc": case.on_behalf_of_id, "name": case.on_behalf_of.name}
                         if case.on_behalf_of_id else None),
        "filed_by": case.filed_by.name or case.filed_by.username if case.filed_by_id else None,
        "assignee": (case.assignee.name or case.assignee.username) if case.assignee_id else None,
        "form": case.form if full else {},
        "answers": case.answers,
        "accepted_on": _iso(case.accepted_on),
        "decided_at": _iso(case.decided_at),
        "decision": {"reason": case.decision_reason, "basis": case.decision_basis},
        "clock": {**reading, "deadline": _iso(reading["deadline"]),
                  "promised_deadline": _iso(reading["promised_deadline"])},
        "deadline": _iso(reading["deadline"] or projected[0]),
        "promised_deadline": _iso(reading["promised_deadline"] or projected[1]),
        "deadlines_projected": reading["state"] == clocks.NOT_STARTED,
        "materials": [_material(m) for m in case.materials.all()],
        "steps": [{"at": _iso(s.at), "action": s.action, "action_name": ACTION_LABELS.get(s.action, s.action),
                   "actor": s.actor_label, "status": s.status, "status_name": Status(s.status).label,
                   "note": s.note} for s in case.steps.all()],
        "notices": [{"kind": n.kind, "title": n.title, "issued_at": _iso(n.issued_at), "text": n.text}
                    for n in case.notices.all()],
        "corrections": [{"sequence": c.sequence, "materials": c.materials, "reason": c.reason,
                         "sent_at": _iso(c.sent_at), "completed_at": _iso(c.completed_at)}
                        for c in case.corrections.all()],
        "promise": _promise(case),
        "process": process.progress(case),
        "parallel_reviews": [{"department": r.department_id, "department_name": r.department.name,
                              "opinion": r.opinion or None, "note": r.note,
                              "reviewed_at": _iso(r.reviewed_at)}
                             for r in case.parallel_reviews.select_related("department")],
        "parent": case.parent.number if case.parent_id else None,
        "children": [_summary(c) for c in case.children.select_related(
            "item", "bundle", "region", "department").prefetch_related("clock_events").order_by("number")],
    })
    from .pages import waiting_line as page_waiting_line  # pages read this module: imported here

    # the same words on the tracking page, the officers' page and the API
    out["waiting"] = page_waiting_line(out, for_applicant=own)
    return out


def _material(m: CaseMaterial) -> dict[str, Any]:
    return {"position": m.position, "name": m.name, "source": m.source, "licence_type": m.licence_type or None,
            "required": m.required,
            "conditional": m.conditional, "tolerable": m.tolerable, "provision": m.provision,
            "provision_name": Provision(m.provision).label, "licence_number": m.licence_number or None,
            "confirmed": m.confirmed, "correction_requested": m.correction_requested, "corrected": m.corrected}


def _promise(case: Case) -> dict[str, Any] | None:
    promise = getattr(case, "promise", None) if hasattr(case, "promise") else None
    if promise is None:
        return None
    return {"materials": promise.materials, "days": promise.days, "due": _iso(promise.due),
            "signed_via": promise.signed_via, "fulfilled_at": _iso(promise.fulfilled_at),
            "broken_at": _iso(promise.broken_at), "outcome": promise.outcome}


def _summary(case: Case) -> dict[str, Any]:
    reading = clocks.reading(case)
    return {
        "number": case.number,
        "status": case.status,
        "status_name": Status(case.status).label,
        "channel": case.channel,
        "item": {"code": case.item.code, "name": case.item.name} if case.item_id else None,
        "bundle": {"code": case.bundle.code, "name": case.bundle.name} if case.bundle_id else None,
        "region": {"code": case.region_id, "name": case.region.name},
        "department": {"id": case.department_id, "name": case.department.name},
        "submitted_at": _iso(case.submitted_at),
        "deadline": _iso(reading["deadline"]),
        "promised_deadline": _iso(reading["promised_deadline"]),
        "clock_state": reading["state"],
        "days_used": reading["days_used"],
    }


# --- lists ---------------------------------------------------------------------------------------------

def _truthy(value: str | None) -> bool | None:
    if value in (None, ""):
        return None
    if value.lower() in ("1", "true", "yes", "是"):
        return True
    if value.lower() in ("0", "false", "no", "否"):
        return False
    raise FieldError("overdue", "应为 true 或 false")


@audit.scoped_lookup("待办或我的办件：行由 list_row 展示，不含申请人信息")
def queue(user: Any, *, status: str = "", overdue: str | None = None, item: str = "", channel: str = "",
          mine: str | None = None) -> QuerySet[Case]:
    """Officers: their department's queue, soonest deadline first. Applicants: their own
    cases, newest first (a bundle's children appear under the parent)."""
    rows = visible_cases(user).select_related("item", "bundle", "region", "department").prefetch_related(
        Prefetch("clock_events", queryset=CaseClockEvent.objects.order_by("on", "id")))
    if status:
        wanted = [s.strip() for s in status.split(",") if s.strip()]
        unknown = [s for s in wanted if s not in Status.values]
        if unknown:
            raise FieldError("status", f"未知的状态：{'、'.join(unknown)}（可选：{'、'.join(Status.values)}）")
        rows = rows.filter(status__in=wanted)
    flag = _truthy(overdue)
    today = timezone.localdate()
    if flag is True:
        rows = rows.filter(status=Status.ACCEPTED, deadline__lt=today)
    elif flag is False:
        rows = rows.exclude(status=Status.ACCEPTED, deadline__lt=today)
    if item:
        rows = rows.filter(item__code=item)
    if channel:
        rows = rows.filter(channel=channel)
    if _truthy(mine):
        rows = rows.filter(assignee=user)
    if _is_staff_viewer(user):
        from django.db.models import F

        return rows.filter(status__in=sorted(OPEN)).order_by(F("deadline").asc(nulls_last=True), "submitted_at") \
            if not status and flag is None else rows.order_by(F("deadline").asc(nulls_last=True), "submitted_at")
    return rows.filter(parent__isnull=True).order_by("-submitted_at", "-id")


@audit.scoped_lookup("办件列表行：编号、事项、状态与时限，不含申请人信息")
def list_row(case: Case) -> dict[str, Any]:
    return _summary(case)
