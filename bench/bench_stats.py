"""Statistics and supervision at city scale (issue 9 "Measure"): 1,000,000 cases and 300,000
reviews; `/api/stats/overview` p95 ≤ 300 ms with 20 concurrent clients (a year, the city and one
district); the nightly aggregation and the full rebuild ≤ 5 minutes; the full supervision scan;
queries per overview (≤ 20); the monthly report of a region.

On DATABASE_URL (default PostgreSQL `tongban_bench_stats`; created, migrated, demo loaded). The
cases are written with COPY (every column of the model, reused when there); the reviews are written with COPY,
one per decided case, levels weighted towards the good end.

    ./tongban bench stats [--cases 1000000 --reviews 300000 --clients 20 --duration 60 --rates 20,40,60]
    ./tongban bench stats --generate-only          # build the database once (cases, reviews, summaries)
    ./tongban bench stats --steps overview,queries # then re-measure against it

The overview is measured over HTTP (gunicorn, bench_http's load generator in this process) as
BENCHMARKS.md asks: open loop at each of --rates over ≤ --clients connections until one queues,
then closed loop (saturation); --writes N touches N cases a second meanwhile (each write changes
the key of the cached cube, so the server recomputes); --in-process uses threads instead.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import itertools
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
STEPS = ("rebuild", "nightly", "overview", "queries", "scan", "report")


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
        for start in range(0, len(values), 50_000):  # in parts: each COPY stays under the statement timeout
            copy_rows(cursor, Review, values[start:start + 50_000])
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


def supervisors(count: int) -> list:
    """One supervisor per client, each with the demo supervisor's grants: the API throttles each
    user to 1,200 requests a minute, which 20 clients of one user exceed (429s, not latency)."""
    from tongban.identity.models import StaffRole, User

    model = User.objects.get(username="supervisor")
    grants = list(StaffRole.objects.filter(user=model).values("role", "department_id", "region_id"))
    users = []
    for n in range(count):
        user, made = User.objects.get_or_create(username=f"bench-supervisor-{n:02d}",
                                                defaults={"kind": model.kind, "is_active": True})
        if made:
            StaffRole.objects.bulk_create([StaffRole(user=user, **g) for g in grants])
        users.append(user)
    return users


@contextlib.contextmanager
def _overview_load(path: str, tokens: list[str]):
    """bench_http's open_loop / closed_loop aimed at one overview URL, each request signed with
    the next supervisor's token in turn (the API throttles each user to 1,200 requests a minute):
    its endpoint list and client factory are swapped for the duration."""
    import bench_http

    saved = bench_http.ENDPOINTS, bench_http.client_for
    turn = itertools.cycle(tokens)

    async def sign(request) -> None:
        request.headers["Authorization"] = f"Bearer {next(turn)}"

    def client_for(base: str, connections: int):
        client = saved[1](base, connections)
        client.event_hooks["request"].append(sign)
        return client

    bench_http.ENDPOINTS, bench_http.client_for = (path,), client_for
    try:
        yield
    finally:
        bench_http.ENDPOINTS, bench_http.client_for = saved


class Writer(threading.Thread):
    """A case touched (`updated_at` = now, as every transition writes it) `per_second` times a
    second while the load runs: each write changes the state the cached cube is keyed by, so the
    server recomputes the overview after it — a city's working-hour write rate, not a quiet one."""

    def __init__(self, per_second: float) -> None:
        super().__init__(daemon=True)
        self.per_second, self.done, self.writes = per_second, threading.Event(), 0

    def run(self) -> None:
        from django.db import connection
        from django.utils import timezone

        from tongban.cases.models import Case

        top = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        rng = random.Random(7)
        while self.per_second > 0 and not self.done.wait(1 / self.per_second):
            self.writes += Case.objects.filter(pk=rng.randint(1, top)).update(updated_at=timezone.now())
        connection.close()


