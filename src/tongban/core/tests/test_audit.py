"""The tamper-evident audit trail (ADR 0005): writers only insert, the sealer links committed
records into a hash chain, `verify_chain` names the first edited or missing record, and on
PostgreSQL triggers refuse the edits outright.

Tests that tamper with the trail do it as a database superuser would — with PostgreSQL's
triggers switched off for their session — because that is what the chain exists to catch.
"""

from __future__ import annotations

import datetime as dt
import importlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, connections, transaction

from tongban.core import audit
from tongban.core.models import AuditChainHead, AuditRecord

POSTGRES = connection.vendor == "postgresql"
only_postgres = pytest.mark.skipif(not POSTGRES, reason="the triggers and real concurrency are PostgreSQL's")
# Threads commit for real; flushing only core's tables afterwards keeps the session's
# reference regions and departments for the tests that run later.
concurrent = pytest.mark.django_db(transaction=True, available_apps=["tongban.core"])


@contextmanager
def triggers_bypassed() -> Iterator[None]:
    """Act as a superuser who switches triggers off (the postgres test user is one)."""
    if not POSTGRES:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")


def tamper(rec: AuditRecord, **changes) -> None:
    with triggers_bypassed():
        AuditRecord.objects.filter(pk=rec.pk).update(**changes)


def delete(*records: AuditRecord) -> None:
    with triggers_bypassed():
        AuditRecord.objects.filter(pk__in=[r.pk for r in records]).delete()


def forge_head(**changes) -> None:
    with triggers_bypassed():
        AuditChainHead.objects.filter(name="main").update(**changes)


@pytest.fixture(autouse=True)
def empty_trail(request: pytest.FixtureRequest) -> None:
    """Each test starts from an empty trail: loading the session's reference data may have
    written records, and the tests below count and number theirs from 1."""
    if request.node.get_closest_marker("django_db") is None:
        return
    with triggers_bypassed():
        AuditRecord.objects.all().delete()
        AuditChainHead.objects.all().delete()


def write(n: int, start: int = 0) -> list[AuditRecord]:
    return [audit.record(f"test.step{i}", data={"i": i, "amount": {"yuan": 100 + i}, "tags": ["a", "b"]})
            for i in range(start, start + n)]


def sealed_chain(n: int) -> list[AuditRecord]:
    write(n)
    audit.seal_pending()
    return list(AuditRecord.objects.order_by("seq"))


def head() -> AuditChainHead:
    return AuditChainHead.objects.get(name="main")


# --- writing and sealing -------------------------------------------------------------------------

@pytest.mark.django_db
def test_records_written_in_a_rolled_back_transaction_vanish():
    kept = audit.record("test.kept")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record("test.undone")
        raise RuntimeError
    assert list(AuditRecord.objects.values_list("action", flat=True)) == ["test.kept"]
    assert audit.seal_pending() == 1
    assert AuditRecord.objects.get().pk == kept.pk


@pytest.mark.django_db
def test_writing_a_record_neither_seals_nor_reads_the_chain(django_assert_num_queries):
    with django_assert_num_queries(1):  # the INSERT, nothing else
        rec = audit.record("test.write")
    rec.refresh_from_db()
    assert (rec.seq, rec.prev_hash, rec.hash) == (None, "", "")
    assert not AuditChainHead.objects.exists()


@pytest.mark.django_db
def test_committed_records_are_sealed_in_order_and_linked():
    written = write(5)
    assert audit.seal_pending() == 5
    chain = list(AuditRecord.objects.order_by("seq"))
    assert [r.pk for r in chain] == [r.pk for r in written]
    assert [r.seq for r in chain] == [1, 2, 3, 4, 5]
    prev = audit.GENESIS
    for rec in chain:
        assert rec.prev_hash == prev
        assert rec.hash == audit.chain_hash(prev, rec)
        prev = rec.hash
    assert (head().last_seq, head().last_hash) == (5, chain[-1].hash)


@pytest.mark.django_db
def test_sealing_is_idempotent():
    chain = sealed_chain(3)
    assert audit.seal_pending() == 0
    again = list(AuditRecord.objects.order_by("seq"))
    assert [(r.seq, r.hash) for r in again] == [(r.seq, r.hash) for r in chain]
    assert head().last_seq == 3


