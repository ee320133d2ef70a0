"""Statistics and supervision at city scale (issue 9 "Measure"): 1,000,000 cases and 300,000
reviews; `/api/stats/overview` p95 ≤ 300 ms with 20 concurrent clients (a year, the city and one
district); the nightly aggregation and the full rebuild ≤ 5 minutes; the full supervision scan;
queries per overview (≤ 20); the monthly report of a region.

On DATABASE_URL (default PostgreSQL `tongban_bench_stats`; created, migrated, demo loaded). The
cases are written with COPY (every column of the model, reused when there); the reviews are written with COPY,
one per decided case, levels weighted towards the good end.

    ./tongban bench stats [--cases 1000000 --reviews 300000 --clients 20 --requests 200]
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

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tongban_bench_stats")

from _common import database_label, header, percentile, ready_database

PREFIX = "BSTAT"
STATES = [("accepted", 30), ("submitted", 10), ("correction", 5), ("approved", 50), ("rejected", 3),
          ("withdrawn", 2)]
LEVELS = [5, 4, 3, 2, 1]
LEVEL_WEIGHTS = [55, 25, 10, 6, 4]


def _copy_value(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value)
    return str(value).replace("\t", " ").replace("\n", " ")


def copy_rows(cursor, model, rows: list[dict]) -> None:
    """COPY the rows into the model's table, every concrete column: the given value, else the
    field's default (None where it has none and may be null) — so a new column of the app does not
    break the generator."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    buf = io.StringIO()
    for values in rows:
        row = [values[f.attname] if f.attname in values else (f.get_default() if f.has_default() or not f.null
               else None) for f in fields]
        buf.write("\t".join(_copy_value(v) for v in row) + "\n")
    buf.seek(0)
    columns = ", ".join(f'"{f.column}"' for f in fields)
    with cursor.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
        copy.write(buf.read())


