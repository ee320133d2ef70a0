"""The audit trail: every write, every read of personal data, every login (ADR 0005).

Writers call `record()` inside their action's transaction; it is one INSERT, with no lock and
no read of the chain, so concurrent actions never wait for each other and a rolled-back
action leaves no record. `seal_pending()` — run by the scheduler every few seconds and by
`audit verify` — gives committed records consecutive sequence numbers and hash-links them:
`hash = sha256(prev_hash || canonical(record))`, the last seq and hash kept in the chain head.
`verify_chain()` walks the chain and names the first record that was edited or is missing.

On PostgreSQL, triggers (migration 0002) refuse every DELETE and every UPDATE but the sealing
one, and refuse to move the chain head backwards; the chain catches whoever bypasses them.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connection, models, transaction
from django.utils import timezone

from .models import AuditChainHead, AuditRecord

GENESIS = "0" * 64
HEAD = "main"
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


def _fit(field: str, text: str) -> str:
    """Free text made storable everywhere, so that recording never fails the action on
    PostgreSQL (SQLite would have kept it as it was): cut to its column, NUL replaced."""
    limit = AuditRecord._meta.get_field(field).max_length
    text = text.replace("\x00", "\ufffd")
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
        actor_label=_fit("actor_label", ctx.actor_label), on_behalf_of=ctx.on_behalf_of,
        department=ctx.department, object_type=object_type, object_id=object_id,
        subject_id=subject_id, reason=_fit("reason", reason), ip=ctx.ip, data=data or {},
    )


def record_read(what: str, *, subject_id: int | None, reason: str, obj: models.Model | None = None,
                actor: Any = None) -> AuditRecord:
    """A read of someone's personal data: who read whose what, and why (the case or ticket).
    `subject_id` None: a person without an account (a hotline caller known by phone only)."""
    return record(f"read:{what}", obj=obj, kind=Kind.READ, subject_id=subject_id, reason=reason, actor=actor)


# --- the chain ----------------------------------------------------------------------------------

class _Row(NamedTuple):
    """An audit record as the chain sees it: what `values_list` gives, without building a
    model instance per row (sealing and verifying walk many thousands)."""

    pk: int
    seq: int | None
    created_at: dt.datetime
    kind: str
    action: str
    actor_id: int | None
    actor_label: str
    on_behalf_of: str
    department: str
    object_type: str
    object_id: str
    subject_id: int | None
    reason: str
    ip: str | None
    data: Any
    prev_hash: str
    hash: str


_ROW_FIELDS = ("pk", *_Row._fields[1:])


def canonical(rec: AuditRecord | _Row) -> bytes:
    """Every column but the links, in one fixed byte form: editing any of them breaks the hash."""
    body = {
        "id": rec.pk, "seq": rec.seq, "at": rec.created_at.astimezone(dt.UTC).isoformat(),
        "kind": rec.kind, "action": rec.action, "actor": rec.actor_id, "actor_label": rec.actor_label,
        "on_behalf_of": rec.on_behalf_of, "department": rec.department, "object_type": rec.object_type,
        "object_id": rec.object_id, "subject": rec.subject_id, "reason": rec.reason, "ip": rec.ip,
        "data": rec.data,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def chain_hash(prev_hash: str, rec: AuditRecord | _Row) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(rec)).hexdigest()


class ChainBroken(RuntimeError):
    """Sealing refuses to go on from a state only tampering can produce."""


def seal_pending(batch_size: int = 5000) -> int:
    """Link every committed, unsealed record into the chain; return how many were sealed.

    One sealer at a time: each batch locks the chain head row, and a second sealer waiting
    on it then sees the first one's records as sealed. Records are taken in id order, but a
    record whose transaction commits late simply joins a later batch — nothing is skipped,
    because each batch asks again for *every* record without a seq."""
    sealed = 0
    while count := _seal_batch(batch_size):
        sealed += count
    return sealed


def _seal_batch(batch_size: int) -> int:
    with transaction.atomic():
        head, created = AuditChainHead.objects.select_for_update().get_or_create(name=HEAD)
        if created and AuditRecord.objects.filter(seq__isnull=False).exists():
            raise ChainBroken("审计链头缺失，但已有封存的记录：拒绝在其上继续封存（请运行 audit verify）")
        pending = (AuditRecord.objects.filter(seq__isnull=True).order_by("id")
                   .values_list(*_ROW_FIELDS)[:batch_size])
        seq, prev, links = head.last_seq, head.last_hash or GENESIS, []
        for row in map(_Row._make, pending):
            seq += 1
            link = chain_hash(prev, row._replace(seq=seq))
            links.append((seq, prev, link, row.pk))
            prev = link
        if not links:
            return 0
        _write_links(links)
        head.last_seq, head.last_hash = seq, prev
        head.save(update_fields=["last_seq", "last_hash", "updated_at"])
        return len(links)


def _write_links(links: list[tuple[int, str, str, int]]) -> None:
    # executemany of one small UPDATE (pipelined by psycopg) was ~15× faster than bulk_update
    # at 10,000 records: PostgreSQL evaluates bulk_update's CASE over every case for every row.
    table = connection.ops.quote_name(AuditRecord._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s AND seq IS NULL",  # noqa: S608
            links,
        )
        if cursor.rowcount != len(links):  # a record sealed behind the head's lock: stop, roll back
            raise ChainBroken(f"封存时只更新了 {cursor.rowcount} 条记录，应为 {len(links)} 条")


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    problem: str = ""
    seq: int | None = None  # where the chain first breaks
    record_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problem


def _head() -> tuple[int, str]:
    head = AuditChainHead.objects.filter(name=HEAD).values_list("last_seq", "last_hash").first()
    return head or (0, "")


def verify_chain() -> VerifyResult:
    """Walk the sealed records by seq; the first gap, broken link or edited record is the
    answer. The chain head read first vouches for the newest records (deleting them leaves
    it saying more); records sealed while the walk runs are told from forged ones by reading
    the head again at the end."""
    last_seq, last_hash = _head()
    expected, prev, hash_at_head = 1, GENESIS, ""
    rows = (AuditRecord.objects.filter(seq__isnull=False).order_by("seq")
            .values_list(*_ROW_FIELDS).iterator(chunk_size=2000))
    for rec in map(_Row._make, rows):
        if problem := _check(rec, expected, prev):
            return VerifyResult(expected - 1, problem, rec.seq if rec.seq < expected else expected, rec.pk)
        if rec.seq == last_seq:
            hash_at_head = rec.hash
        prev, expected = rec.hash, expected + 1
    return _check_head(expected - 1, prev, last_seq, last_hash, hash_at_head)


def _check(rec: _Row, expected: int, prev: str) -> str:
    if rec.seq < expected:
        return f"第 {rec.seq} 条记录（id={rec.pk}）的序号不在链上"
    if rec.seq != expected:
        return f"第 {expected} 条记录缺失（下一条现存记录为第 {rec.seq} 条，id={rec.pk}）"
    if rec.prev_hash != prev:
        return f"第 {rec.seq} 条记录（id={rec.pk}）与前一条的链接被改动"
    if chain_hash(prev, rec) != rec.hash:
        return f"第 {rec.seq} 条记录（id={rec.pk}）的内容被篡改"
    return ""


def _check_head(checked: int, prev: str, last_seq: int, last_hash: str, hash_at_head: str) -> VerifyResult:
    if checked < last_seq:
        return VerifyResult(checked, f"{_span(checked + 1, last_seq)}记录缺失（链头记录共 {last_seq} 条）", checked + 1)
    if last_seq and hash_at_head != last_hash:
        return VerifyResult(checked, f"第 {last_seq} 条记录与链头不一致（链头被改动）", last_seq)
    if checked > last_seq:
        now_seq, now_hash = _head()  # sealed while we walked, or beyond a head set back?
        if now_seq < checked or (now_seq == checked and now_hash != prev):
            return VerifyResult(checked, f"{_span(now_seq + 1, checked)}记录在链头之外"
                                f"（链头记录共 {now_seq} 条）：链头被改回，或这些记录是伪造的", now_seq + 1)
    return VerifyResult(checked)


def _span(first: int, last: int) -> str:
    return f"第 {first} 条" if first == last else f"第 {first} 条至第 {last} 条"


# --- reads of personal data through selectors (issue 10 item 8) ---------------------------------
#
# Every public function of a selectors module (`<app>/selectors.py`, `<app>/*_selectors.py`,
# `<app>/reads.py`) declares what it reads, with one of the markers below;
# tests/harness/test_read_audit.py enumerates them all, fails on an undeclared one, calls every
# `personal_read` selector with real objects as an officer and fails unless a read record about
# the subject was written, and fails on a `no_personal_data` selector that names a personal model
# or field. "Personal data" (R21, PRODUCT "Security and privacy") is what identifies or concerns
# one member of the public: the fields and models listed here.

PERSONAL_FIELDS = frozenset({
    "id_number", "phone", "id_number_masked", "phone_masked", "birth_date", "address", "home_address", "email",
    "applicant", "applicant_id", "holder_user", "holder_user_id", "requester", "requester_id", "caller_user",
    "caller_user_id", "caller_name", "caller_phone", "contact_phone", "legal_representative", "form", "subject_id",
})
PERSONAL_MODELS = frozenset({  # app_label.ModelName: each row is about one person (or their enterprise)
    "identity.User", "identity.EnterpriseMembership", "identity.InboxMessage", "identity.ApiToken",
    "identity.SmsCode", "identity.SmsMessage", "cases.Case", "cases.CaseMaterial", "cases.CaseFile",
    "cases.CaseDraft", "cases.CasePromise", "licences.Licence", "licences.VaultEntry", "licences.Objection",
    "disclosure.DisclosureRequest", "disclosure.ConsultationComment", "hotline.Ticket", "hotline.TicketAttachment",
    "reviews.Review", "core.AuditRecord",
})

READS, OWN, SCOPED, NOT_PERSONAL = "reads", "own", "scoped", "not_personal"


@dataclass(frozen=True)
class ReadPolicy:
    kind: str  # READS, OWN, SCOPED or NOT_PERSONAL
    what: str  # READS: the read record's `read:<what>`; the others: why no read record is written here


def _mark(policy: ReadPolicy):
    def mark(fn):
        fn.read_policy = policy
        return fn

    return mark


def personal_read(what: str):
    """The selector returns someone's personal data and writes `read:<what>` (record_read, with
    the subject) when the reader is not that person or someone who speaks for them."""
    return _mark(ReadPolicy(READS, what))


def own_data(why: str):
    """The selector returns only the caller's own data (or their enterprise's, to its agents):
    a person reading their own data is no read to record."""
    return _mark(ReadPolicy(OWN, why))


def scoped_lookup(why: str):
    """A fetch-and-authorise or a scoped list whose own output shows no personal field: the
    object is rendered by a `personal_read` selector (named in `why`), which records."""
    return _mark(ReadPolicy(SCOPED, why))


def no_personal_data(why: str):
    """The selector reads nothing personal (public information, organisation data, counts)."""
    return _mark(ReadPolicy(NOT_PERSONAL, why))


def read_policy_of(fn: Any) -> ReadPolicy | None:
    return getattr(fn, "read_policy", None)