@pytest.mark.django_db
def test_records_sealed_in_several_batches_chain_correctly():
    write(7)
    assert audit.seal_pending(batch_size=3) == 7  # batches of 3, 3, 1
    write(4, start=7)
    assert audit.seal_pending(batch_size=2) == 4
    chain = list(AuditRecord.objects.order_by("seq"))
    assert [r.seq for r in chain] == list(range(1, 12))
    assert [r.action for r in chain] == [f"test.step{i}" for i in range(11)]
    assert audit.verify_chain() == audit.VerifyResult(11)


@pytest.mark.django_db
def test_the_scheduled_job_seals_new_records():
    from tongban.core import tasks

    write(2)
    assert tasks.seal_audit_trail() == 2
    assert audit.verify_chain().checked == 2


@pytest.mark.django_db
def test_free_text_too_long_or_with_nul_is_made_storable_rather_than_failing_the_action():
    rec = audit.record("test.long", reason="事" * 500)
    rec.refresh_from_db()
    assert len(rec.reason) == AuditRecord._meta.get_field("reason").max_length
    assert rec.reason.endswith("…")
    odd = audit.record("test.nul", reason="a\x00b")
    odd.refresh_from_db()
    assert odd.reason == "a\ufffdb"


# --- who, whose, what, why ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_record_read_stores_whose_data_what_and_why():
    officer = audit.AuditContext(actor_id=41, actor_label="officer_a", department="市场监管局", ip="10.2.3.4")
    with audit.acting(officer):
        rec = audit.record_read("id_number", subject_id=7, reason="办件 2026-000123 受理审查")
    rec.refresh_from_db()
    assert (rec.kind, rec.action) == (audit.Kind.READ, "read:id_number")
    assert (rec.subject_id, rec.reason) == (7, "办件 2026-000123 受理审查")
    assert (rec.actor_id, rec.actor_label, rec.department, rec.ip) == (41, "officer_a", "市场监管局", "10.2.3.4")


@pytest.mark.django_db
def test_records_carry_the_acting_context():
    ctx = audit.AuditContext(actor_id=5, actor_label="agent", on_behalf_of="91210202MA0TB0018X", ip="192.0.2.7")
    with audit.acting(ctx):
        assert audit.current_context() == ctx
        rec = audit.record("test.submit")
    outside = audit.record("test.after")
    assert (rec.actor_id, rec.actor_label, rec.on_behalf_of, rec.ip) == (5, "agent", "91210202MA0TB0018X", "192.0.2.7")
    assert (outside.actor_id, outside.actor_label, outside.ip) == (None, "", None)


@pytest.mark.django_db
def test_bind_replaces_the_actor_until_the_acting_block_ends():
    with audit.acting(audit.AuditContext(ip="192.0.2.8")):
        audit.bind(audit.AuditContext(actor_id=9, actor_label="token-user", ip="192.0.2.8"))
        inside = audit.record("test.api")
    assert (inside.actor_id, inside.actor_label) == (9, "token-user")
    assert audit.current_context() == audit.AuditContext()


@pytest.mark.django_db
def test_an_explicit_actor_overrides_the_context_and_the_object_is_named(cast):
    with audit.acting(audit.AuditContext(actor_id=1, actor_label="someone-else")):
        rec = audit.record("test.job", obj=cast.enterprise, actor=cast.officer_a)
    assert (rec.actor_id, rec.actor_label) == (cast.officer_a.pk, cast.officer_a.get_username())
    assert (rec.object_type, rec.object_id) == ("identity.enterprise", str(cast.enterprise.pk))


def test_context_for_an_anonymous_visitor_keeps_only_the_address():
    class Anonymous:
        is_authenticated = False

    assert audit.context_for_user(Anonymous(), ip="198.51.100.1") == audit.AuditContext(ip="198.51.100.1")
    assert audit.context_for_user(None) == audit.AuditContext()


# --- verification ------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_verify_passes_an_intact_chain_and_an_empty_one():
    assert audit.verify_chain() == audit.VerifyResult(0)
    sealed_chain(6)
    result = audit.verify_chain()
    assert result.ok and result.checked == 6


