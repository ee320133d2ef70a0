"""The only write path of the licence library and the seal register.

Every function runs in one transaction and writes its audit record; every use of a seal key is
recorded with the licence and the actor. Lock order where two actions can race: the licence row
(`select_for_update`), then the seal key — two simultaneous revocations end with one outcome,
the other sees the new state and answers 409. A licence is never written without its sealed
version: a seal that cannot be made (wrong key-encryption key) rolls the whole issue back."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from tongban.catalog.models import LicenceType
from tongban.core import audit
from tongban.core.errors import Conflict, FieldError
from tongban.core.identifiers import IdentifierError, validate_id_number, validate_uscc
from tongban.identity.models import Department, Enterprise, Region, User

from . import seals
from .constants import ACTION_FROM, OFFICER_ACTIONS, HolderKind, KeyStatus, Status, VersionKind
from .models import Licence, LicenceVersion, SealKey

MAX_TEXT = 500


def _label(actor: User | None) -> str:
    return "系统" if actor is None else (actor.name or actor.get_username())[:100]


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _licence_data(licence: Licence, version: int) -> dict[str, Any]:
    """The signed snapshot of a licence (what the document and the verification show)."""
    changed = licence.status_changed_at
    return {
        "type": licence.licence_type_id, "type_name": licence.licence_type.name, "number": licence.number,
        "holder": {"kind": licence.holder_kind, "id": licence.holder_id, "name": licence.holder_name},
        "issuer": {"department": licence.issuer_id, "name": licence.issuer.name, "region": licence.region_id},
        "issued_on": _iso(licence.issued_on), "valid_from": _iso(licence.valid_from),
        "valid_until": _iso(licence.valid_until), "status": licence.status,
        "status_changed_at": timezone.localtime(changed).isoformat(timespec="seconds") if changed else None,
        "status_reason": licence.status_reason, "status_basis": licence.status_basis,
        "verification_code": licence.verification_code, "source_case": licence.source_case_number or None,
        "fields": licence.data or {}, "version": version,
    }


def _seal_version(licence: Licence, kind: str, actor: User | None, reason: str = "", basis: str = "",
                  algorithm: str | None = None) -> LicenceVersion:
    number = licence.current_version + 1
    key = seals.active_key(licence.issuer, algorithm or _algorithm_of(licence))
    data = _licence_data(licence, number)
    stamp, signature = seals.seal(data, key)
    version = LicenceVersion.objects.create(
        licence=licence, number=number, kind=kind, status=licence.status, data=data, at=timezone.now(),
        actor=actor, actor_label=_label(actor), reason=reason[:MAX_TEXT], legal_basis=basis[:MAX_TEXT],
        seal_key=key, algorithm=key.algorithm, signed_at=dt.datetime.fromisoformat(stamp["signed_at"]),
        seal=stamp, signature=signature)
    licence.current_version = number
    licence.save(update_fields=["current_version", "updated_at"])
    audit.record("licences.seal_key.use", obj=key, actor=actor, subject_id=licence.holder_user_id,
                 data={"key_id": key.key_id, "licence": licence.pk, "number": licence.number,
                       "version": number, "kind": kind})
    return version


def _algorithm_of(licence: Licence) -> str | None:
    """Keep the licence's algorithm across versions unless its key's algorithm is unavailable."""
    last = licence.versions.order_by("-number").only("algorithm").first() if licence.pk else None
    return last.algorithm if last else None


def _holder(kind: str, holder_id: str) -> str:
    try:
        return validate_id_number(holder_id) if kind == HolderKind.PERSON else validate_uscc(holder_id)
    except IdentifierError as exc:
        raise FieldError("holder_id", exc.message) from None


def _valid_until(licence_type: LicenceType, valid_from: dt.date) -> dt.date | None:
    if licence_type.validity_days:
        return valid_from + dt.timedelta(days=licence_type.validity_days)
    if licence_type.validity_years:
        try:
            return valid_from.replace(year=valid_from.year + licence_type.validity_years) - dt.timedelta(days=1)
        except ValueError:  # 29 February
            return valid_from.replace(year=valid_from.year + licence_type.validity_years, day=28)
    return None


def _new_number(licence_type: LicenceType, region: Region, day: dt.date) -> str:
    return f"{licence_type.code.removeprefix('ZZ-')}{region.pk}{day:%Y%m%d}{secrets.token_hex(3).upper()}"


def issue_licence(actor: User | None, *, licence_type: LicenceType, holder_kind: str, holder_id: str,
                  holder_name: str, issuer: Department, region: Region, number: str = "",
                  issued_on: dt.date | None = None, valid_from: dt.date | None = None,
                  valid_until: dt.date | None = None, source_case: Any = None, fields: dict | None = None,
                  holder_user: User | None = None, holder_enterprise: Enterprise | None = None,
                  kind: str = VersionKind.ISSUE, reason: str = "", basis: str = "",
                  algorithm: str | None = None, status: str = Status.VALID) -> Licence:
    """Issue a sealed licence (version 1). A duplicate number of the type and issuer, or a
    second licence of the type for the same case, is a Conflict."""
    holder_id = _holder(holder_kind, holder_id)
    today = timezone.localdate()
    issued_on = issued_on or today
    valid_from = valid_from or issued_on
    if valid_until is None:
        valid_until = _valid_until(licence_type, valid_from)
    if valid_until is not None and valid_until < valid_from:
        raise FieldError("valid_until", "有效期止不能早于有效期起")
    try:
        with transaction.atomic():
            licence = Licence.objects.create(
                licence_type=licence_type, number=number or _new_number(licence_type, region, issued_on),
                issuer=issuer, region=region, holder_kind=holder_kind, holder_id=holder_id,
                holder_name=holder_name[:200], holder_user=holder_user, holder_enterprise=holder_enterprise,
                issued_on=issued_on, valid_from=valid_from, valid_until=valid_until, status=status,
                verification_code=secrets.token_hex(16), source_case=source_case,
                source_case_number=getattr(source_case, "number", "") or "", data=fields or {})
            _seal_version(licence, kind, actor, reason, basis, algorithm)
            audit.record("licences.issue", obj=licence, actor=actor, subject_id=licence.holder_user_id,
                         data={"type": licence_type.code, "number": licence.number,
                               "source_case": licence.source_case_number})
    except IntegrityError:
        raise Conflict(f"证照已存在：{licence_type.name}（同一发证部门的编号重复，或该办件已签发此类证照）") from None
    return licence


def _locked(licence: Licence) -> Licence:
    return Licence.objects.select_for_update().select_related("licence_type", "issuer").get(pk=licence.pk)


def _text(value: str | None, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise FieldError(field, f"请填写{label}")
    if len(value) > MAX_TEXT:
        raise FieldError(field, f"{label}不能超过{MAX_TEXT}字")
    return value


def change_status(actor: User, licence: Licence, action: str, *, reason: str, basis: str) -> Licence:
    """revoke | suspend | reinstate: a new sealed version with who, when, reason and legal
    basis. The state is checked on the locked row: a lost race answers 409."""
    if action not in OFFICER_ACTIONS:
        raise FieldError("action", f"未知操作：{action}（可选：{'、'.join(OFFICER_ACTIONS)}）")
    errors = []
    for field, label, value in (("reason", "理由", reason), ("basis", "法律依据", basis)):
        try:
            _text(value, field, label)
        except FieldError as exc:
            errors += exc.errors
    if errors:
        raise FieldError(errors=errors)
    kind, new_status = OFFICER_ACTIONS[action]
    with transaction.atomic():
        locked = _locked(licence)
        current = locked.effective_status()
        if locked.status not in ACTION_FROM[action] or (current == Status.EXPIRED and action != "revoke"):
            raise Conflict(f"证照当前状态为“{Status(current).label}”，不能{kind.label}")
        locked.status = new_status
        locked.status_changed_at = timezone.now()
        locked.status_reason, locked.status_basis = reason.strip(), basis.strip()
        locked.save(update_fields=["status", "status_changed_at", "status_reason", "status_basis", "updated_at"])
        _seal_version(locked, kind, actor, reason.strip(), basis.strip())
        audit.record(f"licences.{action}", obj=locked, actor=actor, subject_id=locked.holder_user_id,
                     reason=reason.strip(), data={"number": locked.number, "basis": basis.strip()})
    return locked


def revoke(actor: User, licence: Licence, *, reason: str, basis: str) -> Licence:
    return change_status(actor, licence, "revoke", reason=reason, basis=basis)


def suspend(actor: User, licence: Licence, *, reason: str, basis: str) -> Licence:
    return change_status(actor, licence, "suspend", reason=reason, basis=basis)


def reinstate(actor: User, licence: Licence, *, reason: str, basis: str) -> Licence:
    return change_status(actor, licence, "reinstate", reason=reason, basis=basis)


def renew(actor: User, licence: Licence, *, valid_until: dt.date, reason: str, basis: str) -> Licence:
    """延续: a later end of validity, as a new sealed version."""
    reason, basis = _text(reason, "reason", "理由"), _text(basis, "basis", "法律依据")
    with transaction.atomic():
        locked = _locked(licence)
        if locked.status not in ACTION_FROM["renew"]:
            raise Conflict(f"证照当前状态为“{Status(locked.status).label}”，不能延续")
        if locked.valid_until is not None and valid_until <= locked.valid_until:
            raise FieldError("valid_until", f"延续后的有效期止应晚于 {locked.valid_until.isoformat()}")
        locked.valid_until = valid_until
        locked.save(update_fields=["valid_until", "updated_at"])
        _seal_version(locked, VersionKind.RENEW, actor, reason, basis)
        audit.record("licences.renew", obj=locked, actor=actor, subject_id=locked.holder_user_id, reason=reason,
                     data={"number": locked.number, "valid_until": valid_until.isoformat()})
    return locked


def record_expiry(licences: list[Licence]) -> int:
    """The nightly job stores `expired` for licences whose dates have passed (read time already
    says so); one audit record for the batch."""
    ids = [lic.pk for lic in licences]
    if not ids:
        return 0
    with transaction.atomic():
        count = Licence.objects.filter(pk__in=ids, status=Status.VALID).update(
            status=Status.EXPIRED, status_changed_at=timezone.now(), status_reason="有效期届满")
        audit.record("licences.expire", data={"licences": ids[:500], "count": count})
    return count


# --- the seal register -----------------------------------------------------------------------------

def retire_key(actor: User | None, key: SealKey, *, reason: str = "密钥轮换") -> SealKey:
    """Rotation: the key stops signing but stays in the register; its signatures still verify.
    The department's next seal creates a new active key."""
    with transaction.atomic():
        locked = SealKey.objects.select_for_update().get(pk=key.pk)
        if locked.status != KeyStatus.ACTIVE:
            raise Conflict(f"密钥 {locked.key_id} 当前为“{locked.get_status_display()}”，不能停用")
        locked.status, locked.retired_at, locked.status_reason = KeyStatus.RETIRED, timezone.now(), reason[:300]
        locked.save(update_fields=["status", "retired_at", "status_reason"])
        audit.record("licences.seal_key.retire", obj=locked, actor=actor, reason=reason[:200],
                     data={"key_id": locked.key_id})
    return locked


