"""Licences at city scale (issue 6, Measure): 5,000,000 sealed licences, public verification over
HTTP, signatures and PDFs per second, the materials-avoided report over 1,000,000 cases.

On DATABASE_URL (created, migrated, demo loaded when empty):

1. **Licences**: `--licences` rows (default 5,000,000) of `licences_licence` and their sealed
   first version in `licences_licenceversion`, written with PostgreSQL COPY (no ORM loop). Each
   is really signed, exactly as `licences.actions` seals (the snapshot of `_licence_data`, the
   seal stamp, RFC 8785 bytes): the first `--sm2` (default 20,000) with the issuing department's
   SM2 key (gmssl_pyx), the rest with its Ed25519 key — by `--processes` (default 2) worker
   processes (one per core) while this process streams their rows into COPY. Reused when there.
2. **Verification over HTTP** (BENCHMARKS.md): gunicorn as `./tongban run` (`--workers 2
   --threads 4`, DEBUG off; the cache is Redis when REDIS_URL is set, as in production) and this
   process as the load generator (asyncio + httpx, same machine): `GET /api/licences/verify/{code}`
   for codes of SM2 and of Ed25519 licences drawn at random without repetition, per signature
   cache setting (`TONGBAN_SIGNATURE_CACHE`, `--caches`, default off and 100,000): (a) closed
   loop, 20 clients, no pause (req/s and p95 at saturation); (b) open loop over ≤ 20 connections
   at `--steps` fractions of (a) (ascending, `--duration` s each after `--warmup`, latency from the
   scheduled start, each on a fresh server so that no code meets a warm cache), stopping at the
   first rate whose backlog grows (the last third's p95 above twice the first third's + 5 ms, or
   completions below 97 % of arrivals): the p95 target is read at the highest sustained rate,
   and later cache settings run at that rate;
   with the cache on, also a hot set of `--hot` codes at that rate (the cache's best case). Each
   request carries one of 5,000 citizen addresses (10.77.x.y) in X-Forwarded-For
   (TONGBAN_NUM_PROXIES=1), so the per-address throttle limits each simulated citizen.
3. **Signatures/s per backend** (bench_seals) and **PDFs/s** (`documents.licence_pdf`, one process).
4. **Materials avoided** over `--cases` (default 1,000,000) cases of bench_cases (COPY; reused),
   each with 2–6 materials of every provision: the daily rollup built from scratch (timed), then
   `stats.materials` as an administrator (past days from the rollup, today live), ungrouped and by
   department, item, region and month, and a check that each answer equals the direct count.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tb_bench_licences ./tongban bench licences \\
        [--licences 5000000] [--sm2 20000] [--cases 1000000] [--duration 60] [--steps 0.5,0.65,0.8]
        [--caches 0,100000] [--algorithms sm2,ed25519] [--budget SECONDS] [--skip http,rates,materials]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import multiprocessing
import os
import random
import secrets
import sys
import time

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tb_bench_licences")

from _common import database_label, header, percentile, ready_database

PREFIX = "BL"
CHUNK = 5_000
SEED = 20261206
CITIZENS = 5_000
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"


# --- 1. licences by COPY, signed in worker processes ---------------------------------------------------

def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    text = value if isinstance(value, str) else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


_W: dict = {}  # per worker: the reference objects, the decrypted keys


def _worker_init(context: dict) -> None:
    _W.update(context)


def _person_id(rng: random.Random) -> str:
    from tongban.core.identifiers import id_check_character

    born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 55))
    first17 = f"210202{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return first17 + id_check_character(first17)


def _uscc(rng: random.Random) -> str:
    from tongban.core.identifiers import uscc_check_character

    first17 = f"91210202MA{''.join(rng.choice('0123456789ABCDEFGHJKLMNPQRTUWXY') for _ in range(7))}"
    return first17 + uscc_check_character(first17)


def _canonical_json(data) -> str:
    """RFC 8785 for this data (strings, integers, null, objects with ASCII keys — no floats):
    sorted keys, no whitespace, only `"`, `\\` and control characters escaped, which is what
    `json.dumps` writes. Checked against `crypto.canonical` on the first row of every chunk."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _licence_data(licence_type, issuer, number: str, kind: str, holder_id: str, name: str, issued: dt.date,
                  until: dt.date, code: str) -> dict:
    """`licences.actions._licence_data` of such a licence, built without a model instance
    (checked against it on the first row of every chunk)."""
    return {"type": licence_type.pk, "type_name": licence_type.name, "number": number,
            "holder": {"kind": kind, "id": holder_id, "name": name},
            "issuer": {"department": issuer.pk, "name": issuer.name, "region": issuer.region_id},
            "issued_on": issued.isoformat(), "valid_from": issued.isoformat(), "valid_until": until.isoformat(),
            "status": "valid", "status_changed_at": None, "status_reason": "", "status_basis": "",
            "verification_code": code, "source_case": None, "fields": {}, "version": 1}


