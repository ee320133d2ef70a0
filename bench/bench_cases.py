"""Cases at city scale (issue 5: 1,000,000 cases; submissions ≥ 100/s with the embedded worker
off; officer queue p95 ≤ 100 ms; nightly clock recomputation of all open cases ≤ 5 minutes).

On DATABASE_URL (default PostgreSQL `tongban_bench_cases`; created, migrated, demo loaded):

1. **Data**: `--cases` cases (default 1,000,000) across the implementations of the city and
   its districts, the demo applicants and every state (30 % accepted and open, 10 % submitted,
   5 % in correction, 50 % approved, 5 % refused or withdrawn), with the clock's start event of
   every accepted case — written with PostgreSQL COPY, seeded, reused when already there.
2. **Submissions**: `--processes` processes (and, for comparison, `--threads` threads in one
   process, bound by its GIL), each on its own connection, file cases through
   `cases.actions.submit` (the whole action: materials, number, audit) for `--seconds`;
   jobs (notice delivery) are queued, not run — the embedded worker is off.
   With `--http`, also over HTTP as BENCHMARKS.md asks: gunicorn (`--workers`, DEBUG off) on
   a free port, and this process as a separate closed-loop load generator (`--clients`
   httpx clients, no think time) posting `POST /api/cases` with a citizen's API token and a
   fresh `Idempotency-Key` each: cases/s at saturation, p50/p95/p99, errors.
3. **Officer queue**: `GET /api/cases` as the officer of the busiest department (the API with
   its token, in-process), `--queue-requests` times: p50/p95.
4. **Nightly recomputation**: `cases.tasks.recompute_clocks` over every open accepted case.

    ./tongban bench cases [--cases 1000000] [--processes 2] [--skip threads,nightly]

Submissions also report the CPU the filing processes and their PostgreSQL backends (read from
/proc when the server is local) spent per case, and so what the machine's cores could file if
nothing else ran on them — the figure to compare when other work shares the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tongban_bench_cases")

from _common import database_label, header, percentile, ready_database

PREFIX = "BENCH"
STATES = [("accepted", 30), ("submitted", 10), ("correction", 5), ("approved", 50), ("rejected", 3),
          ("withdrawn", 2)]


def generate(total: int, seed: int = 20261125) -> float:
    from django.db import connection
    from django.utils import timezone

    from tongban.cases.models import Case
    from tongban.catalog.models import ItemImplementation
    from tongban.identity.models import User

    have = Case.objects.filter(number__startswith=PREFIX).count()
    if have >= total:
        return 0.0
    started = time.perf_counter()
    rng = random.Random(seed + have)
    impls = list(ItemImplementation.objects.filter(active=True, item__current_version__isnull=False)
                 .values_list("pk", "item_id", "item__current_version_id", "region_id", "department_id",
                              "legal_days", "promised_days"))
    applicants = list(User.objects.filter(kind="person", id_number__isnull=False).values_list("pk", flat=True))
    weights = [w for _, w in STATES]
    now = timezone.now()
    today = timezone.localdate()
    columns = ["number", "item_id", "item_version_id", "implementation_id", "region_id", "department_id",
               "applicant_id", "channel", "status", "answers", "form", "lock_version", "legal_days",
               "legal_days_unit", "promised_days", "deadline", "promised_deadline", "submitted_at", "accepted_on",
               "decided_at", "decision_reason", "decision_basis", "created_at", "updated_at",
               "process_state", "process_digest"]  # no process saved: started on the first action
    batch = 100_000
    with connection.cursor() as cursor:
        # bulk loading is no request: the settings' statement timeout (15 s) is lifted while it
        # runs (a 100,000-row COPY takes longer on a loaded machine) and put back after
        cursor.execute("SET statement_timeout = 0")
        raw = cursor.cursor  # psycopg's own cursor: COPY
        for start in range(have, total, batch):
            buf = io.StringIO()
            for n in range(start, min(total, start + batch)):
                impl, item, version, region, dept, legal, promised = rng.choice(impls)
                status = rng.choices([s for s, _ in STATES], weights)[0]
                filed = now - dt.timedelta(days=rng.randint(0, 365), seconds=rng.randint(0, 86400))
                accepted = (min((filed + dt.timedelta(days=1)).date(), today) if status in ("accepted", "approved")
                            else None)  # never after today: a clock cannot start tomorrow
                deadline = accepted + dt.timedelta(days=max(1, legal) * 7 // 5) if accepted else None
                promised_deadline = accepted + dt.timedelta(days=max(1, promised) * 7 // 5) if accepted else None
                decided = (filed + dt.timedelta(days=5)).isoformat() if status in ("approved", "rejected") else "\\N"
                row = [f"{PREFIX}-{n:08d}", item, version, impl, region, dept, rng.choice(applicants), "online",
                       status, "{}", "{}", 0, legal, "working", promised,
                       deadline.isoformat() if deadline else "\\N",
                       promised_deadline.isoformat() if promised_deadline else "\\N",
                       filed.isoformat(), accepted.isoformat() if accepted else "\\N", decided, "", "",
                       filed.isoformat(), filed.isoformat(), "", ""]
                buf.write("\t".join(str(v) for v in row) + "\n")
            buf.seek(0)
            with raw.copy(f"COPY cases_case ({', '.join(columns)}) FROM STDIN") as copy:
                copy.write(buf.read())
            print(f"  {min(total, start + batch):,} cases", flush=True)
        cursor.execute(
            "INSERT INTO cases_caseclockevent (case_id, kind, \"on\", at, reason) "
            "SELECT id, 'start', accepted_on, now(), '受理' FROM cases_case c WHERE number LIKE %s "
            "AND accepted_on IS NOT NULL AND NOT EXISTS (SELECT 1 FROM cases_caseclockevent e WHERE e.case_id = c.id)",
            [f"{PREFIX}-%"])
        cursor.execute("VACUUM ANALYZE cases_case")  # as autovacuum would: index-only counts
        cursor.execute("VACUUM ANALYZE cases_caseclockevent")
        cursor.execute("RESET statement_timeout")
    return time.perf_counter() - started


def submissions(threads: int, seconds: float) -> tuple[int, float, list[float]]:
    from django.db import connections

    from tongban.cases import actions
    from tongban.catalog.models import ItemImplementation
    from tongban.celery import app
    from tongban.identity.models import User

    app.conf.update(task_always_eager=False, broker_url="memory://")  # the worker is off: jobs wait
    citizen = User.objects.filter(kind="person", id_number__isnull=False, memberships__isnull=True).first()
    codes = list(ItemImplementation.objects.filter(region_id="210200", item__audience__in=["person", "both"],
                                                   item__current_version__isnull=False)
                 .values_list("item__code", flat=True).distinct()[:30])
    stop = time.perf_counter() + seconds
    latencies: list[float] = []
    errors: list[str] = []
    barrier = threading.Barrier(threads)

    def work(k: int) -> None:
        rng = random.Random(k)
        barrier.wait()
        try:
            while time.perf_counter() < stop:
                t = time.perf_counter()
                try:
                    actions.submit(citizen, item=rng.choice(codes), region="210200")
                except Exception as exc:  # a refused filing (e.g. a required answer) counts as an error
                    errors.append(type(exc).__name__)
                    continue
                latencies.append((time.perf_counter() - t) * 1000)
        finally:
            connections.close_all()

    began = time.perf_counter()
    pool = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if errors:
        print(f"  refused filings: {len(errors)} ({sorted(set(errors))})")
    return len(latencies), time.perf_counter() - began, latencies


def _backend_cpu(pid: int | None) -> float | None:
    """CPU seconds (user + system) a local PostgreSQL backend has used so far, from /proc;
    None when the server is not on this machine or /proc cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, TypeError):
        return None


