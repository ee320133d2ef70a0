"""Cases at city scale (issue 5: 1,000,000 cases; submissions ≥ 100/s with the embedded worker
off; officer queue p95 ≤ 100 ms; nightly clock recomputation of all open cases ≤ 5 minutes).

On DATABASE_URL (default PostgreSQL `tongban_bench_cases`; created, migrated, demo loaded):

1. **Data**: `--cases` cases (default 1,000,000) across the implementations of the city and
   its districts, the demo applicants and every state (30 % accepted and open, 10 % submitted,
   5 % in correction, 50 % approved, 5 % refused or withdrawn), with the clock's start event of
   every accepted case — written with PostgreSQL COPY, seeded, reused when already there.
2. **Submissions**: `--threads` threads, each on its own connection, file cases through
   `cases.actions.submit` (the whole action: materials, number, audit) for `--seconds`;
   jobs (notice delivery) are queued, not run — the embedded worker is off.
3. **Officer queue**: `GET /api/cases` as the officer of the busiest department (the API with
   its token, in-process), `--queue-requests` times: p50/p95.
4. **Nightly recomputation**: `cases.tasks.recompute_clocks` over every open accepted case.

    ./tongban bench cases [--cases 1000000]
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
    columns = ["number", "item_id", "item_version_id", "implementation_id", "region_id", "department_id",
               "applicant_id", "channel", "status", "answers", "form", "lock_version", "legal_days",
               "legal_days_unit", "promised_days", "deadline", "promised_deadline", "submitted_at", "accepted_on",
               "decided_at", "decision_reason", "decision_basis", "created_at", "updated_at",
               "process_state", "process_digest"]  # no process saved: started on the first action
    batch = 100_000
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor: COPY
        for start in range(have, total, batch):
            buf = io.StringIO()
            for n in range(start, min(total, start + batch)):
                impl, item, version, region, dept, legal, promised = rng.choice(impls)
                status = rng.choices([s for s, _ in STATES], weights)[0]
                filed = now - dt.timedelta(days=rng.randint(0, 365), seconds=rng.randint(0, 86400))
                accepted = (filed + dt.timedelta(days=1)).date() if status in ("accepted", "approved") else None
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
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--queue-requests", type=int, default=100)
    args = parser.parse_args()

    ready_database(demo=True)
    lines = header("bench_cases — cases at city scale")
    generated = generate(args.cases)
    from tongban.cases.models import Case
    from tongban.cases.tasks import recompute_clocks

    total = Case.objects.count()
    lines.append(f"database {database_label()}; {total:,} cases"
                 + (f" (generated in {generated:.0f} s)" if generated else " (reused)"))
    count, seconds, lat = submissions(args.threads, args.seconds)
    lines.append(f"submit   {count / seconds:.1f} cases/s with {args.threads} threads for {seconds:.0f} s "
                 f"(p50 {percentile(lat, 0.5):.0f} ms, p95 {percentile(lat, 0.95):.0f} ms; jobs queued, worker off)")
    department, open_cases, times = queue_latency(args.queue_requests)
    lines.append(f"queue    GET /api/cases as the officer of {department} ({open_cases:,} open cases): "
                 f"p50 {percentile(times, 0.5):.0f} ms, p95 {percentile(times, 0.95):.0f} ms "
                 f"({len(times)} requests, in-process)")
    open_accepted = Case.objects.open().filter(accepted_on__isnull=False).count()
    t = time.perf_counter()
    recomputed = recompute_clocks()
    lines.append(f"nightly  recompute_clocks: {recomputed:,} open accepted cases in {time.perf_counter() - t:.0f} s "
                 f"({open_accepted:,} expected)")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