def _sign_chunk(bounds: tuple[int, int]) -> tuple[str, str, int]:
    """Rows [start, end) as COPY text of licences and versions, each version really sealed."""
    from cryptography.hazmat.primitives.asymmetric import ed25519

    from tongban.licences import actions, crypto, seals
    from tongban.licences.models import Licence

    start, end = bounds
    rng = random.Random(SEED + start)
    types, keys, today, now = _W["types"], _W["keys"], _W["today"], _W["now"]
    signers = _W.setdefault("signers", {})
    licences, versions = [], []
    signed_at = now.isoformat(timespec="seconds")
    stamp_at = now.isoformat()
    for n in range(start, end):
        pk = _W["first_id"] + n
        licence_type, issuer = rng.choice(types)
        algorithm = "sm2" if n < _W["sm2"] else "ed25519"
        key_pk, key_id, private, public = keys[(issuer.pk, algorithm)]
        person = licence_type.holder_type != "enterprise" and (licence_type.holder_type == "person"
                                                               or rng.random() < .5)
        holder_id = _person_id(rng) if person else _uscc(rng)
        name = (rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN) if person
                else f"大连{rng.choice(GIVEN)}{rng.choice(GIVEN)}商贸有限公司")
        issued = today - dt.timedelta(days=rng.randint(0, 2000))
        until = issued.replace(year=issued.year + 5) if not (issued.month == 2 and issued.day == 29) else \
            issued + dt.timedelta(days=1826)  # about a tenth have expired by their dates
        kind, number, code = "person" if person else "enterprise", f"{PREFIX}{n:09d}", secrets.token_hex(16)
        data = _licence_data(licence_type, issuer, number, kind, holder_id, name, issued, until, code)
        stamp = {"algorithm": algorithm, "key_id": key_id, "signed_at": signed_at}
        data_json, stamp_json = _canonical_json(data), _canonical_json(stamp)
        message = f'{{"licence":{data_json},"seal":{stamp_json}}}'.encode()
        if n == start:  # the shortcuts are exactly what the platform signs and verifies
            licence = Licence(pk=pk, licence_type=licence_type, number=number, issuer=issuer,
                              region_id=issuer.region_id, holder_kind=kind, holder_id=holder_id, holder_name=name,
                              issued_on=issued, valid_from=issued, valid_until=until, status="valid",
                              verification_code=code, data={})
            assert data == actions._licence_data(licence, 1), "bench data differs from actions._licence_data"
            assert message == seals.signed_bytes(data, stamp) == crypto.canonical({"licence": data, "seal": stamp})
        if algorithm == "ed25519":
            signer = signers.get(key_id) or signers.setdefault(
                key_id, ed25519.Ed25519PrivateKey.from_private_bytes(private))
            raw_signature = signer.sign(message)
        else:
            raw_signature = crypto.backend(algorithm).sign(private, public, message)
        if n == start:
            assert crypto.backend(algorithm).verify(public, message, raw_signature)
        signature = crypto.b64(raw_signature)
        licences.append("\t".join((str(pk), licence_type.pk, number, issuer.pk, issuer.region_id, kind, holder_id,
                                   name, "\\N", "\\N", issued.isoformat(), issued.isoformat(), until.isoformat(),
                                   "valid", "\\N", "", "", code, "\\N", "", "1", "{}", "\\N", stamp_at, stamp_at)))
        versions.append("\t".join((str(pk), "1", "import", "valid", _copy_text(data_json), stamp_at, "\\N",
                                   "基准测试导入", "", "", str(key_pk), algorithm, signed_at, _copy_text(stamp_json),
                                   signature)))
    return "\n".join(licences) + "\n", "\n".join(versions) + "\n", end - start


