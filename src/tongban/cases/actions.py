"""The only write path of cases. Each action checks who acts and the case's state, validates
everything at once (FieldError), and runs in one transaction with its audit record.

Optimistic locking: every transition is one `UPDATE … WHERE id = ? AND lock_version = n AND
status = s` done first in its transaction; a lost race updates no row and answers 409, so two
officers approving at once end with exactly one decision. The legal clock is written as
events (start on acceptance, pause on a correction request, resume on the complete
correction, stop on the decision — R5, R7); readings are recomputed from them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tongban.catalog import selectors as catalog
from tongban.catalog.licensing import holder_of
from tongban.catalog.models import Bundle, ItemImplementation, ServiceItem
from tongban.core import audit
from tongban.core.calendar import get_calendar
from tongban.core.clock import EventKind
from tongban.core.errors import Conflict, FieldError, NotFound
from tongban.identity.models import Enterprise, User

from . import clocks, forms, intake, notices, numbering, permissions, process
from . import materials as mats
from .constants import ACTION_LABELS, CLOSED, Channel, NoticeKind, PromiseOutcome, Provision, Status
from .models import (
    Case,
    CaseClockEvent,
    CaseDraft,
    CaseMaterial,
    CaseNotice,
    CaseParallelReview,
    CasePromise,
    CaseStep,
    CorrectionRequest,
)
from .signals import case_approved

MAX_TEXT = 2000


def _promise_days() -> int:
    """R10: working days to supply promised materials (configurable, default 5)."""
    return int(getattr(settings, "CASE_PROMISE_DAYS", 5))


def _today() -> dt.date:
    return timezone.localdate()


# --- filing ------------------------------------------------------------------------------------------

def _label(actor: User | None) -> str:
    if actor is None:
        return "系统"
    return actor.name or actor.get_username()


def _step(case: Case, actor: User | None, action: str, note: str = "", **data: Any) -> CaseStep:
    return CaseStep.objects.create(case=case, at=timezone.now(), actor=actor, actor_label=_label(actor)[:100],
                                   action=action, status=case.status, note=note[:MAX_TEXT], data=data)


def _notice(case: Case, kind: str, text: str) -> CaseNotice:
    """Record the notice and, for those issued as documents, deliver its PDF to the applicant's
    message centre (with an SMS) once the transaction commits. A bundle's receipt goes out once,
    for the parent case."""
    notice = CaseNotice.objects.create(case=case, kind=kind, title=NoticeKind(kind).label, text=text,
                                       issued_at=timezone.now())
    if kind in notices.KINDS and not (kind == NoticeKind.RECEIPT and case.parent_id):
        notices.send_notice(case, kind, actor_id=audit.current_context().actor_id)
    return notice


def _clock(case: Case, kind: EventKind, on: dt.date, reason: str = "") -> None:
    CaseClockEvent.objects.create(case=case, kind=kind, on=on, at=timezone.now(), reason=reason[:200])
    getattr(case, "_prefetched_objects_cache", {}).pop("clock_events", None)  # read the new event too
    clocks.refresh_cache(case, on)


def _material_names(rows: Iterable[Any]) -> str:
    return "、".join(f"《{getattr(r, 'name', r)}》" for r in rows)


def submit(actor: User, *, item: str | None = None, bundle: str | None = None, region: str | None = None,
           on_behalf_of: str | None = None, form: dict[str, Any] | None = None,
           materials: list[Any] | None = None, answers: dict[str, str] | None = None,
           applicant: str | None = None) -> Case:
    """File a case (online, or at a window for a walk-in) for an item or a bundle."""
    if not item and not bundle:
        raise FieldError("item", "请填写事项编码（item），或一件事编码（bundle）")
    if item and bundle:
        raise FieldError("bundle", "事项（item）与一件事（bundle）只能填写其一")
    user, channel, filed_by = intake.applicant_for(actor, applicant)
    enterprise = intake.enterprise_for(user, on_behalf_of)
    claims = mats.parse_claims(materials or [])
    form, answers = form or {}, answers or {}
    if bundle:
        forms.check_submission(user, enterprise, form, bundle=bundle)
        return _submit_bundle(actor, bundle, region, user, enterprise, channel, filed_by, form, answers, claims)
    service_item, impl = intake.resolve_item(item, region)
    version = catalog.version_in_force(service_item)
    forms.check_submission(user, enterprise, form, service_item=service_item, version=version)
    intake.check_audience(service_item, enterprise)
    rows = mats.material_list(version, answers)
    planned = mats.plan(rows, claims, holder=holder_of(user, enterprise),
                        reusable=intake.reusable_uploads(user, enterprise, mats.reuse_claimed(rows, claims)))
    with transaction.atomic():
        case = _create_case(actor, service_item, version, impl, user, enterprise, channel, filed_by, form, answers,
                            planned)
        audit.record("cases.submit", obj=case, subject_id=user.pk,
                     data={"number": case.number, "item": service_item.code, "channel": channel,
                           "materials": {p.row["name"]: p.provision for p in planned}})
        _drop_draft(user, enterprise, service_item.code)
        _count_application(service_item.code)
    return case


def _drop_draft(user: User, enterprise: Enterprise | None, code: str) -> None:
    """The filed application's draft is done with (same transaction as the case)."""
    CaseDraft.objects.filter(user=user, holder=enterprise.uscc if enterprise else "", code=code).delete()