def _submit_worker(args: tuple[int, float, list[str]]) -> tuple[int, list[float], list[str], float | None]:
    """One process of `submissions_mp`: its own connection, filing until `stop`; also returns
    the CPU seconds its PostgreSQL backend spent meanwhile (None when unknown)."""
    k, stop, codes = args
    from django.db import connection, connections

    from tongban.cases import actions
    from tongban.identity.models import User

    connections.close_all()  # never share the parent's socket
    citizen = User.objects.filter(kind="person", id_number__isnull=False, memberships__isnull=True).first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()" if connection.vendor == "postgresql" else "SELECT NULL")
        backend = cursor.fetchone()[0]
    started_cpu = _backend_cpu(backend)
    rng, latencies, errors = random.Random(k), [], []
    while time.time() < stop:
        t = time.perf_counter()
        try:
            actions.submit(citizen, item=rng.choice(codes), region="210200")
        except Exception as exc:
            errors.append(type(exc).__name__)
            continue
        latencies.append((time.perf_counter() - t) * 1000)
    ended_cpu = _backend_cpu(backend)
    connections.close_all()
    pg = ended_cpu - started_cpu if started_cpu is not None and ended_cpu is not None else None
    return len(latencies), latencies, errors, pg


def submissions_mp(processes: int, seconds: float) -> tuple[int, float, list[float], float, float | None]:
    """`processes` OS processes (no shared GIL) filing through `cases.actions.submit`; returns
    cases, seconds, latencies, the CPU milliseconds the filing processes spent per case and
    those their PostgreSQL backends spent per case (None when the server is not local)."""
    import multiprocessing

    from django.db import connections

    from tongban.celery import app
    from tongban.identity.models import User

    app.conf.update(task_always_eager=False, broker_url="memory://")  # the worker is off: jobs wait
    citizen = User.objects.filter(kind="person", id_number__isnull=False, memberships__isnull=True).first()
    codes = _fileable_codes(citizen)
    connections.close_all()
    before = os.times()
    stop = time.time() + seconds
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        results = pool.map(_submit_worker, [(k, stop, codes) for k in range(processes)])
    after = os.times()
    latencies = [ms for _, lat, _, _ in results for ms in lat]
    errors = [e for _, _, errs, _ in results for e in errs]
    if errors:
        print(f"  refused filings: {len(errors)} ({sorted(set(errors))})")
    cpu = (after.children_user + after.children_system - before.children_user - before.children_system) * 1000
    backends = [pg for *_, pg in results]
    pg_cpu = sum(backends) * 1000 / max(len(latencies), 1) if None not in backends else None
    return len(latencies), seconds, latencies, cpu / max(len(latencies), 1), pg_cpu


