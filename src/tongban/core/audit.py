"""The audit trail: every write, every read of personal data, every login (ADR 0005).

Writers call `record()` inside their action's transaction; it is one INSERT, with no lock and
no read of the chain, so concurrent actions never wait for each other and a rolled-back
action leaves no record. `seal_pending()` — run by the scheduler every few seconds and by
`audit verify` — gives committed records consecutive sequence numbers and hash-links them.
`verify_chain()` walks the chain and names the first record that was edited or is missing.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .models import AuditChainHead, AuditRecord

GENESIS = "0" * 64
Kind = AuditRecord.Kind


@dataclass(frozen=True)
class AuditContext:
    actor_id: int | None = None
    actor_label: str = ""
    on_behalf_of: str = ""
    department: str = ""
    ip: str | None = None


_context: contextvars.ContextVar[AuditContext] = contextvars.ContextVar("audit_context", default=AuditContext())  # noqa: B039 (frozen)


def context_for_user(user: Any, *, ip: str | None = None, on_behalf_of: str = "") -> AuditContext:
    if user is None or not getattr(user, "is_authenticated", False):
        return AuditContext(ip=ip, on_behalf_of=on_behalf_of)
    return AuditContext(user.pk, user.get_username(), on_behalf_of, "", ip)


@contextmanager
def acting(ctx: AuditContext) -> Iterator[AuditContext]:
    """Who is acting, for everything recorded inside the block (set per request)."""
    token = _context.set(ctx)
    try:
        yield ctx
    finally:
        _context.reset(token)


def bind(ctx: AuditContext) -> None:
    """Replace the acting context for the rest of the current `acting()` block (used when
    authentication happens inside the request, e.g. by an API token)."""
    _context.set(ctx)


def current_context() -> AuditContext:
    return _context.get()


def _object_ref(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def record(
    action: str,
    *,
    obj: models.Model | None = None,
    kind: str = Kind.WRITE,
    subject_id: int | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    actor: Any = None,
) -> AuditRecord:
    """Append one record. `actor` overrides the acting context (commands, jobs)."""
    ctx = context_for_user(actor) if actor is not None else current_context()
    object_type, object_id = _object_ref(obj)
    return AuditRecord.objects.create(
        created_at=timezone.now(), kind=kind, action=action, actor_id=ctx.actor_id,
        actor_label=ctx.actor_label, on_behalf_of=ctx.on_behalf_of, department=ctx.department,
        object_type=object_type, object_id=object_id, subject_id=subject_id, reason=reason,
        ip=ctx.ip, data=data or {},
    )


def record_read(what: str, *, subject_id: int, reason: str, obj: models.Model | None = None,
                actor: Any = None) -> AuditRecord:
    """A read of someone's personal data: who read whose what, and why (the case or ticket)."""
    return record(f"read:{what}", obj=obj, kind=Kind.READ, subject_id=subject_id, reason=reason, actor=actor)


# --- the chain ----------------------------------------------------------------------------------

def canonical(rec: AuditRecord) -> bytes:
    body = {
        "id": rec.pk, "seq": rec.seq, "at": rec.created_at.astimezone(dt.UTC).isoformat(),
        "kind": rec.kind, "action": rec.action, "actor": rec.actor_id, "actor_label": rec.actor_label,
        "on_behalf_of": rec.on_behalf_of, "department": rec.department, "object_type": rec.object_type,
        "object_id": rec.object_id, "subject": rec.subject_id, "reason": rec.reason, "ip": rec.ip,
        "data": rec.data,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def chain_hash(prev_hash: str, rec: AuditRecord) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(rec)).hexdigest()


def seal_pending(batch_size: int = 5000) -> int:
    """Link every committed, unsealed record into the chain. Returns how many were sealed.
    One sealer at a time: the chain head row is locked for the duration."""
    sealed = 0
    while True:
        with transaction.atomic():
            head, _ = AuditChainHead.objects.select_for_update().get_or_create(name="main")
            pending = list(AuditRecord.objects.filter(seq__isnull=True).order_by("id")[:batch_size])
            if not pending:
                return sealed
            seq, prev = head.last_seq, head.last_hash or GENESIS
            for rec in pending:
                seq += 1
                rec.seq, rec.prev_hash = seq, prev
                rec.hash = prev = chain_hash(prev, rec)
            AuditRecord.objects.bulk_update(pending, ["seq", "prev_hash", "hash"])
            head.last_seq, head.last_hash = seq, prev
            head.save(update_fields=["last_seq", "last_hash", "updated_at"])
            sealed += len(pending)


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def verify_chain() -> VerifyResult:
    head = AuditChainHead.objects.filter(name="main").first()
    expected, prev, checked = 1, GENESIS, 0
    records = AuditRecord.objects.filter(seq__isnull=False).order_by("seq").iterator(chunk_size=2000)
    for rec in records:
        if rec.seq != expected:
            return VerifyResult(checked, f"第 {expected} 条记录缺失（下一条现存记录为第 {rec.seq} 条，id={rec.pk}）")
        if rec.prev_hash != prev:
            return VerifyResult(checked, f"第 {rec.seq} 条记录（id={rec.pk}）与前一条的链接被改动")
        if chain_hash(prev, rec) != rec.hash:
            return VerifyResult(checked, f"第 {rec.seq} 条记录（id={rec.pk}）的内容被篡改")
        prev, expected, checked = rec.hash, expected + 1, checked + 1
    last_seq = head.last_seq if head else 0
    if last_seq != checked:
        return VerifyResult(checked, f"第 {checked + 1} 条至第 {last_seq} 条记录缺失（链头记录共 {last_seq} 条）")
    if head and checked and head.last_hash != prev:
        return VerifyResult(checked, f"第 {checked} 条记录（链尾）与链头不一致")
    return VerifyResult(checked)
