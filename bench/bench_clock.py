"""How fast are deadlines computed? (RULES R5–R8; target ≥ 100,000 deadline computations/s.)

Times, in-process and single-threaded, the two calls every case, request and ticket list
makes per row:

* `add_working_days(start, n)` — random receipt dates across the library's years
  (2004–2026) and random limits of 1–60 working days;
* `Clock.read(today)` — a 20-working-day clock with a correction pause, read on a later day.

Each figure is the best of 5 runs over the same inputs. Run from the project root:

    DJANGO_SETTINGS_MODULE=tongban.settings PYTHONPATH=src python bench/bench_clock.py [--n 200000]

The process's calendar is built once before timing (as in a serving process); without a
migrated database only the library's years are known, which is what is measured here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import sys
import time
from collections.abc import Callable

import django

TARGET = 100_000
RUNS = 5
MAX_DAYS = 60
FIRST, LAST = dt.date(2004, 1, 1), dt.date(2026, 12, 31)


def best_rate(label: str, fn: Callable[[], int]) -> tuple[str, int, float, float]:
    """Best of RUNS: wall-clock ops/s, and ops per second of this process's CPU time (which a
    busy machine disturbs less)."""
    wall = cpu = 0.0
    count = 0
    for _ in range(RUNS):
        began, began_cpu = time.perf_counter(), time.process_time()
        count = fn()
        wall = max(wall, count / (time.perf_counter() - began))
        cpu = max(cpu, count / max(time.process_time() - began_cpu, 1e-9))
    return label, count, wall, cpu


def add_inputs(rng: random.Random, n: int) -> list[tuple[dt.date, int]]:
    from tongban.core.calendar import get_calendar

    cal = get_calendar()
    # the latest start whose 60th working day still falls in a known year
    latest = LAST
    while cal.between(latest, LAST) < MAX_DAYS:
        latest -= dt.timedelta(days=1)
    lo, hi = FIRST.toordinal(), latest.toordinal()
    return [(dt.date.fromordinal(rng.randint(lo, hi)), rng.randint(1, MAX_DAYS)) for _ in range(n)]


def clock_inputs(rng: random.Random, n: int, starts: list[tuple[dt.date, int]]) -> list[tuple[object, dt.date]]:
    from tongban.core.clock import Clock, ClockEvent, EventKind

    out = []
    for start, _ in starts[:n]:
        pause = start + dt.timedelta(days=rng.randint(1, 10))
        resume = pause + dt.timedelta(days=rng.randint(0, 14))
        events = [ClockEvent(EventKind.START, start), ClockEvent(EventKind.PAUSE, pause),
                  ClockEvent(EventKind.RESUME, resume)]
        out.append((Clock(limit=20, events=events), resume + dt.timedelta(days=rng.randint(0, 20))))
    return out


def machine() -> str:
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        memory = f"{pages * size / 2**30:.1f} GiB"
    except (ValueError, OSError, AttributeError):
        memory = "?"
    try:
        load = "load {:.1f}/{:.1f}/{:.1f}".format(*os.getloadavg())
    except OSError:
        load = "load ?"
    return (f"nproc {os.cpu_count()}, memory {memory}, {load}, {platform.processor() or platform.machine()}, "
            f"Python {platform.python_version()}, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="deadline computations per run")
    parser.add_argument("--seed", type=int, default=20260101)
    args = parser.parse_args()
    django.setup()
    from tongban.core.calendar import add_working_days, get_calendar

    get_calendar()  # build once, outside the timing
    rng = random.Random(args.seed)
    adds = add_inputs(rng, args.n)
    clocks = clock_inputs(rng, args.n // 4, adds)

    def run_adds() -> int:
        for start, days in adds:
            add_working_days(start, days)
        return len(adds)

    def run_clocks() -> int:
        for clock, today in clocks:
            clock.read(today)
        return len(clocks)

    rows = [best_rate("`add_working_days` (start 2004–2026, 1–60 days)", run_adds),
            best_rate("`Clock.read` (20 working days, one pause)", run_clocks)]
    print(f"Machine: {machine()}; best of {RUNS} runs")
    print()
    print("| operation | inputs per run | ops/s (wall) | ops per CPU-second | target |")
    print("|---|---:|---:|---:|---:|")
    for label, count, rate, cpu_rate in rows:
        print(f"| {label} | {count:,} | {rate:,.0f} | {cpu_rate:,.0f} | {TARGET:,} |")
    print()
    verdicts = [f"{label.split('`')[1]} {rate:,.0f}/s {'met' if rate >= TARGET else 'MISSED'}"
                for label, _, rate, _ in rows]
    print(f"Target {TARGET:,} deadline computations/s (wall clock): {'; '.join(verdicts)}")
    return 0 if all(rate >= TARGET for _, _, rate, _ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