def _count_application(code: str) -> None:
    from tongban.catalog import actions as catalog_actions

    record = getattr(catalog_actions, "record_application", None)
    if record is not None:
        record(code)


def _new_case(number: str, **fields: Any) -> Case:
    return Case.objects.create(number=number, submitted_at=timezone.now(), **fields)


def _create_case(actor: User, item: ServiceItem, version, impl: ItemImplementation, user: User,
                 enterprise: Enterprise | None, channel: str, filed_by: User | None, form: dict[str, Any],
                 answers: dict[str, str], planned: list[mats.Planned], *, number: str | None = None,
                 parent: Case | None = None) -> Case:
    case = _new_case(number or numbering.next_number(impl.region_id, _today()),
                     parent=parent, item=item, item_version=version, implementation=impl, region=impl.region,
                     department=impl.department, applicant=user, on_behalf_of=enterprise, channel=channel,
                     filed_by=filed_by, answers=answers, form=form, legal_days=impl.legal_days,
                     legal_days_unit=impl.legal_days_unit, promised_days=impl.promised_days,
                     **process.initial_state(item.code, version))  # the BPMN workflow, saved with the case
    CaseMaterial.objects.bulk_create(mats.to_rows(case, planned))
    process.open_slots(case)  # the parallel departments' opinion slots
    promised = [p.row["name"] for p in planned if p.provision == Provision.PROMISED]
    if promised:  # R10: the applicant's promise, signed online (SMS-code signature to come)
        CasePromise.objects.create(case=case, materials=promised, days=_promise_days(),
                                   signed_via="paper" if channel == Channel.WINDOW else "online",
                                   signed_at=timezone.now())
    missing = [p.row["name"] for p in planned if p.provision == Provision.MISSING and p.row["required"]]
    note = f"尚未提交：{_material_names(missing)}" if missing else "材料已齐全"
    _step(case, actor, "submit", note, channel=channel, filed_for=user.pk if filed_by else None)
    legal, promised_deadline = clocks.projected_deadlines(case)
    _notice(case, NoticeKind.RECEIPT,
            f"{user.name or '申请人'}：您的“{item.name}”申请已收到，办件编号 {case.number}。"
            f"办理部门：{impl.department.name}。{note}。受理后法定办结时限{case.legal_days}"
            f"{'个工作日' if case.legal_days_unit == 'working' else '日'}，承诺办结时限{case.promised_days}个工作日"
            + (f"（如今日受理，法定期限 {legal.isoformat()}，承诺期限 {promised_deadline.isoformat()}）"
               if legal and promised_deadline else "") + "。")
    return case


