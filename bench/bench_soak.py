"""Load soak: a bounded mixed workload for a stated time, with nothing lost (issue 10 item 10).

Starts gunicorn (`--workers 2 --threads 4`, DEBUG off) against DATABASE_URL (created,
migrated and loaded with the demo data if empty; PostgreSQL for figures) and runs
`--clients` virtual users for `--duration` seconds, each looping over a mix taken from what
people do, through the interfaces of INTERFACES.md only:

* browse and search (anonymous): the home page, `/api/catalog/search` with queries of the
  evaluation set, `/api/catalog/items/{code}`;
* apply (the demo citizens, bearer tokens): `POST /api/cases` with an Idempotency-Key, then
  `GET /api/cases/{number}`;
* decide (the item's department officer): `accept`, then `approve`;
* review (the applicant): `POST /api/reviews` of the decided case;
* ticket (the same citizen): `POST /api/hotline/tickets` with a complaint of the city's
  usual kinds (classification, duplicate check and routing run on each).

Every `--sample` seconds it samples the server's resident memory (all gunicorn processes) and
the database connections; at the end it reports requests, errors (target 0), memory growth
between the first sample after warm-up and the last (target ≤ `--memory-margin` %), peak
connections, and runs `audit verify` on the database (target: intact).

    ./tongban bench soak --duration 300
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import random
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tongban_bench_soak")

from _common import ROOT, database_label, header, percentile, ready_database
from bench_http import free_port, start_server, stop_server, wait_until_up


def rss_mib(pid: int) -> float:
    """Resident memory of the server and all its children (gunicorn's workers)."""
    total = 0
    pids = [pid]
    with contextlib.suppress(OSError):
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def db_connections() -> int:
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


def prepare() -> dict:
    """Tokens for the demo citizens and officers, items a citizen can file with their officer."""
    from tongban.catalog.models import ItemImplementation
    from tongban.identity import actions
    from tongban.identity.models import StaffRole, User

    citizens = list(User.objects.filter(kind="person", staff_roles__isnull=True).exclude(id_number=None)[:3])
    tokens = {u.username: actions.create_token(u, days=1, name="soak")[1] for u in citizens}
    pairs = []
    impls = (ItemImplementation.objects.filter(region_id="210200", item__audience__in=["person", "both"],
                                               item__legal_days__gt=0)
             .select_related("item", "department").order_by("item__code")[:40])
    for impl in impls:
        role = StaffRole.objects.filter(role="officer", department=impl.department_id).select_related("user").first()
        if role and _fileable(citizens[0], impl.item.code):
            tokens.setdefault(role.user.username, actions.create_token(role.user, days=1, name="soak")[1])
            pairs.append((impl.item.code, role.user.username))
    evaluation = json.loads((ROOT / "src/tongban/search/evaluation/queries.json").read_text(encoding="utf-8"))
    queries = [q["q"] for q in evaluation["queries"]][:100]
    return {"citizens": [u.username for u in citizens], "pairs": pairs, "tokens": tokens, "queries": queries}


class _Undo(Exception):
    pass


def _fileable(citizen, code: str) -> bool:
    """Items a citizen can file with an empty form (no answers or enterprise needed): tried
    once in a transaction that is rolled back."""
    from django.db import transaction

    from tongban.cases import actions
    from tongban.cases.models import CaseParallelReview

    try:
        with transaction.atomic():
            case = actions.submit(citizen, item=code, region="210200")
            # an item with 并联 departments waits for their opinions: its approve would be a 409
            alone = not CaseParallelReview.objects.filter(case=case).exists()
            raise _Undo
    except _Undo:
        return alone
    except Exception:  # refused: needs answers, an enterprise, a form value
        return False


TICKETS = [  # (text, region): what callers say, in several districts
    ("小区楼下烧烤店每天夜里油烟很大，噪音吵到凌晨两点，希望有关部门管一管", "210202"),
    ("我们楼这个月暖气一直不热，室温只有十四度，物业说找热力公司", "210203"),
    ("公司拖欠我三个月工资不给，老板电话也不接了，怎么办", "210204"),
    ("菜市场有摊位卖的猪肉没有检疫章，怀疑是病死猪肉", "210211"),
    ("想咨询一下新生儿落户需要带哪些材料，在哪里办理", "210202"),
    ("路口的红绿灯坏了好几天了，早晚高峰特别堵，很危险", "210203"),
]


class Soak:
    def __init__(self, base: str, plan: dict) -> None:
        self.base = base
        self.plan = plan
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter[str] = Counter()
        self.cases = 0

    async def call(self, client, name: str, method: str, path: str, *, address: str, token: str | None = None,
                   body: dict | None = None, ok: tuple[int, ...] = (200, 201), headers: dict | None = None):
        import httpx

        sent = {"X-Forwarded-For": address, **(headers or {})}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        started = time.perf_counter()
        try:
            response = await client.request(method, path, json=body, headers=sent)
        except httpx.HTTPError as exc:
            self.errors[f"{name}: {type(exc).__name__}"] += 1
            return None
        self.latencies[name].append((time.perf_counter() - started) * 1000)
        if response.status_code not in ok:
            self.errors[f"{name}: HTTP {response.status_code}"] += 1
            return None
        return response

    async def user(self, client, n: int, until: float) -> None:
        rng = random.Random(n)
        me = {"address": f"198.51.100.{n + 1}"}  # each virtual user is one citizen behind the proxy
        plan = self.plan
        while time.monotonic() < until:
            await self.call(client, "home", "GET", "/", **me)
            q = rng.choice(plan["queries"])
            await self.call(client, "search", "GET", f"/api/catalog/search?q={q}", **me)
            if not plan["pairs"]:
                continue
            code, officer = rng.choice(plan["pairs"])
            await self.call(client, "guide", "GET", f"/api/catalog/items/{code}?region=210200", **me)
            citizen = plan["tokens"][rng.choice(plan["citizens"])]
            filed = await self.call(client, "apply", "POST", "/api/cases", token=citizen, **me,
                                    body={"item": code, "region": "210200", "form": {}, "materials": []},
                                    headers={"Idempotency-Key": str(uuid.uuid4())}, ok=(201,))
            if filed is None:
                continue
            number = filed.json()["number"]
            self.cases += 1
            await self.call(client, "track", "GET", f"/api/cases/{number}", token=citizen, **me)
            off = plan["tokens"][officer]
            await self.call(client, "accept", "POST", f"/api/cases/{number}/actions/accept", token=off, body={}, **me)
            await self.call(client, "approve", "POST", f"/api/cases/{number}/actions/approve", token=off, body={},
                            **me)
            await self.call(client, "review", "POST", "/api/reviews", token=citizen, **me,
                            body={"case": number, "level": rng.choice([5, 5, 4, 3, 2]), "comment": "办理顺利"})
            text, region = rng.choice(TICKETS)
            await self.call(client, "ticket", "POST", "/api/hotline/tickets", token=citizen, **me,
                            body={"text": text, "channel": "web", "region": region, "address": "大连市"},
                            headers={"Idempotency-Key": str(uuid.uuid4())}, ok=(201,))


async def sample_loop(server_pid: int, until: float, every: float, samples: list) -> None:
    while time.monotonic() < until:
        samples.append((time.monotonic(), rss_mib(server_pid), await asyncio.to_thread(db_connections)))
        await asyncio.sleep(every)


async def run(base: str, plan: dict, args, server_pid: int) -> tuple[Soak, list]:
    import httpx

    soak = Soak(base, plan)
    samples: list = []
    until = time.monotonic() + args.duration
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        await asyncio.gather(sample_loop(server_pid, until, args.sample, samples),
                             *(soak.user(client, n, until) for n in range(args.clients)))
    return soak, samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=120.0)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--sample", type=float, default=5.0)
    parser.add_argument("--warmup-samples", type=int, default=2)
    parser.add_argument("--memory-margin", type=float, default=20.0, help="allowed RSS growth, percent")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    ready_database(demo=True)
    plan = prepare()
    lines = header("bench_soak — mixed workload over HTTP")
    lines.append(f"database {database_label()}; {len(plan['pairs'])} items with their officer, "
                 f"{len(plan['citizens'])} citizens, {args.clients} clients, {args.duration:g} s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    os.environ["TONGBAN_NUM_PROXIES"] = "1"  # the load generator is the proxy: its X-Forwarded-For counts
    server = start_server(port, args.workers, args.threads)
    try:
        asyncio.run(wait_until_up(base, server))
        soak, samples = asyncio.run(run(base, plan, args, server.pid))
    finally:
        stop_server(server)

    total = sum(len(v) for v in soak.latencies.values())
    errors = sum(soak.errors.values())
    lines.append("| step | requests | p50 ms | p95 ms |")
    lines.append("| --- | ---: | ---: | ---: |")
    for name, values in soak.latencies.items():
        lines.append(f"| {name} | {len(values)} | {percentile(values, 0.5):.0f} | {percentile(values, 0.95):.0f} |")
    steady = samples[args.warmup_samples:] or samples
    first, last = steady[0][1], steady[-1][1]
    growth = (last - first) / first * 100 if first else 0.0
    peak_conn = max((s[2] for s in samples), default=0)
    verify = subprocess.run([sys.executable, "manage.py", "audit", "verify"], cwd=ROOT, env=dict(os.environ),
                            capture_output=True, text=True, check=False)
    lines += [f"requests {total} in {args.duration:g} s ({total / args.duration:.1f}/s), cases filed {soak.cases}",
              f"errors   {errors}" + (f" — {dict(soak.errors)}" if errors else ""),
              f"memory   {first:.0f} MiB → {last:.0f} MiB ({growth:+.1f} %, margin {args.memory_margin:g} %)",
              f"db conns peak {peak_conn}",
              f"audit    {(verify.stdout or verify.stderr).strip()}"]
    print("\n".join(lines))
    ok = errors == 0 and growth <= args.memory_margin and verify.returncode == 0
    print("RESULT  " + ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
