"""bench_hotline — 12345 tickets over a year: intake with classification and duplicate check,
the operator queue, and the classifier's held-out figures.

    DATABASE_URL=postgres://… ./tongban bench hotline [--tickets 500000] [--intake 200] [--skip-train]

Generated tickets (from the committed generator: heating in winter, noise in summer, a rising
topic injected in the last week, each ticket's life: closures on time and late, returns,
reopenings, callbacks) are written once with PostgreSQL COPY and reused; then intake runs
through `actions.file_ticket` (validation, classification, routing, duplicate search,
numbering), the queue through `selectors.queue` + pagination, and the year's dashboard through
`stats.overview` after the daily summaries are built, in-process."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import sys
import time

from _common import database_label, header, percentile, ready_database

SEASONAL = {"heating-cold": (11, 12, 1, 2, 3), "heating-fee": (10, 11, 12), "noise-construction": (5, 6, 7, 8),
            "cooking-fumes": (6, 7, 8), "neighbour-noise": (6, 7, 8)}
RISING = "elevator"


COLUMNS = ["number", "channel", "category", "urgent", "subject_id", "text", "address", "region_id", "street",
           "places", "caller_name", "caller_phone", "tracking_secret_hash", "filed_at", "deadline", "first_deadline",
           "policy", "suggestion", "status", "department_id", "last_department_id", "dispatched_at", "returned_count",
           "reply_text", "result_type", "reply_flags", "replied_at", "closed_at", "reopened_count", "callback",
           "escalated", "updated_at"]
DISTRICTS = ["210202", "210203", "210204", "210211", "210212", "210213", "210214", "210281", "210283"]
STREETS = ["西南路", "解放路", "黄河路", "五四路", "长江路", "中山路", "人民路", "华北路", "山东路", "金马路",
           "泉水路", "兴工街", "连胜街", "春柳街", "椒金山街", "马栏街", "白山路", "星海湾", "春田街", "红旗西路"]


def _pool(seed: int) -> dict[str, list[dict]]:
    """The committed generator's examples by subject (seeded: the same pool every run)."""
    from tongban.hotline.training.generate import generate as examples

    by: dict[str, list[dict]] = {}
    for row in examples(5000, seed):
        by.setdefault(row["subject"], []).append(row)
    return by