def compromise_key(actor: User | None, key: SealKey, *, reason: str) -> list[Licence]:
    """A compromised key's signatures are no longer trusted: mark it, and re-seal the current
    version of every licence it sealed with the department's new active key (a new version)."""
    reason = _text(reason, "reason", "理由")
    with transaction.atomic():
        locked = SealKey.objects.select_for_update().get(pk=key.pk)
        if locked.status == KeyStatus.COMPROMISED:
            raise Conflict(f"密钥 {locked.key_id} 已标记为泄露")
        locked.status, locked.compromised_at, locked.status_reason = KeyStatus.COMPROMISED, timezone.now(), reason
        locked.save(update_fields=["status", "compromised_at", "status_reason"])
        audit.record("licences.seal_key.compromise", obj=locked, actor=actor, reason=reason[:200],
                     data={"key_id": locked.key_id})
        resealed = []
        affected = (Licence.objects.filter(versions__seal_key=locked).distinct().order_by("pk")
                    .values_list("pk", flat=True))
        for pk in list(affected):
            licence = Licence.objects.select_for_update().select_related("licence_type", "issuer").get(pk=pk)
            if licence.versions.get(number=licence.current_version).seal_key_id != locked.pk:
                continue  # its current version is already sealed by another key
            _seal_version(licence, VersionKind.RESEAL, actor, f"签章密钥 {locked.key_id} 泄露，重新签章",
                          "", locked.algorithm)
            resealed.append(licence)
        audit.record("licences.reseal", obj=locked, actor=actor, data={"licences": [x.pk for x in resealed]})
    return resealed