def _submit_bundle(actor: User, code: str, region_code: str | None, user: User, enterprise: Enterprise | None,
                   channel: str, filed_by: User | None, form: dict[str, Any], answers: dict[str, str],
                   claims: list[mats.Claim]) -> Case:
    """一件事: one parent case, one child case per item routed to that item's department."""
    bundle = (Bundle.objects.filter(code=code, active=True).select_related("lead_department").first())
    if bundle is None:
        raise FieldError("bundle", f"未找到一件事 {code}")
    try:
        region = catalog.get_region(region_code or "210200")
    except NotFound as exc:
        raise FieldError("region", exc.message) from None
    entries = list(bundle.entries.select_related("item__current_version").order_by("position"))
    errors: list[tuple[str, str]] = []
    plans = []
    claimed: set[str] = set()
    for entry in entries:
        item = entry.item
        impl = intake.nearest_implementation(item, region)
        if impl is None:
            errors.append(("bundle", f"一件事包含的事项 {item.code}（{item.name}）在{region.name}未实施"))
            continue
        try:
            intake.check_audience(item, enterprise)
        except FieldError as exc:
            errors.extend(exc.errors)
            continue
        version = catalog.version_in_force(item)
        rows = mats.material_list(version, mats.answers_for(version, answers))
        names = {r["name"] for r in rows} | {(r.get("material_type") or {}).get("name") for r in rows}
        mine = []
        for c in claims:
            if c.name in names:
                row = next(r for r in rows if c.name in (r["name"], (r.get("material_type") or {}).get("name")))
                mine.append(mats.Claim(row["name"], c.provision, c.reference, c.reuse, c.consent))
                claimed.add(c.name)
        plans.append((item, version, impl, rows, mine))
    errors += [(f"materials.{i}", f"材料“{c.name}”不在本一件事的材料清单内，无需也不得提交（R11）")
               for i, c in enumerate(claims) if c.name not in claimed]
    if errors:
        raise FieldError(errors=list(dict.fromkeys(errors)))
    holder = holder_of(user, enterprise)
    planned_per_item = [(item, version, impl, mats.plan(
        rows, mine, holder=holder, reusable=intake.reusable_uploads(user, enterprise, mats.reuse_claimed(rows, mine))))
                        for item, version, impl, rows, mine in plans]
    with transaction.atomic():
        parent = _new_case(numbering.next_number(region.code, _today()), bundle=bundle, region=region,
                           department=bundle.lead_department, applicant=user, on_behalf_of=enterprise,
                           channel=channel, filed_by=filed_by, status=Status.IN_PROGRESS, answers=answers, form=form)
        children = []
        for i, (item, version, impl, planned) in enumerate(planned_per_item, start=1):
            children.append(_create_case(actor, item, version, impl, user, enterprise, channel, filed_by, form,
                                         answers, planned, number=f"{parent.number}-{i:02d}", parent=parent))
        _step(parent, actor, "submit", f"一件事“{bundle.name}”分送{len(children)}个部门并联办理",
              children=[c.number for c in children])
        _notice(parent, NoticeKind.RECEIPT,
                f"{user.name or '申请人'}：您的“{bundle.name}”一件事申请已收到，办件编号 {parent.number}，"
                f"共{len(children)}个事项：" + "；".join(f"{c.number} {c.item.name}（{c.department.name}）"
                                                     for c in children) + "。")
        audit.record("cases.submit", obj=parent, subject_id=user.pk,
                     data={"number": parent.number, "bundle": bundle.code, "children": [c.number for c in children]})
        _drop_draft(user, enterprise, bundle.code)
        for item, *_ in planned_per_item:
            _count_application(item.code)
    return parent


# --- transitions ---------------------------------------------------------------------------------

def _refuse_state(case: Case, action: str) -> Conflict:
    return Conflict(f"办件 {case.number} 当前状态为“{Status(case.status).label}”，不能{ACTION_LABELS[action]}")


def _require(case: Case, action: str, states: Iterable[str], lock_version: int | None) -> None:
    if case.status not in set(states):
        raise _refuse_state(case, action)
    if lock_version is not None and lock_version != case.lock_version:
        raise Conflict(f"办件 {case.number} 已被他人更新（版本 {case.lock_version}），请刷新后重试")


def _transition(case: Case, status: str, **fields: Any) -> None:
    """The guarded write every transition starts with: exactly one winner (optimistic lock)."""
    now = timezone.now()
    updated = (Case.objects.filter(pk=case.pk, lock_version=case.lock_version, status=case.status)
               .update(status=status, lock_version=F("lock_version") + 1, updated_at=now, **fields))
    if updated != 1:
        raise Conflict(f"办件 {case.number} 已被他人处理，请刷新后查看最新状态")
    case.status, case.lock_version, case.updated_at = status, case.lock_version + 1, now
    for name, value in fields.items():
        setattr(case, name, value)


def _as_officer(actor: User, case: Case) -> None:
    if not permissions.handles(actor, case):
        raise PermissionDenied("只有本部门本区划的审批人员可以办理")