LICENCE_COLUMNS = ("id, licence_type_id, number, issuer_id, region_id, holder_kind, holder_id, holder_name, "
                   "holder_user_id, holder_enterprise_id, issued_on, valid_from, valid_until, status, "
                   "status_changed_at, status_reason, status_basis, verification_code, source_case_id, "
                   "source_case_number, current_version, data, reminded_on, created_at, updated_at")
VERSION_COLUMNS = ("licence_id, number, kind, status, data, at, actor_id, actor_label, reason, legal_basis, "
                   "seal_key_id, algorithm, signed_at, seal, signature")


def generate(total: int, sm2: int, processes: int, budget: float) -> tuple[float, int]:
    """(seconds, rows written); reuses the rows already there (numbered BL…) and stops after
    `budget` seconds (the next run goes on from there)."""
    from django.db import connection, connections
    from django.utils import timezone

    from tongban.catalog.models import LicenceType
    from tongban.licences import crypto, seals
    from tongban.licences.models import Licence

    have = Licence.objects.filter(number__startswith=PREFIX).count()
    if have >= total:
        return 0.0, 0
    types = [(t, t.issuer) for t in LicenceType.objects.select_related("issuer", "issuer__region")
             .filter(issuer__isnull=False)]
    keys = {}
    for _, issuer in types:
        for algorithm in ("sm2", "ed25519"):
            if (issuer.pk, algorithm) not in keys:
                key = seals.active_key(issuer, algorithm)
                keys[(issuer.pk, algorithm)] = (key.pk, key.key_id,
                                                crypto.decrypt_private(key.encrypted_private_key, key.key_id),
                                                bytes.fromhex(key.public_key))
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM licences_licence WHERE number NOT LIKE %s", [f"{PREFIX}%"])
        first_id = max(cursor.fetchone()[0] + 1_000, 1_000) if not have else \
            Licence.objects.filter(number=f"{PREFIX}{0:09d}").values_list("pk", flat=True).first()
    context = {"types": types, "keys": keys, "sm2": sm2, "first_id": first_id, "today": timezone.localdate(),
               "now": timezone.localtime(timezone.now())}
    connections.close_all()  # the workers are forked: no shared connection
    started = time.perf_counter()
    written = 0
    chunks = [(s, min(total, s + CHUNK)) for s in range(have, total, CHUNK)]
    with multiprocessing.get_context("fork").Pool(processes, _worker_init, (context,)) as pool, \
            connection.cursor() as cursor:
        raw = cursor.cursor
        for licences, versions, count in pool.imap(_sign_chunk, chunks):
            with raw.copy(f"COPY licences_licence ({LICENCE_COLUMNS}) FROM STDIN") as copy:
                copy.write(licences)
            with raw.copy(f"COPY licences_licenceversion ({VERSION_COLUMNS}) FROM STDIN") as copy:
                copy.write(versions)
            written += count
            if time.perf_counter() - started > budget:
                pool.terminate()
                print(f"  budget of {budget:.0f} s spent: stopping at {have + written:,} licences", flush=True)
                break
            if written % 250_000 < CHUNK:
                elapsed = time.perf_counter() - started
                print(f"  {have + written:,} licences ({written / elapsed:,.0f}/s)", flush=True)
        cursor.execute("SELECT setval(pg_get_serial_sequence('licences_licence', 'id'), "
                       "(SELECT MAX(id) FROM licences_licence))")
        cursor.execute("ANALYZE licences_licence")
        cursor.execute("ANALYZE licences_licenceversion")
    return time.perf_counter() - started, written


def sample_codes(first_id: int, low: int, high: int, count: int) -> list[str]:
    """`count` codes of random bench licences with ids in [first_id + low, first_id + high)."""
    from tongban.licences.models import Licence

    rng = random.Random(SEED + low)
    picked = [first_id + n for n in rng.sample(range(low, high), min(count, high - low))]  # no code twice
    codes = []
    for start in range(0, len(picked), 10_000):
        codes += Licence.objects.filter(pk__in=picked[start:start + 10_000]).values_list("verification_code", flat=True)
    rng.shuffle(codes)
    return codes[:count]


# --- 2. verification over HTTP --------------------------------------------------------------------------