@pytest.mark.django_db
def test_verify_ignores_records_not_yet_sealed():
    sealed_chain(3)
    write(2, start=3)
    assert audit.verify_chain() == audit.VerifyResult(3)


EDITS: dict[str, Callable[[AuditRecord], object]] = {
    "created_at": lambda r: r.created_at + dt.timedelta(microseconds=1),
    "kind": lambda r: audit.Kind.SYSTEM,
    "action": lambda r: "test.harmless",
    "actor_id": lambda r: 999,
    "actor_label": lambda r: "someone-else",
    "on_behalf_of": lambda r: "91210200000000000X",
    "department": lambda r: "公安局",
    "object_type": lambda r: "cases.case",
    "object_id": lambda r: "42",
    "subject_id": lambda r: 1234,
    "reason": lambda r: "改写的事由",
    "ip": lambda r: "203.0.113.9",
    "data": lambda r: {**r.data, "i": 99},
    "data.nested": lambda r: {**r.data, "amount": {"yuan": 1}},
    "data.added_key": lambda r: {**r.data, "approved": True},
    "data.list": lambda r: {**r.data, "tags": ["b", "a"]},
}


@pytest.mark.django_db
@pytest.mark.parametrize("edit", sorted(EDITS))
def test_verify_detects_an_edited_record(edit):
    chain = sealed_chain(5)
    target = chain[2]
    tamper(target, **{edit.split(".")[0]: EDITS[edit](target)})
    result = audit.verify_chain()
    assert not result.ok
    assert (result.checked, result.seq, result.record_id) == (2, 3, target.pk)
    assert result.problem == f"第 3 条记录（id={target.pk}）的内容被篡改"


@pytest.mark.django_db
def test_verify_detects_an_edited_record_whose_own_hash_was_recomputed():
    chain = sealed_chain(4)
    target = chain[1]
    target.reason = "改写的事由"
    tamper(target, reason=target.reason, hash=audit.chain_hash(target.prev_hash, target))
    result = audit.verify_chain()
    assert (result.seq, result.record_id) == (3, chain[2].pk)
    assert "与前一条的链接被改动" in result.problem


@pytest.mark.django_db
def test_verify_detects_an_edited_prev_hash():
    chain = sealed_chain(4)
    tamper(chain[3], prev_hash="f" * 64)
    result = audit.verify_chain()
    assert result.problem == f"第 4 条记录（id={chain[3].pk}）与前一条的链接被改动"
    assert result.checked == 3


@pytest.mark.django_db
def test_verify_detects_a_deleted_record_in_the_middle():
    chain = sealed_chain(5)
    delete(chain[1])
    result = audit.verify_chain()
    assert result.problem == f"第 2 条记录缺失（下一条现存记录为第 3 条，id={chain[2].pk}）"
    assert (result.checked, result.seq) == (1, 2)


@pytest.mark.django_db
def test_verify_detects_a_deleted_first_record():
    chain = sealed_chain(3)
    delete(chain[0])
    assert audit.verify_chain().seq == 1


@pytest.mark.django_db
def test_verify_detects_deleted_newest_records_because_the_head_says_more():
    chain = sealed_chain(5)
    delete(*chain[3:])
    result = audit.verify_chain()
    assert result.problem == "第 4 条至第 5 条记录缺失（链头记录共 5 条）"
    assert (result.checked, result.seq) == (3, 4)


@pytest.mark.django_db
def test_verify_detects_the_deleted_newest_record():
    chain = sealed_chain(3)
    delete(chain[2])
    assert audit.verify_chain().problem == "第 3 条记录缺失（链头记录共 3 条）"


@pytest.mark.django_db
def test_verify_detects_a_head_whose_hash_was_forged():
    sealed_chain(3)
    forge_head(last_hash="e" * 64)
    result = audit.verify_chain()
    assert result.problem == "第 3 条记录与链头不一致（链头被改动）"


@pytest.mark.django_db
def test_verify_detects_a_head_set_back_to_hide_the_newest_records():
    chain = sealed_chain(5)
    forge_head(last_seq=3, last_hash=chain[2].hash)
    result = audit.verify_chain()
    assert result.problem == "第 4 条至第 5 条记录在链头之外（链头记录共 3 条）：链头被改回，或这些记录是伪造的"
    assert result.seq == 4


