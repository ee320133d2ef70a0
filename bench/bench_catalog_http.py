"""Catalogue search, suggestions and guides over HTTP with 20 concurrent clients (issue 4:
search p95 ≤ 30 ms, guide p95 ≤ 50 ms, 10,000 implementations; BENCHMARKS.md two figures).

1. prepares the database as bench_catalog does (reference catalogue + city, the ten districts
   of R3 and generated streets until --implementations rows; reused on the next run);
2. starts gunicorn as `./tongban run` does (`--workers 2 --threads 4`, DEBUG off);
3. this process (asyncio + httpx, separate from the server, same 2 cores) sends
   `GET /api/catalog/search?q=` (the evaluation set's queries), `GET /api/catalog/suggest?q=`
   (prefixes of them) and `GET /api/catalog/items/{code}?region=` (random implemented pairs):
   a. open loop at --rate req/s over ≤ --connections connections (latency from the scheduled
      start: no coordinated omission), b. closed loop, --connections clients, no think time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongban_bench .venv/bin/python bench/bench_catalog_http.py \\
        [--implementations 10000] [--rate 40] [--duration 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import sys
import time
from collections import defaultdict
from urllib.parse import urlencode

from _common import ROOT, database_label, header, percentile, ready_database
from bench_http import client_for, free_port, start_server, stop_server, wait_until_up

KINDS = ("search", "suggest", "guide")
TARGETS = {"search": 30.0, "guide": 50.0}
SEED = 20260101


def requests(count: int) -> list[tuple[str, str]]:
    """(kind, path) in a fixed random order: a third each of search, suggest and guide."""
    from tongban.catalog.models import ItemImplementation

    rng = random.Random(SEED)
    queries = [q["q"] for q in json.loads(
        (ROOT / "src/tongban/search/evaluation/queries.json").read_text(encoding="utf-8"))["queries"]]
    pairs = list(ItemImplementation.objects.filter(active=True).values_list("item__code", "region_id"))
    out = []
    for n in range(count):
        kind = KINDS[n % 3]
        q = rng.choice(queries)
        if kind == "search":
            out.append((kind, "/api/catalog/search?" + urlencode({"q": q})))
        elif kind == "suggest":
            out.append((kind, "/api/catalog/suggest?" + urlencode({"q": q[: rng.randint(1, max(1, len(q)))]})))
        else:
            code, region = rng.choice(pairs)
            out.append((kind, f"/api/catalog/items/{code}?" + urlencode({"region": region})))
    return out


def citizen(n: int) -> dict[str, str]:
    """Requests come from many citizens, not one address: each carries one of CITIZENS
    documentation-range (TEST-NET-2) addresses as X-Forwarded-For — a header value only, no
    traffic goes there — so the API's per-client throttle (120/min anonymous) limits each
    simulated citizen, as in production behind the load balancer, not the benchmark as a whole."""
    return {"X-Forwarded-For": f"198.51.100.{n % CITIZENS + 1}"}


CITIZENS = 250


async def fetch(client, kind: str, path: str, scheduled: float, tally: dict | None, n: int = 0) -> None:
    import httpx

    try:
        ok = (await client.get(path, headers=citizen(n))).status_code == 200
    except httpx.HTTPError:
        ok = False
    if tally is not None:
        tally["ms"][kind].append((time.perf_counter() - scheduled) * 1000)
        tally["errors"][kind] += 0 if ok else 1


def new_tally() -> dict:
    return {"ms": defaultdict(list), "errors": defaultdict(int), "in_flight": 0, "max_in_flight": 0}


async def open_loop(base, plan, rate, connections, warmup, duration) -> dict:
    tally = new_tally()
    async with client_for(base, connections) as client:
        began = time.perf_counter()
        tasks = []

        async def one(kind, path, at, counted, n):
            tally["in_flight"] += 1
            tally["max_in_flight"] = max(tally["max_in_flight"], tally["in_flight"])
            try:
                await fetch(client, kind, path, at, tally if counted else None, n)
            finally:
                tally["in_flight"] -= 1

        for n, (kind, path) in enumerate(plan):
            at = began + n / rate
            if at - began >= warmup + duration:
                break
            delay = at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(kind, path, at, at - began >= warmup, n)))
        await asyncio.gather(*tasks)
    return tally


async def closed_loop(base, plan, clients, warmup, duration) -> dict:
    tally = new_tally()
    async with client_for(base, clients) as client:
        began = time.perf_counter()
        start, stop = began + warmup, began + warmup + duration

        async def worker(offset):
            for n, (kind, path) in enumerate(plan[offset::clients]):
                now = time.perf_counter()
                if now >= stop:
                    return
                await fetch(client, kind, path, now, tally if now >= start else None, n * clients + offset)

        await asyncio.gather(*(worker(i) for i in range(clients)))
    return tally


def rows(tally: dict, seconds: float | None = None) -> list[str]:
    out = []
    for kind in KINDS:
        ms = tally["ms"][kind]
        target = f"≤ {TARGETS[kind]:g}" if kind in TARGETS else ""
        rate = f" | {len(ms) / seconds:,.1f}" if seconds else ""
        out.append(f"| {kind} | {len(ms):,} | {percentile(ms, .5):.1f} | {percentile(ms, .95):.1f} | "
                   f"{percentile(ms, .99):.1f} | {tally['errors'][kind]} | {target}{rate} |")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--implementations", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=40.0)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    began = time.perf_counter()
    ready_database()
    from bench_catalog import prepare

    implementations = prepare(args.implementations)
    prepared = time.perf_counter() - began
    plan = requests(int(args.rate * (args.warmup + args.duration)) + 20_000)
    lines = header("bench_catalog_http — search, suggest and guide over HTTP")
    lines.append(f"database {database_label()}; {implementations:,} implementations ready in {prepared:.1f} s")
    from django.db import connections

    connections.close_all()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    os.environ["TONGBAN_NUM_PROXIES"] = "1"  # the load generator is the proxy: its X-Forwarded-For counts
    server = start_server(port, args.workers, args.threads)
    try:
        asyncio.run(wait_until_up(base, server, 90, "/api/catalog/suggest?q=x"))
        lines.append(f"server   gunicorn --workers {args.workers} --threads {args.threads}, DEBUG off")
        lines.append(f"load     asyncio + httpx, separate process, same machine; {args.warmup:g} s warm-up, "
                     f"{args.duration:g} s per phase; requests a third each of search / suggest / guide")
        opened = asyncio.run(open_loop(base, plan, args.rate, args.connections, args.warmup, args.duration))
        closed = asyncio.run(closed_loop(base, plan, args.connections, args.warmup, args.duration))
    finally:
        stop_server(server)
    head = "| endpoint | requests | p50 ms | p95 ms | p99 ms | errors | target p95 ms |"
    lines += ["", f"(a) open loop {args.rate:g} req/s, ≤ {args.connections} connections "
              f"(most outstanding at once: {opened['max_in_flight']})", head, "|---|---:|---:|---:|---:|---:|---|",
              *rows(opened), "", f"(b) closed loop, {args.connections} clients", head + " req/s |",
              "|---|---:|---:|---:|---:|---:|---|---:|", *rows(closed, args.duration)]
    print("\n".join(lines))
    return 0 if not any(opened["errors"].values()) and not any(closed["errors"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