# --- issue on approval -----------------------------------------------------------------------------

def _outputs_of(case: Any) -> list[str]:
    """The licence type codes an approved case's item version issues (办理结果（证照））."""
    if case.item_version_id is None:
        return []
    return [str(c) for c in (case.item_version.elements or {}).get("outputs") or []]


def issue_for_case(case: Any, actor: User | None = None) -> list[Licence]:
    """One licence per output licence type of the case's item, to the case's applicant (the
    enterprise filed for, else the person), issued by the case's department in its region.
    Idempotent: a type already issued for the case is skipped (and the unique constraint on
    source case and type settles a race)."""
    codes = _outputs_of(case)
    if not codes or case.status != "approved":
        return []
    done = set(Licence.objects.filter(source_case=case).values_list("licence_type_id", flat=True))
    issued = []
    for licence_type in LicenceType.objects.filter(pk__in=[c for c in codes if c not in done]).order_by("pk"):
        holder = _case_holder(case)
        if holder is None:
            continue
        try:
            issued.append(issue_licence(
                actor, licence_type=licence_type, issuer=case.department, region=case.region, source_case=case,
                reason=f"办件 {case.number} 准予许可", basis=case.decision_basis or "", **holder,
                fields={"item": case.item.code if case.item_id else "", "item_name": case.item.name if case.item_id
                        else ""}))
        except Conflict:
            continue  # a concurrent signal issued it first
    return issued