class Staleness(threading.Thread):
    """Once a second, one more overview request (beside the load) noting how old its figures are
    (`as_of`, when the server read the rows) — a reader served the previous cube while another
    recomputes shows here (bounded by TONGBAN_STATS_MAX_STALE_SECONDS)."""

    def __init__(self, base: str, token: str) -> None:
        super().__init__(daemon=True)
        self.base, self.token, self.path, self.ages = base, token, "", []
        self.done = threading.Event()

    def run(self) -> None:
        import httpx

        with httpx.Client(base_url=self.base, headers={"Authorization": f"Bearer {self.token}"}) as client:
            while not self.done.wait(1.0):
                if not self.path:
                    continue
                try:
                    body = client.get(self.path, timeout=10).json()
                    read = dt.datetime.fromisoformat(body["as_of"])
                except (httpx.HTTPError, KeyError, ValueError):
                    continue
                self.ages.append((dt.datetime.now(dt.UTC) - read).total_seconds())

    def take(self) -> str:
        ages, self.ages = sorted(self.ages), []
        if not ages:
            return "figures' age: no sample"
        return (f"figures' age (as_of, {len(ages)} samples): p50 {percentile(ages, 0.5):.1f} s, "
                f"p95 {percentile(ages, 0.95):.1f} s, max {ages[-1]:.1f} s")


def overview_http(clients: int, duration: float, warmup: float, queries: list[tuple[str, str]], rates: list[float],
                  writes: float, say) -> None:
    """gunicorn (as `./tongban run`: 2 workers × 4 threads, DEBUG off) and, in this process
    (bench_http's asyncio + httpx load generator, separate from the server), per query: (a) open
    loop at each rate over at most `clients` connections — latency from each request's scheduled
    start, so queueing shows — stopping after the first rate that needed every connection at once
    (queueing); (b) closed loop, `clients` clients without think time (saturation)."""
    import asyncio
    import logging

    from django.db import connections

    from bench_http import closed_loop, free_port, open_loop, start_server, stop_server, wait_until_up
    from tongban.identity.actions import create_token

    tokens = [create_token(user, days=1, name="bench-http")[1] for user in supervisors(clients)]
    connections.close_all()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(port, 2, 4)
    writer = Writer(writes)
    sampler = Staleness(base, tokens[0])
    try:
        asyncio.run(wait_until_up(base, server))
        writer.start()
        sampler.start()
        say(f"load     gunicorn 2 workers × 4 threads, DEBUG off; asyncio + httpx load generator in this process; "
            f"{warmup:g} s warm-up, {duration:g} s measured per row; "
            + (f"a case written {writes:g} times a second throughout" if writes else "no writes during the load"))
        for label, query in queries:
            path = "/api/stats/overview" + query
            sampler.path = path
            with _overview_load(path, tokens):
                for rate in rates:
                    sampler.take()
                    tally = asyncio.run(open_loop(base, rate, clients, warmup, duration))
                    age = sampler.take()
                    times, errors = tally.latencies[path], tally.errors[path]
                    queued = tally.in_flight_max >= clients
                    say(f"open     {label}, {rate:g} req/s: p50 {percentile(times, 0.5):.0f} ms, "
                        f"p95 {percentile(times, 0.95):.0f} ms, p99 {percentile(times, 0.99):.0f} ms, "
                        f"max {max(times, default=0):.0f} ms ({len(times)} requests, {errors} errors; most in flight "
                        f"{tally.in_flight_max} of {clients} connections{' — QUEUEING' if queued else ''}); {age}")
                    if queued:
                        break
                tally, seconds = asyncio.run(closed_loop(base, clients, warmup, duration))
                times, errors = tally.latencies[path], tally.errors[path]
                say(f"closed   {label}, {clients} clients: {len(times) / seconds:.1f} req/s, "
                    f"p50 {percentile(times, 0.5):.0f} ms, p95 {percentile(times, 0.95):.0f} ms, "
                    f"p99 {percentile(times, 0.99):.0f} ms ({len(times)} requests, {errors} errors)")
    finally:
        writer.done.set()
        sampler.done.set()
        stop_server(server)
    if writes:
        say(f"writes   {writer.writes} cases touched during the load")