@pytest.mark.django_db
def test_verify_detects_a_head_pushed_forward():
    sealed_chain(2)
    forge_head(last_seq=4)
    assert audit.verify_chain().problem == "第 3 条至第 4 条记录缺失（链头记录共 4 条）"


@pytest.mark.django_db
def test_verify_detects_a_deleted_head():
    sealed_chain(2)
    with triggers_bypassed():
        AuditChainHead.objects.all().delete()
    assert "第 1 条至第 2 条记录在链头之外（链头记录共 0 条）" in audit.verify_chain().problem
    write(1)
    with pytest.raises(audit.ChainBroken, match="审计链头缺失"):
        audit.seal_pending()  # numbering again from 1 would hide the break


@pytest.mark.django_db
def test_verify_detects_a_record_that_was_unsealed_and_resealed_later():
    chain = sealed_chain(4)
    tamper(chain[1], seq=None, prev_hash="", hash="")
    assert audit.seal_pending() == 1  # gets seq 5 at the end: the gap at 2 remains
    assert audit.verify_chain().seq == 2


@pytest.mark.django_db
def test_verify_accepts_records_sealed_while_it_walks(monkeypatch):
    sealed_chain(3)
    stale = audit._head()
    write(2, start=3)
    audit.seal_pending()
    reads = iter([stale])  # the head as it was when the walk began, then as it is
    real_head = audit._head
    monkeypatch.setattr(audit, "_head", lambda: next(reads, None) or real_head())
    assert audit.verify_chain() == audit.VerifyResult(5)


@pytest.mark.django_db
def test_sealing_continues_the_chain_after_verification():
    sealed_chain(2)
    write(2, start=2)
    audit.seal_pending()
    assert audit.verify_chain() == audit.VerifyResult(4)


# --- PostgreSQL refuses the edits in the first place -----------------------------------------------

@only_postgres
@pytest.mark.django_db
def test_postgres_refuses_to_delete_an_audit_record():
    sealed, unsealed = sealed_chain(1)[0], audit.record("test.unsealed")
    for rec in (sealed, unsealed):
        with pytest.raises(DatabaseError, match="审计记录只可追加，拒绝删除"), transaction.atomic():
            AuditRecord.objects.filter(pk=rec.pk).delete()
    assert AuditRecord.objects.count() == 2


@only_postgres
@pytest.mark.django_db
def test_postgres_refuses_to_update_an_audit_record():
    sealed, unsealed = sealed_chain(1)[0], audit.record("test.unsealed")
    attempts = [
        (sealed, {"reason": "改写的事由"}),
        (sealed, {"data": {"i": 99}}),
        (sealed, {"hash": "0" * 64}),
        (sealed, {"seq": 7}),
        (sealed, {"seq": None, "prev_hash": "", "hash": ""}),  # unsealing, to reseal elsewhere
        (unsealed, {"action": "test.harmless"}),
        (unsealed, {"seq": 2, "prev_hash": sealed.hash, "hash": "a" * 64, "reason": "顺手改一下"}),
    ]
    for rec, changes in attempts:
        with pytest.raises(DatabaseError, match="审计记录只可追加，拒绝修改"), transaction.atomic():
            AuditRecord.objects.filter(pk=rec.pk).update(**changes)
    assert audit.seal_pending() == 1
    assert audit.verify_chain() == audit.VerifyResult(2)


@only_postgres
@pytest.mark.django_db
def test_postgres_refuses_to_move_the_chain_head_backwards_or_delete_it():
    chain = sealed_chain(3)
    attempts = [
        lambda: AuditChainHead.objects.update(last_seq=2, last_hash=chain[1].hash),
        lambda: AuditChainHead.objects.update(last_hash="e" * 64),
        lambda: AuditChainHead.objects.update(name="other"),
        lambda: AuditChainHead.objects.all().delete(),
    ]
    for attempt in attempts:
        with pytest.raises(DatabaseError, match="审计链头"), transaction.atomic():
            attempt()
    assert (head().last_seq, head().last_hash) == (3, chain[2].hash)
    write(1)
    assert audit.seal_pending() == 1  # moving forward is the sealer's job, and allowed
    assert head().last_seq == 4


