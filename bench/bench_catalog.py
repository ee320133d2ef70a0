"""How fast are guides and the Excel import at city scale? (issue 4: 10,000 implementations;
guide p95 ≤ 50 ms with 20 concurrent clients; import of 10,000 rows ≤ 60 s.)

On the database DATABASE_URL names (created and migrated if missing; PostgreSQL for figures):

1. loads the reference catalogue if it is missing, then implements the items in the city, the
   districts and generated streets until there are --implementations rows (bulk inserts;
   reused on the next run);
2. times `selectors.guide()` — what `GET /api/catalog/items/{code}?region=` answers — for random
   (item, region) pairs: single-threaded, then with --clients threads, each on its own
   connection (p50 / p95 / p99, queries per guide);
3. exports the whole catalogue to Excel and times the import of the file unchanged
   (validation only: nothing is written) and with every implementation's hours changed
   (one update per row, all in one transaction).

In-process figures: the HTTP layer (gunicorn, JSON rendering) is bench_http's business.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongban_bench PYTHONPATH=src \\
        .venv/bin/python bench/bench_catalog.py [--implementations 10000] [--clients 20] [--calls 2000]
"""

from __future__ import annotations

import argparse
import io
import random
import threading
import time

from _common import database_label, header, percentile, ready_database

SEED = 20260101


def prepare(target: int) -> int:
    from django.db import transaction

    from tongban.catalog import demo
    from tongban.catalog.models import ItemImplementation, ServiceItem
    from tongban.identity.demo import load_catalog, load_organisation
    from tongban.identity.models import Department, Region

    if not Region.objects.exists():
        load_organisation(load_catalog())
    demo.load()
    have = ItemImplementation.objects.count()
    if have >= target:
        return have
    started = time.perf_counter()
    with transaction.atomic():
        districts = list(Region.objects.filter(level="district").order_by("code"))
        for district in districts:  # synthetic streets, so that there are enough regions
            for n in range(1, 7):
                code = f"{district.code}9{n:02d}"
                if not Region.objects.filter(code=code).exists():
                    Region(code=code, name=f"{district.name}测试街道{n}", level="street", parent=district,
                           synthetic=True).save()
        regions = list(Region.objects.filter(level__in=["city", "district", "street"]).order_by("path"))
        taken = set(ItemImplementation.objects.values_list("item_id", "region_id"))
        departments = {d.pk: d for d in Department.objects.all()}
        items = list(ServiceItem.objects.order_by("code"))
        rows = []
        for region in regions:
            for item in items:
                if have + len(rows) >= target:
                    break
                if (item.pk, region.pk) in taken:
                    continue
                rows.append(ItemImplementation(
                    item=item, department=departments[item.department_id], region=region,
                    place=f"{region.name}便民服务中心", hours=demo.HOURS, phone="12345", consultation=demo.CONSULTATION,
                    complaint=demo.COMPLAINT.format(dept=departments[item.department_id].name),
                    fee="不收费", promised_days=min(item.legal_days, 1), legal_days=item.legal_days,
                    legal_days_unit=item.legal_days_unit))
        ItemImplementation.objects.bulk_create(rows, batch_size=2000)
    print(f"generated {len(rows)} implementations in {time.perf_counter() - started:.1f} s", flush=True)
    return have + len(rows)


def time_guides(pairs: list[tuple[str, str]], calls: int, clients: int) -> list[str]:
    from django.db import connection, connections
    from django.test.utils import CaptureQueriesContext

    from tongban.catalog import selectors

    rng = random.Random(SEED)
    sample = [rng.choice(pairs) for _ in range(calls)]
    for code, region in sample[:50]:  # warm-up
        selectors.guide(code, region)
    with CaptureQueriesContext(connection) as ctx:
        selectors.guide(*sample[0])
    queries = len(ctx.captured_queries)
    single = []
    for code, region in sample:
        t = time.perf_counter()
        selectors.guide(code, region)
        single.append((time.perf_counter() - t) * 1000)
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(offset: int) -> None:
        mine = []
        for code, region in sample[offset::clients]:
            t = time.perf_counter()
            selectors.guide(code, region)
            mine.append((time.perf_counter() - t) * 1000)
        with lock:
            latencies.extend(mine)
        connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started

    def row(label: str, values: list[float], rate: str) -> str:
        return (f"| {label} | {len(values)} | {percentile(values, 0.5):.1f} | {percentile(values, 0.95):.1f} | "
                f"{percentile(values, 0.99):.1f} | {rate} |")

    return [f"queries per guide: {queries}", "", "| guide() | calls | p50 ms | p95 ms | p99 ms | guides/s |",
            "| --- | --- | --- | --- | --- | --- |",
            row("1 thread", single, f"{len(single) / (sum(single) / 1000):.0f}"),
            row(f"{clients} threads", latencies, f"{len(latencies) / wall:.0f}")]


def time_import() -> list[str]:
    from openpyxl import load_workbook

    from tongban.catalog import excel
    from tongban.identity.models import User

    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench-admin", password=None)
    started = time.perf_counter()
    data = excel.export_workbook()
    exported = time.perf_counter() - started
    book = load_workbook(io.BytesIO(data))
    rows = sum(book[s].max_row - 1 for s in excel.SHEETS)
    started = time.perf_counter()
    unchanged = excel.import_workbook(admin, data)
    no_op = time.perf_counter() - started
    sheet = book[excel.IMPLEMENTATIONS]
    column = [c.value for c in sheet[1]].index(excel.LOCAL_FIELDS["hours"]) + 1
    stamp = f"工作日 8:30—17:00（基准测试 {int(time.time())}）"
    for r in range(2, sheet.max_row + 1):
        sheet.cell(row=r, column=column, value=stamp)
    out = io.BytesIO()
    book.save(out)
    started = time.perf_counter()
    changed = excel.import_workbook(admin, out.getvalue())
    writing = time.perf_counter() - started
    assert not any(unchanged.values()), unchanged
    return ["", "| Excel | rows | seconds |", "| --- | --- | --- |", f"| export | {rows} | {exported:.1f} |",
            f"| import, unchanged (validate only) | {rows} | {no_op:.1f} |",
            f"| import, {changed['implementations_updated']} implementations changed | {rows} | {writing:.1f} |"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--implementations", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--skip-import", action="store_true")
    args = parser.parse_args()
    ready_database()
    from tongban.catalog.models import ItemImplementation

    total = prepare(args.implementations)
    pairs = list(ItemImplementation.objects.values_list("item__code", "region_id"))
    lines = header("bench_catalog — guides and Excel import")
    lines += [f"database {database_label()}", f"data     {total} implementations of "
              f"{len({c for c, _ in pairs})} items", ""]
    lines += time_guides(pairs, args.calls, args.clients)
    if not args.skip_import:
        lines += time_import()
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