async def _fetch(client, path: str, scheduled: float, tally: dict | None, n: int) -> None:
    import httpx

    try:
        citizen = n % CITIZENS
        response = await client.get(path, headers={"X-Forwarded-For": f"10.77.{citizen // 250}.{citizen % 250 + 1}"})
        ok = response.status_code == 200 and response.json().get("signature_valid") is True
    except (httpx.HTTPError, ValueError):
        ok = False
    if tally is not None:
        done = time.perf_counter()
        tally["ms"].append((done - scheduled) * 1000)
        tally["at"].append(scheduled)
        tally["done"].append(done)
        tally["errors"] += 0 if ok else 1


def _tally() -> dict:
    return {"ms": [], "at": [], "done": [], "errors": 0}


async def open_loop(base: str, paths: list[str], rate: float, connections: int, warmup: float,
                    duration: float) -> dict:
    """Arrivals on a fixed schedule (`rate`/s) over at most `connections` connections; latency
    from the scheduled start (a request waiting for a free connection counts its wait)."""
    from bench_http import client_for

    tally = _tally()
    async with client_for(base, connections) as client:
        began = time.perf_counter()
        tasks = []
        for n in range(int((warmup + duration) * rate)):
            at = began + n / rate
            delay = at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(_fetch(client, paths[n % len(paths)], at,
                                                    tally if at - began >= warmup else None, n)))
        await asyncio.gather(*tasks)
    tally["window"] = (began + warmup, began + warmup + duration)
    return tally


async def closed_loop(base: str, paths: list[str], clients: int, warmup: float, duration: float) -> dict:
    from bench_http import client_for

    tally = _tally()
    async with client_for(base, clients) as client:
        began = time.perf_counter()
        start, stop = began + warmup, began + warmup + duration

        async def worker(offset: int) -> None:
            n = offset
            while True:
                now = time.perf_counter()
                if now >= stop:
                    return
                await _fetch(client, paths[n % len(paths)], now, tally if now >= start else None, n)
                n += clients

        await asyncio.gather(*(worker(i) for i in range(clients)))
    tally["window"] = (start, stop)
    return tally