def _fileable_codes(citizen) -> list[str]:
    """City items a citizen can file with an empty form and no answers (tried once, rolled back)."""
    from django.db import transaction

    from tongban.cases import actions
    from tongban.catalog.models import ItemImplementation

    codes = []
    for code in (ItemImplementation.objects.filter(region_id="210200", item__audience__in=["person", "both"],
                                                   item__current_version__isnull=False)
                 .values_list("item__code", flat=True).distinct()[:40]):
        try:
            with transaction.atomic():
                actions.submit(citizen, item=code, region="210200")
                transaction.set_rollback(True)
            codes.append(code)
        except Exception:
            continue
    return codes


def http_submissions(seconds: float, clients: int, workers: int, threads: int) -> tuple[int, float, list[float], dict]:
    """Closed loop over HTTP: `clients` httpx clients POST /api/cases to gunicorn, no think time."""
    import asyncio
    import logging
    import uuid

    import httpx
    from django.db import connections

    from bench_http import free_port, start_server, stop_server, wait_until_up
    from tongban.identity import actions as identity_actions
    from tongban.identity.models import User

    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
    citizen = User.objects.filter(kind="person", id_number__isnull=False, memberships__isnull=True).first()
    codes = _fileable_codes(citizen)
    token = identity_actions.create_token(citizen, days=1, name="bench-submit")[1]
    connections.close_all()
    # jobs go to Celery's queue in Redis and no worker takes them: the worker is off
    broker = os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    port = free_port()
    server = start_server(port, workers, threads)
    latencies: list[float] = []
    errors: dict[str, int] = {}

    async def run() -> float:
        base = f"http://127.0.0.1:{port}"
        await wait_until_up(base, server)
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30, headers=headers) as client:
            warm_until = time.perf_counter() + 3
            stop = warm_until + seconds

            async def worker(k: int) -> None:
                rng = random.Random(k)
                while (now := time.perf_counter()) < stop:
                    body = {"item": rng.choice(codes), "region": "210200", "form": {}, "materials": []}
                    try:
                        response = await client.post("/api/cases", json=body,
                                                     headers={"Idempotency-Key": str(uuid.uuid4())})
                        kind = "" if response.status_code == 201 else f"HTTP {response.status_code}"
                    except httpx.HTTPError as exc:
                        kind = type(exc).__name__
                    if now < warm_until:
                        continue
                    if kind:
                        errors[kind] = errors.get(kind, 0) + 1
                    else:
                        latencies.append((time.perf_counter() - now) * 1000)

            await asyncio.gather(*(worker(k) for k in range(clients)))
        return seconds

    try:
        measured = asyncio.run(run())
    finally:
        stop_server(server)
        import redis

        redis.Redis.from_url(broker).flushdb()  # the queued notice jobs of the filed bench cases
    return len(latencies), measured, latencies, errors