def generate_cases(total: int, seed: int = 20261125) -> float:
    """Cases over the implementations of the city and its districts, a year back, every state;
    every column the model has is written (its default where the generator has no value), so a
    new column of the cases app does not break the generator."""
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
    with connection.cursor() as cursor:
        for start in range(have, total, 50_000):
            rows = []
            for n in range(start, min(total, start + 50_000)):
                impl, item, version, region, dept, legal, promised = rng.choice(impls)
                status = rng.choices([s for s, _ in STATES], weights)[0]
                filed = now - dt.timedelta(days=rng.randint(0, 365), seconds=rng.randint(0, 86400))
                accepted = (filed + dt.timedelta(days=1)).date() if status in ("accepted", "approved") else None
                decided = filed + dt.timedelta(days=rng.randint(1, 10)) if status in ("approved", "rejected") else None
                rows.append({"number": f"{PREFIX}-{n:08d}", "item_id": item, "item_version_id": version,
                             "implementation_id": impl, "region_id": region, "department_id": dept,
                             "applicant_id": rng.choice(applicants), "channel": rng.choice(["online"] * 4 + ["window"]),
                             "status": status, "legal_days": legal, "legal_days_unit": "working",
                             "promised_days": promised, "submitted_at": filed, "accepted_on": accepted,
                             "decided_at": decided if decided and decided < now else None,
                             "deadline": accepted + dt.timedelta(days=max(1, legal) * 7 // 5) if accepted else None,
                             "created_at": filed, "updated_at": filed})
            copy_rows(cursor, Case, rows)
            print(f"  {min(total, start + 50_000):,} cases", flush=True)
        cursor.execute(
            "INSERT INTO cases_caseclockevent (case_id, kind, \"on\", at, reason) "
            "SELECT id, 'start', accepted_on, now(), '受理' FROM cases_case c WHERE number LIKE %s "
            "AND accepted_on IS NOT NULL AND NOT EXISTS (SELECT 1 FROM cases_caseclockevent e WHERE e.case_id = c.id)",
            [f"{PREFIX}-%"])
        cursor.execute("VACUUM ANALYZE cases_case")
        cursor.execute("VACUUM ANALYZE cases_caseclockevent")
    return time.perf_counter() - started


def generate_reviews(total: int, seed: int = 20261125) -> float:
    from django.db import connection

    from tongban.cases.models import Case
    from tongban.reviews.models import Review

    have = Review.objects.filter(comment="BENCH").count()
    if have >= total:
        return 0.0
    started = time.perf_counter()
    rng = random.Random(seed + have)
    rows = (Case.objects.filter(number__startswith=PREFIX, status__in=["approved", "rejected"], reviews__isnull=True,
                                 decided_at__isnull=False)
            .values_list("pk", "applicant_id", "department_id", "region_id", "decided_at")[: total - have])
    values = []
    for pk, applicant, dept, region, decided in rows.iterator(chunk_size=20000):
        at = (decided or dt.datetime.now(dt.UTC)) + dt.timedelta(hours=rng.randint(1, 72))
        values.append({"case_id": pk, "reviewer_id": applicant, "level": rng.choices(LEVELS, LEVEL_WEIGHTS)[0],
                       "comment": "BENCH", "channel": rng.choice(["portal", "mobile", "kiosk", "sms", "window"]),
                       "department_id": dept, "region_id": region, "created_at": at, "updated_at": at})
    with connection.cursor() as cursor:
        copy_rows(cursor, Review, values)
        cursor.execute("VACUUM ANALYZE reviews_review")
    return time.perf_counter() - started


def overview_latency(clients: int, requests: int, query: str) -> list[float]:
    from django.test import Client

    from tongban.identity.actions import create_token
    from tongban.identity.models import User

    supervisor = User.objects.get(username="supervisor")
    _, raw = create_token(supervisor, days=1, name="bench")
    times: list[float] = []
    lock = threading.Lock()
    per_client = max(1, requests // clients)

    def work() -> None:
        from django.db import connection

        client = Client(headers={"Authorization": f"Bearer {raw}"})
        for _ in range(per_client):
            t = time.perf_counter()
            response = client.get("/api/stats/overview" + query)
            elapsed = (time.perf_counter() - t) * 1000
            assert response.status_code == 200, response.content[:200]
            with lock:
                times.append(elapsed)
        connection.close()

    threads = [threading.Thread(target=work) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times


def queries_per_overview() -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tongban.identity.actions import create_token
    from tongban.identity.models import User

    _, raw = create_token(User.objects.get(username="supervisor"), days=1, name="bench-q")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    client.get("/api/stats/overview")
    with CaptureQueriesContext(connection) as ctx:
        client.get("/api/stats/overview")
    return len(ctx.captured_queries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--reviews", type=int, default=300_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    ready_database(demo=True)
    lines = header("bench_stats — statistics and supervision at city scale")
    print("\n".join(lines), flush=True)

    def say(line: str) -> None:  # each figure as soon as it is measured: a late failure keeps the earlier ones
        lines.append(line)
        print(line, flush=True)

    made_cases = generate_cases(args.cases)
    made_reviews = generate_reviews(args.reviews)
    from django.utils import timezone

    from tongban.cases.models import Case
    from tongban.oversight import actions, report
    from tongban.oversight.models import StatsWatermark
    from tongban.reviews.models import Review

    say(f"database {database_label()}; {Case.objects.count():,} cases, {Review.objects.count():,} reviews"
                 f" (generated in {made_cases + made_reviews:.0f} s)")
    today = timezone.localdate()
    t = time.perf_counter()
    rows = actions.rebuild_statistics(today - dt.timedelta(days=366), today)
    say(f"rebuild  366 days: {rows:,} summary rows in {time.perf_counter() - t:.1f} s")
    StatsWatermark.objects.update_or_create(name="daily", defaults={
        "changes_since": timezone.now() - dt.timedelta(days=1), "summarised_through": today - dt.timedelta(days=1)})
    t = time.perf_counter()
    days = actions.refresh_statistics()
    say(f"nightly  incremental refresh: {len(days)} touched days in {time.perf_counter() - t:.1f} s")
    for label, query in (("city, this year", ""), ("one district (210202), a year",
                                                    f"?region=210202&from={today - dt.timedelta(days=365)}")):
        times = overview_latency(args.clients, args.requests, query)
        say(f"overview {label}: p50 {percentile(times, 0.5):.0f} ms, p95 {percentile(times, 0.95):.0f} ms "
                     f"({len(times)} requests, {args.clients} concurrent clients, in-process)")
    say(f"queries  per overview: {queries_per_overview()}")
    t = time.perf_counter()
    summary = actions.scan()
    opened = sum(v["opened"] for v in summary.values())
    say(f"scan     full supervision scan: {time.perf_counter() - t:.1f} s ({opened:,} alerts opened)")
    t = time.perf_counter()
    size = len(report.render("210200", (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")))
    say(f"report   monthly PDF for the city: {time.perf_counter() - t:.1f} s ({size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main())