def _as_receiver(actor: User, case: Case) -> None:
    """受理 stage: the department's window staff too."""
    if not permissions.receives(actor, case):
        raise PermissionDenied("只有本部门本区划的窗口或审批人员可以受理")


def _as_applicant(actor: User, case: Case) -> None:
    if not permissions.speaks_for_applicant(actor, case):
        raise PermissionDenied("只有申请人（或其代办人）可以执行此操作")


def _record(case: Case, action: str, **data: Any) -> None:
    audit.record(f"cases.{action}", obj=case, subject_id=case.applicant_id, data={"number": case.number, **data})


def _text(value: str | None, field: str, what: str, *, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise FieldError(field, f"请填写{what}")
    if len(value) > MAX_TEXT:
        raise FieldError(field, f"{what}不能超过{MAX_TEXT}个字")
    return value


def _names_in_case(case: Case, names: list[Any], field: str = "materials") -> list[CaseMaterial]:
    """The case's materials by name; a name outside the case's list is refused (R11)."""
    rows = {m.name: m for m in case.materials.all()}
    errors, found = [], []
    for i, name in enumerate(names):
        if not isinstance(name, str) or name not in rows:
            errors.append((f"{field}.{i}", f"材料“{name}”不在本办件的材料清单内（R11）"))
        elif rows[name] not in found:
            found.append(rows[name])
    if errors:
        raise FieldError(errors=errors)
    return found


def _claim_names(raw: list[Any]) -> list[str]:
    return [c.name for c in mats.parse_claims(raw)]


def accept(actor: User, case: Case, *, missing: list[Any] | None = None, lock_version: int | None = None) -> Case:
    """受理: the clock starts today (day 1 is the next working day, R5). By accepting, the
    officer confirms the materials received; materials still outstanding must be named in
    `missing` and be tolerable (R10) — they become promised, due in N working days."""
    _as_receiver(actor, case)
    _require(case, "accept", {Status.SUBMITTED}, lock_version)
    tolerated = _names_in_case(case, missing or [], "missing")
    errors = [(f"missing.{i}", f"材料“{m.name}”不可容缺，须补正后才能受理（R10）")
              for i, m in enumerate(tolerated) if not m.tolerable]
    if errors:
        raise FieldError(errors=errors)
    if CasePromise.objects.filter(case=case, signed_via="online", sms_verified=False,
                                  fulfilled_at__isnull=True).exists():
        raise Conflict(f"办件 {case.number} 的申请人尚未以短信验证码签署容缺承诺，暂不能容缺受理（R10）")
    on = _today()
    with transaction.atomic():
        _transition(case, Status.ACCEPTED, accepted_on=on, assignee=case.assignee or actor)
        received = []
        for m in case.materials.all():
            if m in tolerated:
                m.provision = Provision.PROMISED
            elif m.provision == Provision.MISSING and m.required:
                m.provision = Provision.UPLOADED  # received and checked at acceptance
                received.append(m.name)
            if m.provision == Provision.UPLOADED:
                m.confirmed = True
            m.save(update_fields=["provision", "confirmed"])
        promised = [m.name for m in case.materials.all() if m.provision == Provision.PROMISED]
        due = None
        if promised:
            promise, _ = CasePromise.objects.get_or_create(
                case=case, defaults={"materials": promised, "days": _promise_days(), "signed_via": "paper",
                                     "signed_at": timezone.now()})
            promise.materials, promise.due = promised, get_calendar().add(on, promise.days)
            promise.save(update_fields=["materials", "due"])
            due = promise.due
        _clock(case, EventKind.START, on, "受理")
        process.on_accept(case)
        note = "受理" + (f"；受理时核收：{_material_names(received)}" if received else "")
        if due:
            note += f"；容缺受理，{_material_names(promised)}须于 {due.isoformat()} 前补交（R10）"
        _step(case, actor, "accept", note, received=received, promised=promised)
        reading = clocks.reading(case, on)
        _notice(case, NoticeKind.ACCEPTANCE,
                f"您的“{case.item.name}”申请（{case.number}）已于 {on.isoformat()} 受理。法定办结期限 "
                f"{_iso(reading['deadline'])}，承诺办结期限 {_iso(reading['promised_deadline'])}。"
                + (f"请于 {due.isoformat()} 前补交{_material_names(promised)}。" if due else ""))
        _record(case, "accept", promised=promised, received=received)
    return case


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else "—"


def request_correction(actor: User, case: Case, *, materials: list[Any], reason: str,
                       lock_version: int | None = None) -> Case:
    """一次性告知补正 (R9): the first notice lists every problem; a later one may name only
    materials of the first. After acceptance it pauses the clock on the day it is sent (R7)."""
    _as_receiver(actor, case)
    _require(case, "request-correction", {Status.SUBMITTED, Status.ACCEPTED}, lock_version)
    reason = _text(reason, "reason", "补正理由", required=True)
    if not materials:
        raise FieldError("materials", "请一次性列明需要补正的全部材料")
    rows = _names_in_case(case, materials)
    first = case.corrections.order_by("sequence").first()
    if first is not None:
        outside = [(f"materials.{i}",
                    f"材料“{m.name}”未列在第一次补正通知中：补正须一次性告知，不能再要求新的材料（R9）")
                   for i, m in enumerate(rows) if m.name not in first.materials]
        if outside:
            raise FieldError(errors=outside)
    during_review = case.status == Status.ACCEPTED
    on = _today()
    with transaction.atomic():
        _transition(case, Status.CORRECTION)
        sequence = (case.corrections.order_by("-sequence").values_list("sequence", flat=True).first() or 0) + 1
        CorrectionRequest.objects.create(case=case, sequence=sequence, materials=[m.name for m in rows],
                                         reason=reason, sent_at=timezone.now(), sent_by=actor,
                                         during_review=during_review)
        CaseMaterial.objects.filter(pk__in=[m.pk for m in rows]).update(correction_requested=True, corrected=False,
                                                                         confirmed=False)
        if during_review:
            _clock(case, EventKind.PAUSE, on, "补正")
        _step(case, actor, "request-correction", f"需补正：{_material_names(rows)}。理由：{reason}",
              materials=[m.name for m in rows], sequence=sequence)
        _notice(case, NoticeKind.CORRECTION,
                f"您的“{case.item.name}”申请（{case.number}）需补正以下材料（一次性告知）："
                + "；".join(f"{i}. {m.name}" for i, m in enumerate(rows, start=1))
                + f"。理由：{reason}。" + ("补正期间办理时限暂停计算，收到完整补正材料之日起继续计算。"
                                          if during_review else ""))
        _record(case, "request-correction", materials=[m.name for m in rows], sequence=sequence)
    return case


def submit_correction(actor: User, case: Case, *, materials: list[Any] | None = None,
                      lock_version: int | None = None) -> Case:
    """The applicant supplies the requested materials; the correction is complete, so the
    clock resumes today with the days already used kept (R7). Named materials must be ones
    the notice asked for (R9, R11)."""
    _as_applicant(actor, case)
    _require(case, "submit-correction", {Status.CORRECTION}, lock_version)
    request = case.corrections.filter(completed_at__isnull=True).order_by("-sequence").first()
    if request is None:  # pragma: no cover - a correction state always has an open request
        raise _refuse_state(case, "submit-correction")
    claims = mats.parse_claims(materials or [])
    errors = [(f"materials.{i}", f"材料“{c.name}”不在补正通知所列材料之内（R9、R11）")
              for i, c in enumerate(claims) if c.name not in request.materials]
    if errors:
        raise FieldError(errors=errors)
    references = {c.name: c.reference for c in claims}
    on = _today()
    resumed = request.during_review
    with transaction.atomic():
        _transition(case, Status.ACCEPTED if resumed else Status.SUBMITTED)
        for m in case.materials.filter(name__in=request.materials):
            if m.provision in (Provision.MISSING, Provision.PROMISED, Provision.FETCHED, Provision.REUSED):
                m.provision, m.reused_from, m.licence_number = Provision.UPLOADED, None, ""
            m.reference = references.get(m.name) or m.reference
            m.correction_requested, m.corrected = False, True
            m.save(update_fields=["provision", "reused_from", "licence_number", "reference", "correction_requested",
                                  "corrected"])
        request.completed_at = timezone.now()
        request.save(update_fields=["completed_at"])
        if resumed:
            _clock(case, EventKind.RESUME, on, "补正完成")
        _step(case, actor, "submit-correction", f"已补正：{_material_names(request.materials)}",
              materials=request.materials, sequence=request.sequence)
        _record(case, "submit-correction", materials=request.materials, sequence=request.sequence)
    return case


def reject(actor: User, case: Case, *, reason: str, basis: str = "", lock_version: int | None = None) -> Case:
    """不予受理 (before acceptance), with reason and basis."""
    _as_receiver(actor, case)
    if case.accepted_on is not None:
        raise _refuse_state(case, "reject")
    _require(case, "reject", {Status.SUBMITTED, Status.CORRECTION}, lock_version)
    reason = _text(reason, "reason", "不予受理的理由", required=True)
    basis = _text(basis, "basis", "依据", required=False)[:500]
    with transaction.atomic():
        _transition(case, Status.REJECTED, decided_at=timezone.now(), decision_reason=reason, decision_basis=basis)
        _step(case, actor, "reject", f"理由：{reason}" + (f"；依据：{basis}" if basis else ""))
        _notice(case, NoticeKind.REJECTION,
                f"您的“{case.item.name}”申请（{case.number}）不予受理。理由：{reason}。"
                + (f"依据：{basis}。" if basis else "")
                + "如不服本决定，可依法申请行政复议或者提起行政诉讼。")
        _record(case, "reject", reason=reason, basis=basis)
        _close_parent_if_done(case)
    return case


def _decide(actor: User, case: Case, action: str, status: str, reason: str, basis: str,
            lock_version: int | None) -> Case:
    _as_officer(actor, case)
    _require(case, action, {Status.ACCEPTED}, lock_version)
    process.check_decidable(case, approving=status == Status.APPROVED)  # 并联审批: the gateway's join
    on = _today()
    with transaction.atomic():
        _transition(case, status, decided_at=timezone.now(), decision_reason=reason, decision_basis=basis)
        process.on_decide(case)
        _clock(case, EventKind.STOP, on, ACTION_LABELS[action])
        reading = clocks.reading(case, on)
        _step(case, actor, action, reason or ACTION_LABELS[action], days_used=reading["days_used"])
        if status == Status.APPROVED:
            _notice(case, NoticeKind.APPROVAL,
                    f"您的“{case.item.name}”申请（{case.number}）经审查，符合法定条件，准予许可。"
                    f"用时 {reading['days_used']} 个工作日。")
        else:
            _notice(case, NoticeKind.DENIAL,
                    f"您的“{case.item.name}”申请（{case.number}）经审查，不予许可。理由：{reason}。"
                    + (f"依据：{basis}。" if basis else "") + "如不服本决定，可依法申请行政复议或者提起行政诉讼。")
        _record(case, action, reason=reason, basis=basis, days_used=reading["days_used"])
        _close_parent_if_done(case)
        if status == Status.APPROVED:
            transaction.on_commit(lambda: case_approved.send(sender=Case, case=case))
    return case


def approve(actor: User, case: Case, *, reason: str = "", basis: str = "", lock_version: int | None = None) -> Case:
    return _decide(actor, case, "approve", Status.APPROVED, _text(reason, "reason", "意见", required=False),
                   _text(basis, "basis", "依据", required=False)[:500], lock_version)


def review_in_parallel(actor: User, case: Case, *, opinion: str, note: str = "",
                       lock_version: int | None = None) -> Case:
    """并联审批: an officer of a parallel department gives that department's opinion, once,
    while the case is accepted; the lead department decides only when all have (R-B4)."""
    slot = permissions.parallel_slot(actor, case)
    if slot is None:
        raise PermissionDenied("只有并联审查部门的审批人员可以提交并联审查意见")
    _require(case, "review", {Status.ACCEPTED}, lock_version)
    if opinion not in CaseParallelReview.Opinion.values:
        raise FieldError("opinion", "请选择审查意见：agree（同意）或 disagree（不同意）")
    note = _text(note, "note", "不同意的理由" if opinion == "disagree" else "意见说明", required=opinion == "disagree")
    label = CaseParallelReview.Opinion(opinion).label
    with transaction.atomic():
        if not CaseParallelReview.objects.filter(pk=slot.pk, opinion="").update(
                opinion=opinion, note=note, reviewed_by=actor, reviewed_at=timezone.now()):
            raise Conflict(f"{slot.department.name}已提交对办件 {case.number} 的并联审查意见")
        _transition(case, case.status)
        step = process.on_parallel_review(case, slot.department_id)
        _step(case, actor, "review", f"{step}：{slot.department.name}{label}" + (f"。{note}" if note else ""),
              department=slot.department_id, opinion=opinion)
        _record(case, "review", department=slot.department_id, opinion=opinion)
    return case


def deny(actor: User, case: Case, *, reason: str, basis: str = "", lock_version: int | None = None) -> Case:
    return _decide(actor, case, "deny", Status.DENIED, _text(reason, "reason", "不予许可的理由", required=True),
                   _text(basis, "basis", "依据", required=False)[:500], lock_version)


WITHDRAWABLE = {Status.SUBMITTED, Status.CORRECTION, Status.ACCEPTED, Status.SUSPENDED, Status.IN_PROGRESS}


def withdraw(actor: User, case: Case, *, reason: str = "", lock_version: int | None = None) -> Case:
    """撤回 before the decision; a bundle withdraws every child not yet decided."""
    _as_applicant(actor, case)
    _require(case, "withdraw", WITHDRAWABLE, lock_version)
    reason = _text(reason, "reason", "撤回理由", required=False)
    with transaction.atomic():
        _withdraw_one(actor, case, reason)
        if case.is_bundle_parent:
            for child in case.children.select_related("item").filter(status__in=sorted(WITHDRAWABLE)):
                _withdraw_one(actor, child, reason)
        else:
            _close_parent_if_done(case)
    return case


def _withdraw_one(actor: User, case: Case, reason: str) -> None:
    started = case.accepted_on is not None
    _transition(case, Status.WITHDRAWN, decided_at=timezone.now(), decision_reason=reason)
    if started:
        _clock(case, EventKind.STOP, _today(), "撤回")
    _step(case, actor, "withdraw", reason or "申请人撤回申请")
    _notice(case, NoticeKind.WITHDRAWAL, f"办件 {case.number} 已按申请人要求撤回。")
    _record(case, "withdraw", reason=reason)


def _close_parent_if_done(case: Case) -> None:
    if case.parent_id is None:
        return
    parent = Case.objects.select_for_update().get(pk=case.parent_id)
    if parent.status in CLOSED or parent.children.exclude(status__in=sorted(CLOSED)).exists():
        return
    _transition(parent, Status.COMPLETED, decided_at=timezone.now())
    _step(parent, None, "complete", "一件事所含事项均已办结")


def claim(actor: User, case: Case, *, lock_version: int | None = None) -> Case:
    """认领: the officer takes the case into their own hands."""
    _as_officer(actor, case)
    _require(case, "claim", {Status.SUBMITTED, Status.CORRECTION, Status.ACCEPTED, Status.SUSPENDED}, lock_version)
    if case.assignee_id and case.assignee_id != actor.pk:
        raise Conflict(f"办件 {case.number} 已由{_label(case.assignee)}承办")
    with transaction.atomic():
        _transition(case, case.status, assignee=actor)
        _step(case, actor, "claim", "认领办件")
        _record(case, "claim")
    return case


def assign(actor: User, case: Case, *, officer: str, lock_version: int | None = None) -> Case:
    """分派: a head of the department hands the case to one of its officers."""
    if not permissions.heads(actor, case):
        raise PermissionDenied("只有本部门负责人可以分派办件")
    _require(case, "assign", {Status.SUBMITTED, Status.CORRECTION, Status.ACCEPTED, Status.SUSPENDED}, lock_version)
    target = User.objects.filter(username=officer or "").first()
    if target is None or not permissions.handles(target, case):
        raise FieldError("officer", "承办人须为本部门本区划的审批人员")
    with transaction.atomic():
        _transition(case, case.status, assignee=target)
        _step(case, actor, "assign", f"分派给{_label(target)}", officer=target.username)
        _record(case, "assign", officer=target.username)
    return case


def supply_promised(actor: User, case: Case, *, materials: list[Any], lock_version: int | None = None) -> Case:
    """The applicant supplies promised materials (R10); a case suspended for a broken promise
    resumes once everything promised is in."""
    _as_applicant(actor, case)
    _require(case, "supply-promised", {Status.ACCEPTED, Status.SUSPENDED}, lock_version)
    promise = CasePromise.objects.filter(case=case).first()
    if promise is None or promise.fulfilled_at:
        raise Conflict(f"办件 {case.number} 没有待补交的容缺材料")
    names = _claim_names(materials)
    if not names:
        raise FieldError("materials", "请列明补交的材料")
    errors = [(f"materials.{i}", f"材料“{n}”不在容缺承诺的材料之内") for i, n in enumerate(names)
              if n not in promise.materials]
    if errors:
        raise FieldError(errors=errors)
    with transaction.atomic():
        suspended = case.status == Status.SUSPENDED
        case.materials.filter(name__in=names, provision=Provision.PROMISED).update(provision=Provision.UPLOADED)
        outstanding = case.materials.filter(provision=Provision.PROMISED).exists()
        _transition(case, Status.ACCEPTED if suspended and not outstanding else case.status)
        if not outstanding:
            promise.fulfilled_at = timezone.now()
            promise.save(update_fields=["fulfilled_at"])
            if suspended:
                _clock(case, EventKind.RESUME, _today(), "容缺材料补齐")
        _step(case, actor, "supply-promised", f"补交：{_material_names(names)}", materials=names)
        _record(case, "supply-promised", materials=names)
    return case


def enforce_promises(on: dt.date | None = None) -> list[str]:
    """R10: a case whose promise is past due moves to the item's defined outcome (中止 pauses
    the clock, 终止 ends the case) with a notice — never silently on. Returns case numbers."""
    on = on or _today()
    moved = []
    due = (CasePromise.objects.filter(fulfilled_at__isnull=True, broken_at__isnull=True, due__lt=on,
                                      case__status=Status.ACCEPTED).select_related("case__item", "case__region"))
    for promise in due:
        case = promise.case
        try:
            with transaction.atomic():
                terminated = promise.outcome == PromiseOutcome.TERMINATED
                _transition(case, Status.TERMINATED if terminated else Status.SUSPENDED,
                            **({"decided_at": timezone.now()} if terminated else {}))
                _clock(case, EventKind.STOP if terminated else EventKind.PAUSE, on, "容缺承诺逾期")
                promise.broken_at = timezone.now()
                promise.save(update_fields=["broken_at"])
                _step(case, None, "promise-broken",
                      f"承诺于 {promise.due.isoformat()} 前补交的{_material_names(promise.materials)}逾期未补交，"
                      f"办件{PromiseOutcome(promise.outcome).label}")
                _notice(case, NoticeKind.SUSPENSION,
                        f"您承诺于 {promise.due.isoformat()} 前补交的{_material_names(promise.materials)}逾期未补交，"
                        f"办件 {case.number} {PromiseOutcome(promise.outcome).label}办理。"
                        + ("" if terminated else "补交后恢复办理。"))
                _record(case, "promise-broken", outcome=promise.outcome)
        except Conflict:
            continue  # acted on meanwhile: the next run sees the new state
        moved.append(case.number)
    return moved


# --- dispatch --------------------------------------------------------------------------------------

def perform(actor: User, case: Case, action: str, body: dict[str, Any]) -> Case:
    """Run a named action with the fields of its body (the API's one entry point)."""
    lock = body.get("lock_version")
    if action == "accept":
        return accept(actor, case, missing=_claim_names(body.get("missing") or []), lock_version=lock)
    if action == "request-correction":
        return request_correction(actor, case, materials=_claim_names(body.get("materials") or []),
                                  reason=body.get("reason") or "", lock_version=lock)
    if action == "submit-correction":
        return submit_correction(actor, case, materials=body.get("materials") or [], lock_version=lock)
    if action == "reject":
        return reject(actor, case, reason=body.get("reason") or "", basis=body.get("basis") or "",
                      lock_version=lock)
    if action == "approve":
        return approve(actor, case, reason=body.get("reason") or "", basis=body.get("basis") or "",
                       lock_version=lock)
    if action == "deny":
        return deny(actor, case, reason=body.get("reason") or "", basis=body.get("basis") or "", lock_version=lock)
    if action == "review":
        return review_in_parallel(actor, case, opinion=body.get("opinion") or "", note=body.get("note") or "",
                                  lock_version=lock)
    if action == "withdraw":
        return withdraw(actor, case, reason=body.get("reason") or "", lock_version=lock)
    if action == "claim":
        return claim(actor, case, lock_version=lock)
    if action == "assign":
        return assign(actor, case, officer=body.get("officer") or "", lock_version=lock)
    if action in ("send-promise-code", "sign-promise"):
        from . import promise_actions  # it builds on this module

        if action == "send-promise-code":
            promise_actions.send_promise_code(actor, case)
            return case
        return promise_actions.sign_promise(actor, case, code=body.get("code") or "", lock_version=lock)
    if action == "supply-promised":
        return supply_promised(actor, case, materials=body.get("materials") or [], lock_version=lock)
    raise NotFound(f"没有名为“{action}”的办理操作")
