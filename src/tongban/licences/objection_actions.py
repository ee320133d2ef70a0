"""Writes of objections to a data use: filing (the subject) and deciding (supervision). Each
is one transaction with its audit record; a decision is checked on the locked row (409)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from tongban.core import audit
from tongban.core.calendar import add_working_days
from tongban.core.errors import Conflict, FieldError, NotFound
from tongban.core.models import AuditRecord
from tongban.identity.constants import Role
from tongban.identity.models import Department, Region, StaffRole
from tongban.identity.scoping import grants_of, is_admin

from .models import Objection
from .objections import State, _text, objection_days, supervises
from .signals import data_use_objected


def _region_of(record: AuditRecord) -> Region:
    """Where the use happened: the reader's staff region, else the department's, else the city."""
    role = StaffRole.objects.filter(user_id=record.actor_id).select_related("region").order_by("id").first() \
        if record.actor_id else None
    if role is not None:
        return role.region
    department = Department.objects.filter(pk=record.department).select_related("region").first() \
        if record.department else None
    if department is not None:
        return department.region
    return Region.objects.filter(parent__isnull=True).order_by("path").first()


def file_objection(user: Any, data_use_id: int, reason: str) -> Objection:
    """Object to one of the caller's own data uses (another's: 404; twice: 409)."""
    from .data_uses import uses_of

    reason = _text(reason, "reason", "异议理由")
    record = uses_of(user).filter(pk=data_use_id).first()
    if record is None:
        raise NotFound("未找到该数据使用记录")
    now = timezone.now()
    try:
        with transaction.atomic():
            objection = Objection.objects.create(
                data_use=record, subject=user, region=_region_of(record), reason=reason, filed_at=now,
                due=add_working_days(timezone.localdate(), objection_days()))
            audit.record("licences.objection.file", obj=objection, actor=user, subject_id=user.pk,
                         data={"data_use": record.pk, "due": objection.due.isoformat()})
            transaction.on_commit(lambda: data_use_objected.send(sender=Objection, objection=objection))
    except IntegrityError:
        raise Conflict("您已对该数据使用提出过异议") from None
    return objection


def decide(user: Any, objection_id: int, outcome: str, reason: str) -> Objection:
    if outcome not in (State.UPHELD, State.DISMISSED):
        raise FieldError("outcome", "处理结果应为 upheld（成立）或 dismissed（不成立）")
    if not is_admin(user) and not any(g.role == Role.SUPERVISOR for g in grants_of(user)):
        raise PermissionDenied("仅监督人员或管理员可处理异议")
    reason = _text(reason, "reason", "处理理由")
    with transaction.atomic():
        objection = Objection.objects.select_for_update().filter(pk=objection_id).first()
        if objection is None or not supervises(user, objection):
            raise NotFound("未找到该异议")
        if objection.state != State.OPEN:
            raise Conflict(f"该异议已处理（{objection.get_state_display()}）")
        objection.state, objection.decision_reason = outcome, reason
        objection.decided_by, objection.decided_at = user, timezone.now()
        objection.save(update_fields=["state", "decision_reason", "decided_by", "decided_at"])
        audit.record(f"licences.objection.{outcome}", obj=objection, actor=user, subject_id=objection.subject_id,
                     reason=reason[:200], data={"data_use": objection.data_use_id})
    return objection
