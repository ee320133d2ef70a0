"""How fast do the portal's first pages answer over HTTP? (BENCHMARKS.md: two figures per endpoint.)

Starts gunicorn (`--workers 2 --threads 4`, DEBUG off) on a free port against the database
DATABASE_URL names — created if missing, migrated, demo data loaded when empty — then this
process, separate from the server, is the load generator (asyncio + httpx) for
`GET /accounts/login/` and `GET /api/openapi.json`:

a. **open loop** — requests arrive at `--rate` per second (default 50, alternating the two
   endpoints) over at most `--connections` connections (default 20), for `--duration` seconds
   (default 20; use 60 for the figure of record) after a `--warmup` (default 5 s). Latency is
   measured from each request's *scheduled* start, so a server that falls behind shows it
   (no coordinated omission). p50 / p95 / p99 per endpoint and errors;
b. **closed loop** — `--connections` clients, no think time, for the same duration:
   requests/s and p95 per endpoint.

The load generator shares the machine's cores with the server and PostgreSQL. The server is
stopped at the end.

    PYTHONPATH=src DJANGO_SETTINGS_MODULE=tongban.settings \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongban_bench .venv/bin/python bench/bench_http.py --duration 60
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field

from _common import ROOT, SRC, database_label, header, percentile, ready_database

ENDPOINTS = ("/accounts/login/", "/api/openapi.json")


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_kinds: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    in_flight_max: int = 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, workers: int, threads: int) -> subprocess.Popen:
    env = dict(os.environ, TONGBAN_DEBUG="0", PYTHONPATH=str(SRC), DJANGO_SETTINGS_MODULE="tongban.settings")
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "tongban.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", str(threads), "--timeout", "60", "--log-level", "warning",
         # longer than gunicorn's 2 s default, so that an idle pooled connection is not closed
         # just as the load generator reuses it (a ReadError that is the client's, not the server's)
         "--keep-alive", "30"],
        cwd=ROOT, env=env, start_new_session=True)


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # gunicorn's graceful shutdown of its own workers
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


async def wait_until_up(base: str, server: subprocess.Popen, timeout: float = 60, probe: str | None = None) -> None:
    """Until the server answers 200 on `probe` (default: the first endpoint); raise if it exits first."""
    import httpx

    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=base) as client:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {server.returncode}")
            try:
                if (await client.get(probe or ENDPOINTS[0])).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("gunicorn did not answer in time")


async def fetch(client, path: str, scheduled: float, tally: Tally | None) -> None:
    import httpx

    try:
        response = await client.get(path)
        ok = response.status_code == 200
        kind = f"HTTP {response.status_code}"
    except httpx.HTTPError as exc:
        ok, kind = False, type(exc).__name__
    if tally is None:
        return
    tally.latencies[path].append((time.perf_counter() - scheduled) * 1000)
    if not ok:
        tally.errors[path] += 1
        tally.error_kinds[kind] += 1


def client_for(base: str, connections: int):
    import httpx

    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(base_url=base, limits=limits, timeout=30)


async def open_loop(base: str, rate: float, connections: int, warmup: float, duration: float) -> Tally:
    """Fixed arrival schedule; the pool caps open connections, excess requests wait for one
    (and that wait counts in their latency)."""
    tally = Tally()
    async with client_for(base, connections) as client:
        began = time.perf_counter()
        tasks = []
        in_flight = 0

        async def one(path: str, at: float, counted: bool) -> None:
            nonlocal in_flight
            in_flight += 1
            tally.in_flight_max = max(tally.in_flight_max, in_flight)
            try:
                await fetch(client, path, at, tally if counted else None)
            finally:
                in_flight -= 1

        for n, path in enumerate(itertools.cycle(ENDPOINTS)):
            at = began + n / rate
            if at - began >= warmup + duration:
                break
            delay = at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(path, at, at - began >= warmup)))
        await asyncio.gather(*tasks)
    return tally


async def closed_loop(base: str, clients: int, warmup: float, duration: float) -> tuple[Tally, float]:
    tally = Tally()
    async with client_for(base, clients) as client:
        began = time.perf_counter()
        start, stop = began + warmup, began + warmup + duration

        async def worker(offset: int) -> None:
            for path in itertools.islice(itertools.cycle(ENDPOINTS), offset, None):
                now = time.perf_counter()
                if now >= stop:
                    return
                await fetch(client, path, now, tally if now >= start else None)

        await asyncio.gather(*(worker(i) for i in range(clients)))
    return tally, duration


def report_rows(tally: Tally, rps_seconds: float | None = None) -> list[str]:
    rows = []
    for path in ENDPOINTS:
        millis = tally.latencies[path]
        rate = f" | {len(millis) / rps_seconds:,.1f}" if rps_seconds else ""
        rows.append(f"| {path} | {len(millis):,} | {percentile(millis, 0.5):.1f} | {percentile(millis, 0.95):.1f} "
                    f"| {percentile(millis, 0.99):.1f} | {max(millis, default=0):.1f} | {tally.errors[path]}{rate} |")
    if rps_seconds:
        total = sum(len(v) for v in tally.latencies.values())
        everything = [ms for v in tally.latencies.values() for ms in v]
        rows.append(f"| both | {total:,} | {percentile(everything, 0.5):.1f} | {percentile(everything, 0.95):.1f} "
                    f"| {percentile(everything, 0.99):.1f} | {max(everything, default=0):.1f} "
                    f"| {sum(tally.errors.values())} | {total / rps_seconds:,.1f} |")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50.0, help="open-loop arrivals per second")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds measured per phase")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    began = time.perf_counter()
    ready_database(demo=True)
    prepared = time.perf_counter() - began
    lines = header("bench_http — login page and OpenAPI schema over HTTP")
    lines.append(f"database {database_label()}; migrated + demo data ready in {prepared:.1f} s")
    from django.db import connections

    connections.close_all()  # the load generator needs no database
    logging.getLogger("httpx").setLevel(logging.WARNING)  # Django's settings log INFO to the console

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(port, args.workers, args.threads)
    try:
        asyncio.run(wait_until_up(base, server))
        lines.append(f"server   gunicorn --workers {args.workers} --threads {args.threads}, DEBUG off, {base}")
        lines.append(f"load     asyncio + httpx in one separate process on the same machine; "
                     f"{args.warmup:g} s warm-up, {args.duration:g} s measured per phase")
        opened = asyncio.run(open_loop(base, args.rate, args.connections, args.warmup, args.duration))
        closed, seconds = asyncio.run(closed_loop(base, args.connections, args.warmup, args.duration))
    finally:
        stop_server(server)

    head = "| endpoint | requests | p50 ms | p95 ms | p99 ms | max ms | errors |"
    lines += ["", f"(a) open loop: {args.rate:g} req/s arriving (half to each endpoint), "
              f"≤ {args.connections} connections (most requests outstanding at once: {opened.in_flight_max})",
              head, "|---|---:|---:|---:|---:|---:|---:|", *report_rows(opened)]
    lines += ["", f"(b) closed loop: {args.connections} clients, no think time",
              head + " req/s |", "|---|---:|---:|---:|---:|---:|---:|---:|", *report_rows(closed, seconds)]
    if opened.in_flight_max > args.connections:
        saturated = sum(len(v) for v in closed.latencies.values()) / seconds
        lines.append(f"note: requests queued for a connection ({opened.in_flight_max} outstanding > "
                     f"{args.connections}): {args.rate:g} req/s is above what this machine sustained; "
                     f"closed-loop throughput was {saturated:,.1f} req/s")
    kinds = {**opened.error_kinds, **closed.error_kinds}
    if kinds:
        lines.append("errors: " + ", ".join(f"{k} × {v}" for k, v in kinds.items()))
    print("\n".join(lines))
    return 0 if not kinds else 1


if __name__ == "__main__":
    sys.exit(main())
