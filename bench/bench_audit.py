"""What does the audit trail cost? (ADR 0005; target: the audit record adds ≤ 1 ms per action.)

On the database DATABASE_URL names (created and migrated if missing; PostgreSQL for figures):

1. **Writes** — `--threads` writer threads (default 8), each on its own connection, each
   "action" one transaction that inserts a business-like row (an `IdempotencyRecord`) — with
   one audit record, and without. Variants alternate over `--rounds` rounds of
   `--actions` actions per thread. Reports actions/s, latency per action (mean, p50, p95) and
   the overhead of the audit record: added latency per action, and added machine time per
   action (the difference of 1/throughput).
2. **Sealing** — `--seal-records` unsealed records (bulk-inserted) linked by `seal_pending()`;
   records/s, best of 5 rounds; the same with the append-only trigger switched off
   (`session_replication_role = replica`) to show what the trigger costs.
3. **Verifying** — `verify_chain()` over the whole chain; records/s, best of 5.

The audit tables are emptied first with TRUNCATE (which the append-only trigger does not
trap) and the benchmark's own idempotency rows deleted, so each run starts from the same state.

    PYTHONPATH=src DJANGO_SETTINGS_MODULE=tongban.settings \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongban_bench .venv/bin/python bench/bench_audit.py
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from _common import database_label, header, percentile, ready_database

TARGET_MS = 1.0
RUNS = 5


@dataclass
class WriteRun:
    audited: bool
    actions: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.actions / self.seconds


def action(thread: int, audited: bool) -> None:
    from django.db import transaction

    from tongban.core import audit
    from tongban.core.models import IdempotencyRecord

    key = uuid.uuid4().hex
    with transaction.atomic():
        row = IdempotencyRecord.objects.create(
            key=key, caller=f"bench-{thread}", method="POST", path="/api/v1/cases/",
            request_hash=hashlib.sha256(key.encode()).hexdigest(), status=201, body='{"id": 1}')
        if audited:
            audit.record("bench.case.submit", obj=row, subject_id=thread, reason="基准测试：提交办件",
                         data={"key": key, "status": 201})


def write_round(threads: int, per_thread: int, audited: bool) -> WriteRun:
    from django.db import connection

    from tongban.core import audit

    barrier = threading.Barrier(threads + 1)
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors: list[BaseException] = []

    def writer(i: int) -> None:
        ctx = audit.AuditContext(actor_id=1000 + i, actor_label=f"bench-officer-{i}", department="市场监管局",
                                 ip="10.0.0.1")
        try:
            with audit.acting(ctx):
                for _ in range(3):  # connect and warm up outside the timing
                    action(i, audited)
                barrier.wait()
                for _ in range(per_thread):
                    began = time.perf_counter()
                    action(i, audited)
                    latencies[i].append((time.perf_counter() - began) * 1000)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
            barrier.abort()
        finally:
            connection.close()

    workers = [threading.Thread(target=writer, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    barrier.wait()
    began = time.perf_counter()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - began
    if errors:
        raise errors[0]
    return WriteRun(audited, threads * per_thread, seconds, [ms for per in latencies for ms in per])


def reset() -> None:
    from django.db import connection

    from tongban.core.models import AuditChainHead, AuditRecord, IdempotencyRecord

    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (AuditRecord, AuditChainHead))
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables}")
    IdempotencyRecord.objects.filter(caller__startswith="bench-").delete()


def bulk_pending(count: int, rng_seed: int) -> None:
    from django.utils import timezone

    from tongban.core.models import AuditRecord

    now = timezone.now()
    AuditRecord.objects.bulk_create(
        [AuditRecord(created_at=now, kind="write", action="bench.case.submit", actor_id=1000 + i % 50,
                     actor_label=f"bench-officer-{i % 50}", department="市场监管局", object_type="cases.case",
                     object_id=str(rng_seed * 1_000_000 + i), subject_id=i % 997, reason="基准测试：提交办件",
                     ip="10.0.0.1", data={"n": i, "status": 201, "materials": ["身份证", "营业执照"]})
         for i in range(count)],
        batch_size=5000,
    )


def timed(fn: Callable[[], int]) -> tuple[int, float]:
    began = time.perf_counter()
    count = fn()
    return count, time.perf_counter() - began


def seal_rounds(records: int) -> dict[bool, float]:
    """Best records/s of `seal_pending` with the trigger on (True) and off (False)."""
    from django.db import connection

    from tongban.core import audit

    best = {True: 0.0, False: 0.0}
    for run in range(RUNS * 2):
        trigger_on = run % 2 == 0
        bulk_pending(records, run)
        if not trigger_on and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")
        try:
            count, seconds = timed(audit.seal_pending)
        finally:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET session_replication_role = DEFAULT")
        assert count == records, (count, records)
        best[trigger_on] = max(best[trigger_on], count / seconds)
    return best


def verify_rounds() -> tuple[int, float]:
    from tongban.core import audit

    best, checked = 0.0, 0
    for _ in range(RUNS):
        result, seconds = timed(audit.verify_chain)
        assert result.ok, result.problem
        checked = result.checked
        best = max(best, checked / seconds)
    return checked, best


def write_figures(threads: int, actions: int, rounds: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """(plain, audited) figures for `threads` concurrent writers, the variants alternating."""
    runs = [write_round(threads, actions, audited) for _ in range(rounds) for audited in (False, True)]
    return describe([r for r in runs if not r.audited]), describe([r for r in runs if r.audited])


def describe(run_list: list[WriteRun]) -> tuple[float, float, float, float]:
    millis = [ms for run in run_list for ms in run.latencies_ms]
    return (statistics.median(run.rate for run in run_list), statistics.fmean(millis),
            percentile(millis, 0.5), percentile(millis, 0.95))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--actions", type=int, default=400, help="actions per thread per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seal-records", type=int, default=20_000)
    args = parser.parse_args()

    ready_database()
    from django.db import connection

    lines = header("bench_audit — cost of the tamper-evident audit trail")
    lines.append(f"database {database_label()}")
    reset()

    figures = {n: write_figures(n, args.actions, args.rounds) for n in sorted({1, args.threads})}
    from tongban.core import audit

    audit.seal_pending()  # the write phase's records, outside the timing
    seal = seal_rounds(args.seal_records)
    checked, verify_rate = verify_rounds()

    lines += [
        f"writes   {args.actions} actions per writer × {args.rounds} rounds per variant, variants alternating; "
        "each action one transaction (IdempotencyRecord INSERT [+ audit INSERT]); synchronous_commit "
        f"{_setting(connection, 'synchronous_commit')}",
        "",
        "| writers | variant | actions/s (median of rounds) | mean ms | p50 ms | p95 ms |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for writers, (plain, with_audit) in figures.items():
        for label, row in (("business row only", plain), ("business row + audit record", with_audit)):
            lines.append(f"| {writers} | {label} | {row[0]:,.0f} | {row[1]:.2f} | {row[2]:.2f} | {row[3]:.2f} |")
    lines.append("")
    for writers, (plain, with_audit) in figures.items():
        lines.append(f"audit overhead per action, {writers} writer{'s' if writers > 1 else ''}: "
                     f"+{with_audit[1] - plain[1]:.2f} ms latency (mean); "
                     f"+{(1 / with_audit[0] - 1 / plain[0]) * 1000:.3f} ms machine time (difference of 1/throughput)")
    plain, with_audit = figures[args.threads]
    added_machine = (1 / with_audit[0] - 1 / plain[0]) * 1000
    added_latency = with_audit[1] - plain[1]
    lines += [
        f"target ≤ {TARGET_MS:.0f} ms per action at {args.threads} writers: machine time {_verdict(added_machine)}, "
        f"latency {_verdict(added_latency)}",
        f"audit writes/s with {args.threads} writers: {with_audit[0]:,.0f}",
        "",
        "| chain operation | size | records/s (best of 5) |",
        "|---|---:|---:|",
        f"| seal_pending, append-only trigger on | {args.seal_records:,} pending | {seal[True]:,.0f} |",
        f"| seal_pending, trigger off (replica role) | {args.seal_records:,} pending | {seal[False]:,.0f} |",
        f"| verify_chain | {checked:,} sealed | {verify_rate:,.0f} |",
    ]
    print("\n".join(lines))
    return 0 if added_machine <= TARGET_MS else 1


def _verdict(added_ms: float) -> str:
    return "met" if added_ms <= TARGET_MS else "MISSED"


def _setting(connection, name: str) -> str:
    if connection.vendor != "postgresql":
        return "n/a"
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


if __name__ == "__main__":
    sys.exit(main())