@only_postgres
@pytest.mark.django_db
def test_append_only_migration_is_reversible():
    migration = importlib.import_module("tongban.core.migrations.0002_audit_append_only")

    def triggers() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE 'core_audit%'")
            return {name for (name,) in cursor.fetchall()}

    installed = {"core_auditrecord_append_only", "core_auditchainhead_forward_only"}
    assert triggers() == installed
    with connection.schema_editor() as editor:
        migration.remove_guards(apps, editor)
    assert triggers() == set()
    rec = audit.record("test.deletable")
    AuditRecord.objects.filter(pk=rec.pk).delete()  # no trigger now
    with connection.schema_editor() as editor:
        migration.install_guards(apps, editor)
    assert triggers() == installed


# --- concurrency (PostgreSQL: real row locks, real commits) -----------------------------------------

def run_together(count: int, work: Callable[[int], None]) -> None:
    """Run `work(i)` in `count` threads released at the same moment, each on its own database
    connection; re-raise the first failure."""
    barrier, errors = threading.Barrier(count), []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            work(i)
        except BaseException as exc:  # handed to the test thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]


WRITERS, ACTIONS = 8, 40


@only_postgres
@concurrent
def test_concurrent_writers_are_all_sealed_once_in_a_verifiable_chain():
    writing = threading.Event()
    writing.set()
    finished: list[int] = []
    verdicts: list[audit.VerifyResult] = []

    def writer(i: int) -> None:
        try:
            for k in range(ACTIONS):
                with transaction.atomic():
                    audit.record("test.action", data={"writer": i, "k": k, "part": 1})
                    audit.record("test.action", data={"writer": i, "k": k, "part": 2})
        finally:
            finished.append(i)
            if len(finished) == WRITERS:
                writing.clear()

    def sealer() -> None:  # seals while the writers commit...
        while writing.is_set():
            audit.seal_pending(batch_size=25)

    def verifier() -> None:  # ...and the chain verifies while it grows
        while writing.is_set():
            verdicts.append(audit.verify_chain())

    run_together(WRITERS + 2, lambda i: writer(i) if i < WRITERS else (sealer, verifier)[i - WRITERS]())
    audit.seal_pending()
    total = WRITERS * ACTIONS * 2
    assert audit.verify_chain() == audit.VerifyResult(total)
    assert verdicts and all(v.ok for v in verdicts), [v.problem for v in verdicts if not v.ok]
    seqs = list(AuditRecord.objects.values_list("seq", flat=True))
    assert len(seqs) == total and len(set(seqs)) == total and sorted(seqs) == list(range(1, total + 1))
    for i in range(WRITERS):  # each writer's records keep its order in the chain
        mine = AuditRecord.objects.filter(data__writer=i).order_by("seq").values_list("data", flat=True)
        assert [(d["k"], d["part"]) for d in mine] == [(k, p) for k in range(ACTIONS) for p in (1, 2)]


@only_postgres
@concurrent
def test_two_sealers_at_once_do_not_corrupt_the_chain():
    for _ in range(3):
        with transaction.atomic():
            write(300)
        sealed: list[int] = [0, 0]

        def seal(i: int, sealed: list[int] = sealed) -> None:
            sealed[i] = audit.seal_pending(batch_size=40)

        run_together(2, seal)
        assert sum(sealed) == 300
    assert audit.verify_chain() == audit.VerifyResult(900)
    assert head().last_seq == 900


@only_postgres
@concurrent
def test_a_record_committed_late_is_sealed_after_records_with_higher_ids():
    inserted, release = threading.Event(), threading.Event()
    late: list[int] = []

    def slow_action(i: int) -> None:
        with transaction.atomic():
            late.append(audit.record("test.slow").pk)
            inserted.set()
            release.wait(timeout=30)

    thread = threading.Thread(target=run_together, args=(1, slow_action))
    thread.start()
    assert inserted.wait(timeout=30)
    quick = audit.record("test.quick")  # autocommit: committed at once
    assert quick.pk > late[0]
    assert audit.seal_pending() == 1  # the slow action's record is not committed yet
    release.set()
    thread.join(timeout=30)
    assert audit.seal_pending() == 1
    assert dict(AuditRecord.objects.values_list("pk", "seq")) == {quick.pk: 1, late[0]: 2}
    assert audit.verify_chain() == audit.VerifyResult(2)