def queueing(tally: dict) -> tuple[float, float, float]:
    """(p95 of the first third, p95 of the last third, completions/s inside the window): a
    backlog that grows shows as the last third slower than the first, completions below arrivals."""
    order = sorted(range(len(tally["at"])), key=tally["at"].__getitem__)
    third = max(1, len(order) // 3)
    first = [tally["ms"][i] for i in order[:third]]
    last = [tally["ms"][i] for i in order[-third:]]
    low, high = tally["window"]
    completed = sum(1 for d in tally["done"] if low <= d < high)
    return percentile(first, .95), percentile(last, .95), completed / (high - low)


def sustained(tally: dict, rate: float) -> bool:
    first, last, completions = queueing(tally)
    return tally["errors"] == 0 and completions >= 0.97 * rate and last <= 2 * first + 5


def http_phase(args, codes: dict[str, list[str]]) -> list[str]:
    """Per cache setting and algorithm: the closed loop (saturation), then open-loop steps at
    `--steps` fractions of its requests/s, each on a fresh server (an empty signature cache),
    stopping at the first rate with queueing growth; with the cache on, the hot set at the
    highest sustained rate."""
    from django.db import connections

    from bench_http import free_port, start_server, stop_server, wait_until_up

    connections.close_all()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    head = ("| cache | algorithm | codes | loop | requests | req/s done | p50 ms | p95 ms | p99 ms "
            "| p95 first/last third | errors | sustained | p95 ≤ 20 ms |")
    out = [head, "|---|---|---|---|---:|---:|---:|---:|---:|---|---:|---|---|"]
    os.environ["TONGBAN_NUM_PROXIES"] = "1"
    steps = [float(x) for x in args.steps.split(",") if x]
    caches = [int(x) for x in args.caches.split(",") if x]

    def row(cache: int, algorithm: str, label: str, loop: str, tally: dict, ok: bool | None) -> None:
        first, last, completions = queueing(tally)
        p95 = percentile(tally["ms"], .95)
        out.append(f"| {'on' if cache else 'off'} | {algorithm} | {label} | {loop} | {len(tally['ms']):,} "
                   f"| {completions:,.1f} | {percentile(tally['ms'], .5):.1f} | {p95:.1f} | "
                   f"{percentile(tally['ms'], .99):.1f} | {first:.1f} / {last:.1f} | {tally['errors']} | "
                   f"{'—' if ok is None else '✔' if ok else '✘ queue grows'} | {'✔' if p95 <= 20 else '✘'} |")
        print(out[-1], f"(load {os.getloadavg()[0]:.2f})", flush=True)

    def serve(cache: int):
        os.environ["TONGBAN_SIGNATURE_CACHE"] = str(cache)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(port, args.workers, args.threads)
        asyncio.run(wait_until_up(base, server, 90, f"/api/licences/verify/{codes['ed25519'][0]}"))
        return server, base

    found: dict[str, float] = {}  # algorithm → highest sustained rate with the first cache setting
    for cache in caches:
        for algorithm in args.algorithms.split(","):
            paths = [f"/api/licences/verify/{c}" for c in codes[algorithm]]
            server, base = serve(cache)
            try:
                closed = asyncio.run(closed_loop(base, paths, args.clients, args.warmup, args.closed))
            finally:
                stop_server(server)
            row(cache, algorithm, "random", f"closed {args.clients}", closed, None)
            capacity = len(closed["ms"]) / args.closed
            best = 0.0
            # a later cache setting at the rate found for the first (the same load, cache on vs off)
            rates = [found[algorithm]] if algorithm in found else [max(5.0, round(capacity * f)) for f in steps]
            for rate in rates:
                server, base = serve(cache)
                try:
                    shift = random.Random(SEED + int(rate)).randrange(len(paths))
                    opened = asyncio.run(open_loop(base, paths[shift:] + paths[:shift], rate, args.clients,
                                                   args.warmup, args.duration))
                finally:
                    stop_server(server)
                ok = sustained(opened, rate)
                row(cache, algorithm, "random", f"open {rate:g}/s", opened, ok)
                if not ok:
                    break
                best = rate
            found.setdefault(algorithm, best or rates[0])
            if cache and args.hot and best:
                hot = paths[:args.hot]
                server, base = serve(cache)
                try:
                    opened = asyncio.run(open_loop(base, hot, best, args.clients, args.warmup, args.duration))
                finally:
                    stop_server(server)
                row(cache, algorithm, f"hot {args.hot:,}", f"open {best:g}/s", opened, sustained(opened, best))
    return out


# --- 3. signatures and PDFs per second ------------------------------------------------------------------

def signature_rates(seconds: float) -> list[str]:
    from bench_seals import BACKENDS, DOCUMENT, rate
    from tongban.licences import crypto

    message = crypto.canonical(DOCUMENT)
    out = ["| backend | signatures/s | verifications/s |", "|---|---:|---:|"]
    for name, backend in BACKENDS.items():
        private, public = backend.generate()
        signature = backend.sign(private, public, message)
        assert backend.verify(public, message, signature)
        signs = rate(lambda b=backend, k=private, p=public: b.sign(k, p, message), seconds)
        verifies = rate(lambda b=backend, p=public, s=signature: b.verify(p, message, s), seconds)
        out.append(f"| {name} | {signs:,.0f} | {verifies:,.0f} |")
        print(out[-1], flush=True)
    return out


def pdf_rate(seconds: float) -> tuple[float, int]:
    from tongban.licences import documents
    from tongban.licences.models import Licence, LicenceVersion

    licences = list(Licence.objects.filter(number__startswith=PREFIX).select_related("licence_type", "issuer")
                    .order_by("pk")[:50])
    versions = {v.licence_id: v for v in LicenceVersion.objects.filter(licence__in=licences, number=1)}
    documents.licence_pdf(licences[0], versions[licences[0].pk])  # fonts loaded once
    n, size, stop = 0, 0, time.perf_counter() + seconds
    began = time.perf_counter()
    while time.perf_counter() < stop:
        licence = licences[n % len(licences)]
        size += len(documents.licence_pdf(licence, versions[licence.pk]))
        n += 1
    return n / (time.perf_counter() - began), size // max(n, 1)


# --- 4. materials avoided over 1,000,000 cases ---------------------------------------------------------

def materials(cases: int) -> float:
    """bench_cases' cases (reused), then 2–6 materials of every provision for each case without any, in SQL."""
    from django.db import connection

    from bench_cases import PREFIX as CASE_PREFIX
    from bench_cases import generate as generate_cases

    took = generate_cases(cases)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")  # the app's request timeout is not for bulk loading
        cursor.execute("""
            INSERT INTO cases_casematerial (case_id, position, name, source, licence_type, required, conditional,
                                            tolerable, provision, licence_number, reference, confirmed,
                                            correction_requested, corrected)
            SELECT c.id, g.n, '材料' || g.n, 'applicant', '', true, false, false,
                   (ARRAY['uploaded','uploaded','uploaded','reused','fetched','fetched','missing','promised'])
                       [1 + (hashtext(c.number || g.n::text) & 7)],
                   '', '', true, false, false
            FROM cases_case c CROSS JOIN LATERAL generate_series(1, 2 + (c.id %% 5)::int) AS g(n)
            WHERE c.number LIKE %s AND NOT EXISTS (SELECT 1 FROM cases_casematerial m WHERE m.case_id = c.id)""",
                       [f"{CASE_PREFIX}-%"])
        if not cursor.rowcount:
            return took
        cursor.execute("VACUUM ANALYZE cases_casematerial")
    return took + time.perf_counter() - started


def build_rollup() -> tuple[float, int]:
    """The materials rollup from scratch (watermark and rows dropped), as its first scheduled run builds it."""
    from tongban.licences import stats
    from tongban.licences.models import MaterialDailyStat, MaterialStatsMark

    MaterialStatsMark.objects.all().delete()
    MaterialDailyStat.objects.all().delete()
    started = time.perf_counter()
    stats.refresh_touched()
    return time.perf_counter() - started, MaterialDailyStat.objects.count()


def rollup_matches_direct() -> list[str]:
    """The rollup-backed answer equals the direct count for every grouping, at full size."""
    from tongban.identity.models import User
    from tongban.licences import stats

    admin = User.objects.filter(is_superuser=True).first()
    out = []
    for group_by in ("", "department", "item", "region", "month"):
        t = time.perf_counter()
        direct = stats.materials(admin, group_by=group_by, direct=True)
        took = time.perf_counter() - t
        same = stats.materials(admin, group_by=group_by) == direct
        assert same, f"rollup answer differs from the direct count ({group_by or 'all'})"
        out.append(f"{group_by or 'all'}: equal (direct count {took:.2f} s)")
    return ["rollup answer == direct count: " + "; ".join(out)]


def report_times(repeat: int) -> list[str]:
    from django.db import OperationalError, connection
    from django.db.models import Count

    from tongban.cases.models import Case, CaseMaterial
    from tongban.identity.models import Region, User
    from tongban.licences import stats

    admin = User.objects.filter(is_superuser=True).first()
    assert admin is not None, "the demo's administrator is missing"
    district = Region.objects.filter(parent_id="210200").order_by("pk").values_list("pk", flat=True).first()
    total = Case.objects.count()
    rows = CaseMaterial.objects.count()
    direct = dict(CaseMaterial.objects.values_list("provision").annotate(n=Count("id")).values_list("provision", "n"))
    out = [f"{total:,} cases, {rows:,} case materials", "| report | p50 s | max s | ≤ 1 s |", "|---|---:|---:|---|"]
    for label, kwargs in (("all", {}), ("by department", {"group_by": "department"}),
                          ("by item", {"group_by": "item"}), ("by region", {"group_by": "region"}),
                          ("by month", {"group_by": "month"}),
                          (f"region {district}, 2026", {"region": district, "date_from": "2026-01-01",
                                                        "date_to": "2026-12-31"})):
        times, answer = [], None
        for _ in range(repeat):
            t = time.perf_counter()
            try:
                answer = stats.materials(admin, **kwargs)
            except OperationalError:  # the statement timeout of the settings (TONGBAN_DB_STATEMENT_TIMEOUT_MS)
                connection.close()
                out.append(f"| {label} | statement timeout after {time.perf_counter() - t:.1f} s | | ✘ |")
                print(out[-1], flush=True)
                break
            times.append(time.perf_counter() - t)
        if answer is None or len(times) < repeat:
            continue
        if not kwargs:
            assert answer["total"] == sum(direct.values()), "the report disagrees with the direct count"
        out.append(f"| {label} | {percentile(times, .5):.2f} | {max(times):.2f} | "
                   f"{'✔' if max(times) <= 1 else '✘'} |")
        print(out[-1], flush=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--licences", type=int, default=5_000_000)
    parser.add_argument("--sm2", type=int, default=20_000, help="licences sealed with SM2 (the first ones)")
    parser.add_argument("--processes", type=int, default=2, help="signing processes")
    parser.add_argument("--budget", type=float, default=86400.0, help="seconds of generation at most in this run")
    parser.add_argument("--generate-until", default="", metavar="HH:MM",
                        help="UTC time of day after which no more licences are generated in this run")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--steps", default="0.5,0.65,0.8",
                        help="open-loop rates to try, as fractions of the closed loop's requests/s (ascending)")
    parser.add_argument("--closed", type=float, default=20.0, help="seconds of the closed loop (saturation)")
    parser.add_argument("--caches", default="0,100000", help="TONGBAN_SIGNATURE_CACHE settings to measure")
    parser.add_argument("--algorithms", default="sm2,ed25519")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of each open-loop rate")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--hot", type=int, default=1_000, help="hot-set size for the cached case")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=2.0, help="per signature / PDF measurement")
    parser.add_argument("--skip", default="", help="comma list of phases to skip: http,rates,materials")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))

    ready_database(demo=True)
    lines = header("bench_licences — 电子证照：生成、核验、签名、材料免提交统计")
    lines.append(f"database {database_label()}")
    budget = args.budget
    if args.generate_until:
        now = dt.datetime.now(dt.UTC)
        hour, minute = map(int, args.generate_until.split(":"))
        budget = min(budget, max(0.0, (now.replace(hour=hour, minute=minute, second=0) - now).total_seconds()))
    seconds, written = generate(args.licences, args.sm2, args.processes, budget) if budget > 0 else (0.0, 0)
    from django.db import connection
    from django.db.models import Count

    from tongban.licences.models import Licence, LicenceVersion

    if connection.vendor == "postgresql":  # counting 5M rows is the bench's, not a request's: no 15 s limit
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
    by_algorithm = dict(LicenceVersion.objects.values_list("algorithm").annotate(n=Count("id"))
                        .values_list("algorithm", "n")) if written else "as generated"  # minutes at 5M: once
    first_id = Licence.objects.filter(number=f"{PREFIX}{0:09d}").values_list("pk", flat=True).first()
    bench_rows = Licence.objects.filter(number__startswith=PREFIX).count()
    lines.append(f"licences {Licence.objects.count():,} in the library ({bench_rows:,} bench rows); versions by "
                 f"algorithm {by_algorithm}"
                 + (f"; {written:,} generated and signed in {seconds:.0f} s ({written / seconds:,.0f}/s, "
                    f"{args.processes} signing processes, COPY)" if written else " (reused)"))
    print("\n".join(lines), flush=True)
    if "http" not in skip:
        sm2 = min(args.sm2, bench_rows)
        codes = {"sm2": sample_codes(first_id, 0, sm2, 40_000),
                 "ed25519": sample_codes(first_id, sm2, bench_rows, 40_000)}
        lines += ["", "verification GET /api/licences/verify/{code}, gunicorn "
                  f"--workers {args.workers} --threads {args.threads}, DEBUG off, cache "
                  f"{'Redis' if os.environ.get('REDIS_URL') else 'local memory'}; load asyncio + httpx; "
                  f"{len(codes['sm2']):,} SM2 and {len(codes['ed25519']):,} Ed25519 codes drawn without repetition; "
                  f"{args.warmup:g} s warm-up, closed loop {args.closed:g} s, each open-loop rate {args.duration:g} s "
                  "on a fresh server", *http_phase(args, codes)]
    if "rates" not in skip:
        lines += ["", "signatures per second (one process)", *signature_rates(args.seconds)]
        per_second, size = pdf_rate(args.seconds * 3)
        lines.append(f"PDFs: {per_second:.1f}/s in one process ({size / 1024:.0f} KB each)")
        print(lines[-1], flush=True)
    if "materials" not in skip:
        took = materials(args.cases)
        built, rollup_rows = build_rollup()
        lines += ["", f"materials avoided (stats.materials as an administrator: past days from the daily rollup, "
                  f"today live); data ready in {took:.0f} s; rollup built from scratch in {built:.1f} s "
                  f"({rollup_rows:,} rows)", *report_times(3), *rollup_matches_direct()]
    lines.append(f"load at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("\n".join(["", "=" * 60, *lines]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