def _case_holder(case: Any) -> dict[str, Any] | None:
    if case.on_behalf_of_id:
        enterprise = case.on_behalf_of
        return {"holder_kind": HolderKind.ENTERPRISE, "holder_id": enterprise.uscc, "holder_name": enterprise.name,
                "holder_enterprise": enterprise}
    applicant = case.applicant
    if not applicant.id_number:
        return None
    return {"holder_kind": HolderKind.PERSON, "holder_id": applicant.id_number,
            "holder_name": applicant.name or applicant.get_username(), "holder_user": applicant}


# --- bulk import -----------------------------------------------------------------------------------

def import_licences(actor: User | None, department: Department, table: list[list[Any]]) -> dict[str, Any]:
    """Import a department's licences: every row judged first; nothing is written unless all
    pass (`FieldError`-like report → `ImportRejected`). Identical rows already issued are
    skipped as `unchanged`; each new row is issued and sealed like an issued licence (version
    kind `import`). One transaction: a failure anywhere (a seal refused) leaves nothing."""
    from .imports import plan

    judged = plan(department, table)
    if judged.errors or judged.conflicts:
        raise ImportRejected(judged.errors, judged.conflicts)
    users = {u.id_number: u for u in User.objects.filter(
        id_number__in=[r.holder_id for r in judged.new if r.holder_kind == HolderKind.PERSON])}
    enterprises = Enterprise.objects.in_bulk(
        [r.holder_id for r in judged.new if r.holder_kind == HolderKind.ENTERPRISE])
    results = []
    with transaction.atomic():
        for r in judged.rows:
            if r.existing is not None:
                results.append({"row": r.row, "number": r.number, "type": r.licence_type.code,
                                "result": "unchanged", "id": r.existing.pk})
                continue
            licence = issue_licence(
                actor, licence_type=r.licence_type, holder_kind=r.holder_kind, holder_id=r.holder_id,
                holder_name=r.holder_name, issuer=department, region=department.region, number=r.number,
                issued_on=r.issued_on, valid_from=r.valid_from, valid_until=r.valid_until, status=r.status,
                holder_user=users.get(r.holder_id), holder_enterprise=enterprises.get(r.holder_id),
                kind=VersionKind.IMPORT, reason="部门批量导入")
            if r.status in (Status.REVOKED, Status.SUSPENDED):
                Licence.objects.filter(pk=licence.pk).update(status_changed_at=timezone.now(),
                                                            status_reason="导入时的状态")
            results.append({"row": r.row, "number": r.number, "type": r.licence_type.code, "result": "created",
                            "id": licence.pk})
        created = sum(1 for x in results if x["result"] == "created")
        audit.record("licences.import", actor=actor, data={"department": department.pk, "rows": len(results),
                                                           "created": created})
    return {"department": department.pk, "created": created, "unchanged": len(results) - created, "rows": results}


class ImportRejected(Exception):
    """Malformed rows (422) and rows whose number the department issued with other data (409)."""

    def __init__(self, errors: list[dict[str, Any]], conflicts: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(errors)} 处错误，{len(conflicts)} 处编号冲突")
        self.errors, self.conflicts = errors, conflicts

    @property
    def status(self) -> int:
        return 422 if self.errors else 409

    @property
    def report(self) -> list[dict[str, Any]]:
        return sorted(self.errors + self.conflicts, key=lambda p: (p["row"], p["field"]))