def queries_per_overview() -> tuple[int, int]:
    """Queries of one overview (city) computed, then read from the exact cache."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tongban.identity.actions import create_token
    from tongban.identity.models import User

    _, raw = create_token(User.objects.get(username="supervisor"), days=1, name="bench-q")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    client.get("/api/stats/overview")
    cache.clear()
    with CaptureQueriesContext(connection) as computed:
        client.get("/api/stats/overview")
    with CaptureQueriesContext(connection) as cached:
        client.get("/api/stats/overview")
    return len(computed.captured_queries), len(cached.captured_queries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--reviews", type=int, default=300_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--in-process", action="store_true",
                        help="overview clients as threads of this process (django.test.Client) instead of HTTP")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds measured per overview row (HTTP)")
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds not counted first (HTTP)")
    parser.add_argument("--rates", default="20,40,60",
                        help="open-loop arrival rates (req/s) tried in turn per query, up to the first that queues")
    parser.add_argument("--writes", type=float, default=0.0,
                        help="cases written per second during the HTTP load (each one invalidates the cached cube)")
    parser.add_argument("--live-days", type=int, default=1,
                        help="days before today left unsummarised for the overview (computed live with today, as "
                             "before the nightly job has run): 1 = a whole day of live rows whatever the hour")
    parser.add_argument("--generate-only", action="store_true",
                        help="generate the cases and reviews and rebuild the summaries, then stop")
    parser.add_argument("--steps", default=",".join(STEPS),
                        help=f"comma-separated subset of {','.join(STEPS)} to measure (default: all), e.g. "
                             "--steps overview,queries to re-measure quickly against a database built before")
    args = parser.parse_args()
    steps = set(args.steps.split(","))
    if steps - set(STEPS):
        parser.error(f"unknown steps: {', '.join(sorted(steps - set(STEPS)))}")
    if args.generate_only:
        steps = {"rebuild"}

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
    if "rebuild" in steps:
        t = time.perf_counter()
        rows = actions.rebuild_statistics(today - dt.timedelta(days=366), today)
        say(f"rebuild  366 days: {rows:,} summary rows in {time.perf_counter() - t:.1f} s")
    if args.generate_only:
        return 0
    if "nightly" in steps:
        StatsWatermark.objects.update_or_create(name="daily", defaults={
            "changes_since": timezone.now() - dt.timedelta(days=1), "summarised_through": today - dt.timedelta(days=1)})
        t = time.perf_counter()
        days = actions.refresh_statistics()
        say(f"nightly  incremental refresh: {len(days)} touched days in {time.perf_counter() - t:.1f} s")
    if "overview" in steps:
        # made when missing: a database built by --generate-only has the summary rows but no watermark
        # (the rebuild does not move it), and without one every day of the year would be read live
        StatsWatermark.objects.update_or_create(name="daily", defaults={
            "summarised_through": today - dt.timedelta(days=1 + args.live_days)})
        say(f"live     the overview computes {args.live_days} past day(s) and today from the raw rows")
        queries = [("city, this year", ""),
                   ("one district (210202), a year", f"?region=210202&from={today - dt.timedelta(days=365)}")]
        if args.in_process:
            for label, query in queries:
                times = overview_latency(args.clients, args.requests, query)
                say(f"overview {label}: p50 {percentile(times, 0.5):.0f} ms, p95 {percentile(times, 0.95):.0f} ms "
                    f"({len(times)} requests, {args.clients} concurrent clients, in-process)")
        else:
            overview_http(args.clients, args.duration, args.warmup, queries,
                          [float(r) for r in args.rates.split(",")], args.writes, say)
    if "queries" in steps:
        computed, cached = queries_per_overview()
        say(f"queries  per overview: {computed} computed, {cached} from the cache")
    if "scan" in steps:
        t = time.perf_counter()
        summary = actions.scan()
        opened = sum(v["opened"] for v in summary.values())
        say(f"scan     full supervision scan: {time.perf_counter() - t:.1f} s ({opened:,} alerts opened)")
    if "report" in steps:
        t = time.perf_counter()
        size = len(report.render("210200", (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")))
        say(f"report   monthly PDF for the city: {time.perf_counter() - t:.1f} s ({size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main())