def queue_latency(requests: int) -> tuple[str, int, list[float]]:
    from django.db.models import Count
    from django.test import Client

    from tongban.cases.models import Case
    from tongban.identity import actions as identity_actions
    from tongban.identity.models import StaffRole

    busiest = (Case.objects.filter(status="accepted", region_id="210200").values("department_id")
               .annotate(n=Count("id")).order_by("-n").first())
    officer = StaffRole.objects.filter(role="officer", department_id=busiest["department_id"],
                                       region_id="210200").select_related("user").first().user
    token = identity_actions.create_token(officer, days=1, name="bench")[1]
    client = Client(headers={"Authorization": f"Bearer {token}"})
    times = []
    for n in range(requests):
        page = 1 + n % 5
        t = time.perf_counter()
        response = client.get("/api/cases", {"page": page}, REMOTE_ADDR=f"10.9.{n // 200}.{n % 200}")
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, response.content[:200]
    open_cases = Case.objects.filter(department_id=busiest["department_id"], region_id="210200",
                                     status__in=["submitted", "correction", "accepted"]).count()
    return busiest["department_id"], open_cases, times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--processes", type=int, default=2, help="filing processes (no shared GIL)")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--queue-requests", type=int, default=100)
    parser.add_argument("--http", action="store_true", help="also measure POST /api/cases over HTTP (gunicorn)")
    parser.add_argument("--clients", type=int, default=20, help="closed-loop HTTP clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--server-threads", type=int, default=2, help="gunicorn threads per worker")
    parser.add_argument("--skip", default="", help="steps to leave out, comma-separated: submit,threads,queue,nightly")
    args = parser.parse_args()

    ready_database(demo=True)
    lines = header("bench_cases — cases at city scale")
    generated = generate(args.cases)
    from tongban.cases.models import Case
    from tongban.cases.tasks import recompute_clocks

    total = Case.objects.count()
    lines.append(f"database {database_label()}; {total:,} cases"
                 + (f" (generated in {generated:.0f} s)" if generated else " (reused)"))
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    if "submit" not in skip:
        count, seconds, lat, cpu, pg_cpu = submissions_mp(args.processes, args.seconds)
        lines.append(f"submit   {count / seconds:.1f} cases/s with {args.processes} processes for {seconds:.0f} s "
                     f"(p50 {percentile(lat, 0.5):.0f} ms, p95 {percentile(lat, 0.95):.0f} ms; "
                     f"{cpu:.1f} ms of filing-process CPU per case; jobs queued, worker off)")
        if pg_cpu is not None:  # what the cores could file if nothing else ran on them
            cores = os.cpu_count() or 1
            lines.append(f"         PostgreSQL backends {pg_cpu:.1f} ms CPU per case; {cores} cores / "
                         f"({cpu:.1f} + {pg_cpu:.1f} ms) = {cores * 1000 / (cpu + pg_cpu):.0f} cases/s of CPU capacity")
    if "threads" not in skip:
        count, seconds, lat = submissions(args.threads, args.seconds)
        lines.append(f"threads  {count / seconds:.1f} cases/s with {args.threads} threads for {seconds:.0f} s "
                     f"(p50 {percentile(lat, 0.5):.0f} ms, p95 {percentile(lat, 0.95):.0f} ms; "
                     "jobs queued, worker off)")
    if args.http:
        count, seconds, lat, errors = http_submissions(args.seconds, args.clients, args.workers, args.server_threads)
        lines.append(f"http     POST /api/cases, gunicorn {args.workers} workers × {args.server_threads} threads, "
                     f"{args.clients} closed-loop clients for {seconds:.0f} s: {count / seconds:.1f} cases/s "
                     f"(p50 {percentile(lat, 0.5):.0f} ms, p95 {percentile(lat, 0.95):.0f} ms, "
                     f"p99 {percentile(lat, 0.99):.0f} ms; errors {errors or 0})")
    if "queue" not in skip:
        department, open_cases, times = queue_latency(args.queue_requests)
        lines.append(f"queue    GET /api/cases as the officer of {department} ({open_cases:,} open cases): "
                     f"p50 {percentile(times, 0.5):.0f} ms, p95 {percentile(times, 0.95):.0f} ms "
                     f"({len(times)} requests, in-process)")
    if "nightly" not in skip:
        open_accepted = Case.objects.open().filter(accepted_on__isnull=False).count()
        t = time.perf_counter()
        recomputed = recompute_clocks()
        lines.append(f"nightly  recompute_clocks: {recomputed:,} open accepted cases in "
                     f"{time.perf_counter() - t:.0f} s ({open_accepted:,} expected)")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
