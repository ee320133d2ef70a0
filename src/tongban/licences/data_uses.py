"""The data-use tracker (Estonia's Data Tracker): every read of a person's data by staff, from
the audit trail's read records indexed by subject (no second log), and every step staff took
on their cases (processing the data). An enterprise's legal representative or agent also sees
the uses of the cases filed for that enterprise. Another person sees nothing of it."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from tongban.core.audit import Kind
from tongban.core.models import AuditRecord
from tongban.core.pagination import paginate
from tongban.identity.models import Department, StaffRole, User

from .selectors import enterprises_of

# Staff steps on a case that use the applicant's data, with the words the tracker shows.
PROCESSING = {
    "cases.accept": "受理办件", "cases.approve": "审批（准予许可）", "cases.deny": "审批（不予许可）",
    "cases.reject": "不予受理", "cases.request-correction": "审查材料并要求补正", "cases.claim": "认领办件",
    "cases.assign": "分派办件", "licences.issue": "签发电子证照", "licences.revoke": "注销电子证照",
    "licences.suspend": "暂扣电子证照", "licences.reinstate": "恢复电子证照", "licences.renew": "延续电子证照",
}
EXCHANGE_READ = "read:exchange:"  # reads through the data-sharing API (tongban.exchange)
WHAT = {"read:case": "办件信息（申请人身份、申请表、材料）", "read:case-file": "办件材料文件",
        "read:licences": "电子证照", "read:licence": "电子证照", "read:identity.agent": "经办人授权信息"}


def uses_of(user: Any) -> QuerySet[AuditRecord]:
    """The records the tracker shows the user: staff reads and case steps about them (and their
    enterprises' cases), and reads by a department system through the exchange API."""
    staff_ids = StaffRole.objects.values("user_id")
    mine = Q(subject_id=user.pk)
    enterprises = enterprises_of(user)
    if enterprises:
        from tongban.cases.models import Case

        case_ids = [str(pk) for pk in Case.objects.filter(on_behalf_of__in=enterprises).values_list("pk", flat=True)]
        mine |= Q(object_type="cases.case", object_id__in=case_ids)
        mine |= Q(action__startswith=EXCHANGE_READ, data__enterprise__in=enterprises)
    system = Q(actor_id__isnull=True, kind=Kind.READ, action__startswith=EXCHANGE_READ)
    return (AuditRecord.objects.filter(mine).filter(Q(actor_id__in=staff_ids) | system).exclude(actor_id=user.pk)
            .filter(Q(kind=Kind.READ) | Q(kind=Kind.WRITE, action__in=sorted(PROCESSING)))
            .order_by("-created_at", "-id"))


def data_uses(user: Any, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    from .models import Objection
    from .objections import out as objection_out

    out = paginate(uses_of(user), page, page_size)
    records = out["items"]
    actors = {u.pk: u for u in User.objects.filter(pk__in={r.actor_id for r in records})}
    departments: dict[int, list[str]] = {}
    for role in StaffRole.objects.filter(user_id__in=actors).select_related("department", "region"):
        departments.setdefault(role.user_id, []).append(
            role.department.name if role.department_id else f"{role.region.name}（{role.get_role_display()}）")
    names = dict(Department.objects.filter(pk__in={r.department for r in records if not r.actor_id})
                 .values_list("pk", "name"))
    objections = {o.data_use_id: objection_out(o)
                  for o in Objection.objects.filter(subject=user, data_use__in=[r.pk for r in records])}
    out["items"] = [{**_row(r, actors.get(r.actor_id), departments.get(r.actor_id, [])
                            if r.actor_id else [names.get(r.department, r.department)]),
                     "objection": objections.get(r.pk)} for r in records]
    return out


def _case_number(record: AuditRecord) -> str:
    number = (record.data or {}).get("number") or ""
    if not number and "办件 " in record.reason:
        number = record.reason.split("办件 ", 1)[1].split()[0]
    return number


def _row(record: AuditRecord, actor: User | None, departments: list[str]) -> dict[str, Any]:
    read = record.kind == Kind.READ
    number = _case_number(record)
    if read:
        what = WHAT.get(record.action) or (record.data or {}).get("what") or record.action.removeprefix("read:")
        why = record.reason or "（未说明事由）"
    else:
        what = PROCESSING.get(record.action, record.action)
        why = record.reason or (f"办理办件 {number}" if number else what)
        if number and number not in why:
            why = f"{why}（办件 {number}）"
    return {
        "id": record.pk, "at": timezone.localtime(record.created_at).isoformat(),
        "kind": "read" if read else "processing",
        "who": {"name": actor.name if actor else record.actor_label, "username": actor.username if actor else "",
                "departments": departments},
        "department": departments[0] if departments else "", "what": what, "action": record.action,
        "why": why, "case": number or None, "object": {"type": record.object_type, "id": record.object_id},
    }
