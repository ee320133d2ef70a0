"""How good and how fast is search? (issue 4, A6: top-1 ≥ 80 %, top-5 ≥ 95 %; search p95 ≤ 30 ms.)

On the database the settings point at (SQLite by default, PostgreSQL with DATABASE_URL), in a
throw-away database of its own (`<name>_searchbench`, built by the real migrations and dropped
afterwards unless --keep), it:

1. indexes the 177 reference items and scores the evaluation set (top-1 / top-5);
2. times `search()` in-process over the evaluation queries (p50 / p95 / max), and `suggest()`
   over prefixes of them;
3. replicates the items across region codes (city, districts, streets, synthetic streets) up to
   --docs documents (default 10,000) and times search again, single-threaded and with
   --clients threads (default 20), each with its own database connection.

Run from the project root:

    PYTHONPATH=src python bench/bench_search.py [--docs 10000] [--clients 20] [--misses] [--keep]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongban PYTHONPATH=src python bench/bench_search.py
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(label: str, millis: list[float]) -> str:
    return (f"{label:<44} n={len(millis):>5}  p50 {percentile(millis, 0.5):6.2f} ms  "
            f"p95 {percentile(millis, 0.95):6.2f} ms  max {max(millis):7.2f} ms")


def timed(fn, *args, **kwargs) -> float:
    began = time.perf_counter()
    fn(*args, **kwargs)
    return (time.perf_counter() - began) * 1000


def set_up_database(keep: bool):
    from django.conf import settings
    from django.db import connection

    db = settings.DATABASES["default"]
    name = db["NAME"]
    if connection.vendor == "sqlite":
        db.setdefault("TEST", {})["NAME"] = str(settings.VAR_DIR / "searchbench.sqlite3")
    else:
        db.setdefault("TEST", {})["NAME"] = f"{name}_searchbench"
    began = time.perf_counter()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']} "
          f"(ready in {time.perf_counter() - began:.1f} s)")
    return lambda: None if keep else connection.creation.destroy_test_db(name, verbosity=0)


def replicated(docs, total: int, regions: list[str], rng: random.Random):
    """`total` documents: each item implemented in region after region, keys code@region."""
    out = []
    codes = list(regions)
    serial = 0
    while len(codes) * len(docs) < total:  # synthetic streets of the districts
        district = regions[1 + serial % (len(regions) - 1)][:6]
        serial += 1
        codes.append(f"{district}{900 + serial:03d}")
    for region in codes:
        for doc in docs:
            if len(out) == total:
                return out
            out.append(replace(doc, key=f"{doc.key}@{region}", region_code=region,
                               popularity=float(rng.randint(0, 300))))
    return out


def latency(backend, queries: list[str], rounds: int) -> list[float]:
    return [timed(backend.search, q, kind="item", limit=20) for _ in range(rounds) for q in queries]


def concurrent_latency(queries: list[str], clients: int, rounds: int) -> tuple[list[float], float]:
    from django.db import connection

    from tongban.search.backends.base import get_backend

    results: list[float] = []
    lock = threading.Lock()

    def client(seed: int) -> None:
        local = list(queries)
        random.Random(seed).shuffle(local)
        backend = get_backend()
        mine = latency(backend, local, rounds)
        connection.close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    return results, len(results) / elapsed


def run_replicated(backend, docs, catalogue, queries, texts, prefixes, size: int, args) -> None:
    from django.db import connection

    from tongban.search.evaluation import evaluate
    from tongban.search.models import SearchDocument

    big = replicated(docs, size, [r["code"] for r in catalogue["regions"]], random.Random(4))
    SearchDocument.objects.all().delete()
    began = time.perf_counter()
    backend.index(big)
    print(f"indexed {len(big)} documents in {time.perf_counter() - began:.2f} s")
    if backend.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE search_searchdocument")
    result = evaluate(backend, None, queries)
    print(f"evaluation on {len(big)} docs (copies of an item count once): top-1 {result.top1:.1%}")
    latency(backend, texts, 1)
    print(summary(f"search, {len(big)} docs, 1 client", latency(backend, texts, args.rounds)))
    print(summary(f"suggest, {len(big)} docs, 1 client", [timed(backend.suggest, p, kind="item") for p in prefixes]))
    if args.clients > 1:
        millis, rate = concurrent_latency(texts, args.clients, 1)
        print(summary(f"search, {len(big)} docs, {args.clients} clients", millis) + f"  {rate:.0f} q/s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", default="10000", help="sizes of the replicated index, comma-separated")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--misses", action="store_true", help="list the queries missed at top 1")
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the bench database")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    django.setup()
    from tongban.search.backends.base import get_backend
    from tongban.search.evaluation import catalogue_documents, evaluate, load_queries
    from tongban.search.models import SearchDocument
    from tongban.search.text import warm_up

    print(f"machine: {platform.node()} · {platform.processor() or platform.machine()} · "
          f"Python {platform.python_version()} · {os.cpu_count()} CPUs · load {os.getloadavg()[0]:.1f} · "
          f"{time.strftime('%Y-%m-%d %H:%M')}")
    tear_down = set_up_database(args.keep)
    try:
        warm_up()  # a serving process loads the dictionaries once, before its first request
        catalogue = json.loads((ROOT / "data" / "dalian-catalog.json").read_text(encoding="utf-8"))
        docs = catalogue_documents(catalogue)
        queries = load_queries()
        texts = [q["q"] for q in queries]
        backend = get_backend()
        SearchDocument.objects.all().delete()

        began = time.perf_counter()
        backend.index(docs)
        print(f"indexed {len(docs)} documents in {time.perf_counter() - began:.2f} s")
        result = evaluate(backend, None, queries)
        print(f"evaluation ({len(queries)} queries, {backend.vendor}): "
              f"top-1 {result.top1:.1%}  top-5 {result.top5:.1%}")
        if args.misses:
            for miss in result.top1_misses:
                flag = "  " if miss in result.misses or miss["got"][:1] else ""
                print(f"  {flag}{miss['category']:<11} {miss['q']} → {miss['got'][:3]} (want {miss['expected']})")
        latency(backend, texts, 1)  # warm caches
        print(summary(f"search, {len(docs)} docs, 1 client", latency(backend, texts, args.rounds)))
        prefixes = sorted({q[:k] for q in texts for k in (1, 2, 3) if len(q) >= k})
        print(summary(f"suggest, {len(docs)} docs, 1 client",
                      [timed(backend.suggest, p, kind="item") for p in prefixes]))

        for size in (int(n) for n in args.docs.split(",")):
            run_replicated(backend, docs, catalogue, queries, texts, prefixes, size, args)
        SearchDocument.objects.all().delete()
    finally:
        tear_down()
    return 0


if __name__ == "__main__":
    sys.exit(main())