def _tsv(value: object) -> str:
    if value is None:
        return "\\N"
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def generate(total: int, seed: int = 20261125) -> float:
    """`total` tickets over the last 365 days, written with PostgreSQL COPY (seeded, reused when
    there): seasons (heating in winter, noise and fumes in summer), a rising topic injected in the
    last week (elevators), city-wide districts and streets, the places named in the words (as intake
records them, so the duplicate search meets them), and the life of each ticket — closed
    on time or late, returned and rerouted, reopened, called back (satisfied, not, unreachable)."""
    import json

    from django.db import connection
    from django.utils import timezone

    from tongban.hotline import deadlines
    from tongban.hotline.actions import load_taxonomy
    from tongban.hotline.models import Subject, Ticket
    from tongban.hotline.places import describe

    load_taxonomy()
    have = Ticket.objects.filter(number__startswith="B").count()
    if have >= total:
        return 0.0
    if connection.vendor != "postgresql":
        raise SystemExit("bench_hotline generates with COPY: run it on PostgreSQL (DATABASE_URL)")
    started = time.perf_counter()
    rng = random.Random(seed + have)
    pool = _pool(seed)
    subjects = list(pool)
    kinds = dict(Subject.objects.values_list("code", "department_kind"))
    policy = json.dumps(deadlines.current_policy(), ensure_ascii=False)
    now = timezone.now()
    batch = 50_000
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for first in range(have, total, batch):
            buf = io.StringIO()
            for n in range(first, min(total, first + batch)):
                age = rng.random() * 365
                filed = now - dt.timedelta(days=age)
                subject = rng.choice(subjects)
                months = SEASONAL.get(subject)
                while months and filed.month not in months and rng.random() < 0.8:
                    subject = rng.choice(subjects)
                    months = SEASONAL.get(subject)
                if (age < 7 and rng.random() < 0.06) or (7 <= age < 14 and rng.random() < 0.01):
                    subject = RISING
                example = rng.choice(pool[subject])
                deadline = filed + dt.timedelta(days=7)
                status, closed, returned, reopened, callback, replied = "dispatched", None, 0, 0, None, None
                if age > 10 or rng.random() < age / 10:
                    status = "closed"
                    closed = filed + dt.timedelta(days=rng.choice([1, 2, 3, 4, 5, 6, 6, 8, 9]),
                                                  seconds=rng.randrange(3600))
                    replied = closed - dt.timedelta(hours=2)
                    returned = int(rng.random() < 0.06)
                    reopened = int(rng.random() < 0.04)
                    roll = rng.random()
                    if roll < 0.05:
                        callback = {"unreachable": True, "done_at_reopen": reopened}
                    elif roll < 0.9:
                        level = rng.choices([5, 4, 3, 2, 1], [50, 25, 12, 8, 5])[0]
                        callback = {"level": level, "resolved": level >= 3, "comment": "", "done_at_reopen": reopened}
                else:
                    status = rng.choice(["new", "dispatched", "dispatched", "signed", "signed", "replied"])
                dept = kinds.get(subject) if status != "new" else None
                places = json.dumps(describe(example["text"]), ensure_ascii=False)
                row = [f"B{n:011d}", "phone", example["category"], "f", subject, example["text"], "",
                       rng.choice(DISTRICTS), rng.choice(STREETS), places, "", f"139{rng.randrange(10**8):08d}", "",
                       filed.isoformat(), deadline.isoformat(), deadline.isoformat(), policy, "{}", status, dept,
                       None, filed.isoformat() if dept else None, returned,
                       "已到现场处理完毕，问题已解决。" if closed else "", "resolved" if closed else "", "[]",
                       replied.isoformat() if replied else None, closed.isoformat() if closed else None, reopened,
                       json.dumps(callback) if callback else None, "f", (closed or filed).isoformat()]
                buf.write("\t".join(_tsv(v) for v in row) + "\n")
            buf.seek(0)
            with raw.copy(f"COPY hotline_ticket ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                copy.write(buf.read())
            print(f"  {min(total, first + batch):,} tickets", flush=True)
        cursor.execute(
            "INSERT INTO hotline_ticketstep (ticket_id, action, note, data, at) SELECT id, 'reroute', '', '{}', "
            "filed_at + interval '1 day' FROM hotline_ticket t WHERE number LIKE 'B%%' AND returned_count > 0 "
            "AND NOT EXISTS (SELECT 1 FROM hotline_ticketstep s WHERE s.ticket_id = t.id)")
        cursor.execute("VACUUM ANALYZE hotline_ticket")
        cursor.execute("VACUUM ANALYZE hotline_ticketstep")
    return time.perf_counter() - started


def dashboard(n: int) -> tuple[float, list[float], list[float], dict]:
    """The daily summaries built (time), then the year's dashboard as a supervisor n times cold
    (the cache emptied: the first dashboard after a run of the job) and n times as kept (ms)."""
    from django.core.cache import cache
    from django.utils import timezone

    from tongban.hotline import stats
    from tongban.identity.models import User

    t = time.perf_counter()
    stats.refresh_touched()
    built = time.perf_counter() - t
    supervisor = User.objects.get(username="supervisor-bench")
    last = timezone.localdate()
    first = last - dt.timedelta(days=364)
    cold, kept, data = [], [], {}
    for _ in range(n):
        cache.clear()
        for times in (cold, kept):
            t = time.perf_counter()
            data = stats.overview(supervisor, None, first.isoformat(), last.isoformat())
            times.append((time.perf_counter() - t) * 1000)
    return built, cold, kept, data


def intake(n: int) -> list[float]:
    from tongban.hotline import actions
    from tongban.identity.models import User

    operator = User.objects.get(username="operator-12345")
    rng = random.Random(7)
    from tongban.hotline.training.generate import generate as examples

    texts = [r["text"] for r in examples(n, 99)]
    times = []
    for text in texts:
        t = time.perf_counter()
        actions.file_ticket(operator, {"text": text, "channel": "phone", "region": rng.choice(["210200", "210203"]),
                                       "phone": f"139{rng.randrange(10**8):08d}"})
        times.append((time.perf_counter() - t) * 1000)
    return times


def queue(n: int) -> list[float]:
    from tongban.core.pagination import paginate
    from tongban.hotline import selectors
    from tongban.identity.models import User

    operator = User.objects.get(username="operator-12345")
    times = []
    for _ in range(n):
        t = time.perf_counter()
        paginate(selectors.queue(operator, status="dispatched"), 1, 20, selectors.list_row)
        times.append((time.perf_counter() - t) * 1000)
    return times


def _operator() -> None:
    """The regions, departments and the demo operator, without the whole demo."""
    from tongban.identity.constants import Role
    from tongban.identity.demo import load_catalog, load_organisation
    from tongban.identity.models import Department, User
    from tongban.testing import make_staff

    if not Department.objects.exists():
        load_organisation(load_catalog())
    if not User.objects.filter(username="operator-12345").exists():
        make_staff("operator-12345", Role.HOTLINE_OPERATOR, None, "210200")
    if not User.objects.filter(username="supervisor-bench").exists():
        make_staff("supervisor-bench", Role.SUPERVISOR, None, "210200")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=500_000)
    parser.add_argument("--intake", type=int, default=200)
    parser.add_argument("--queue-requests", type=int, default=100)
    parser.add_argument("--dashboards", type=int, default=5)
    parser.add_argument("--skip-train", action="store_true", help="leave out retraining the classifier")
    parser.add_argument("--generate-only", action="store_true", help="write the generated tickets and stop")
    args = parser.parse_args()

    ready_database()
    _operator()
    from tongban.hotline import classifier
    from tongban.hotline.models import Ticket

    lines = header("bench_hotline — 12345 tickets over a year")
    generated = generate(args.tickets)
    lines.append(f"database {database_label()}; {Ticket.objects.count():,} tickets"
                 + (f" (generated in {generated:.0f} s)" if generated else " (reused)"))
    if args.generate_only:
        print("\n".join(lines))
        return 0
    classifier.load()
    lat = intake(args.intake)
    lines.append(f"intake   file_ticket with classification + duplicate check: p50 {percentile(lat, 0.5):.0f} ms, "
                 f"p95 {percentile(lat, 0.95):.0f} ms ({len(lat)} tickets)")
    q = queue(args.queue_requests)
    lines.append(f"queue    operator queue (dispatched, first page): p50 {percentile(q, 0.5):.0f} ms, "
                 f"p95 {percentile(q, 0.95):.0f} ms")
    built, cold, kept, data = dashboard(args.dashboards)
    rising = [r["subject"] for r in data["hot"]["rising_subjects"][:3]]
    lines.append(f"summary  daily summaries built in {built:.1f} s; the year's dashboard: cold (first after the job) "
                 f"p50 {percentile(cold, 0.5):.0f} ms, max {max(cold):.0f} ms; summaries kept p50 "
                 f"{percentile(kept, 0.5):.0f} ms, max {max(kept):.0f} ms ({len(cold)} runs each); "
                 f"on-time {data['totals']['on_time_rate']}, satisfaction {data['totals']['satisfaction_rate']}; "
                 f"rising: {', '.join(rising) or '—'} (injected: 电梯安全)")
    if args.skip_train:
        print("\n".join(lines))
        return 0
    t = time.perf_counter()
    model = classifier.train()
    lines.append(f"train    {model.examples} examples in {time.perf_counter() - t:.1f} s; held-out macro-F1 "
                 + ", ".join(f"{h} {model.metrics[h]['macro_f1']:.3f}" for h in classifier.HEADS))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
