"""bench_hotline — 12345 tickets over a year: intake with classification and duplicate check,
the operator queue, and the classifier's held-out figures.

    DATABASE_URL=postgres://… ./tongban bench hotline [--tickets 500000] [--intake 200]

Generated tickets (from the committed generator: heating in winter, noise in summer, a rising
topic injected in the last weeks) are bulk-inserted once and reused; then intake runs through
`actions.file_ticket` (validation, classification, routing, duplicate search, numbering) and
the queue through `selectors.queue` + pagination, in-process."""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time

from _common import database_label, header, percentile, ready_database

SEASONAL = {"heating-cold": (11, 12, 1, 2, 3), "heating-fee": (10, 11, 12), "noise-construction": (5, 6, 7, 8),
            "cooking-fumes": (6, 7, 8), "neighbour-noise": (6, 7, 8)}
RISING = "elevator"


def generate(total: int, seed: int = 20261125) -> float:
    from django.utils import timezone

    from tongban.hotline import deadlines
    from tongban.hotline.actions import load_taxonomy
    from tongban.hotline.models import Ticket
    from tongban.hotline.places import describe
    from tongban.hotline.training.generate import generate as examples

    load_taxonomy()
    have = Ticket.objects.filter(number__startswith="B").count()
    if have >= total:
        return 0.0
    t = time.perf_counter()
    rng = random.Random(seed)
    pool = examples(5000, seed)
    policy = deadlines.current_policy()
    now = timezone.now()
    regions = ["210200", "210202", "210203", "210204", "210211", "210213"]
    batch = []
    for i in range(have, total):
        day = now - dt.timedelta(days=rng.randrange(365), minutes=rng.randrange(1440))
        row = rng.choice(pool)
        months = SEASONAL.get(row["subject"])
        if months and day.month not in months and rng.random() < 0.7:
            row = rng.choice(pool)
        if (now - day).days < 21 and rng.random() < 0.05:
            row = {**row, "subject": RISING, "kind": "market"}
        batch.append(Ticket(
            number=f"B{i:011d}", channel="phone", category=row["category"], subject_id=row["subject"],
            text=row["text"], region_id=rng.choice(regions), places=describe(row["text"]),
            caller_phone=f"139{rng.randrange(10**8):08d}", filed_at=day,
            deadline=day + dt.timedelta(days=7), policy=policy,
            status=rng.choice(["closed", "closed", "closed", "dispatched", "signed"]),
            department_id=row["kind"]))
        if len(batch) >= 5000:
            Ticket.objects.bulk_create(batch)
            batch = []
    Ticket.objects.bulk_create(batch)
    return time.perf_counter() - t


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=500_000)
    parser.add_argument("--intake", type=int, default=200)
    parser.add_argument("--queue-requests", type=int, default=100)
    args = parser.parse_args()

    ready_database()
    _operator()
    from tongban.hotline import classifier
    from tongban.hotline.models import Ticket

    lines = header("bench_hotline — 12345 tickets over a year")
    generated = generate(args.tickets)
    lines.append(f"database {database_label()}; {Ticket.objects.count():,} tickets"
                 + (f" (generated in {generated:.0f} s)" if generated else " (reused)"))
    classifier.load()
    lat = intake(args.intake)
    lines.append(f"intake   file_ticket with classification + duplicate check: p50 {percentile(lat, 0.5):.0f} ms, "
                 f"p95 {percentile(lat, 0.95):.0f} ms ({len(lat)} tickets)")
    q = queue(args.queue_requests)
    lines.append(f"queue    operator queue (dispatched, first page): p50 {percentile(q, 0.5):.0f} ms, "
                 f"p95 {percentile(q, 0.95):.0f} ms")
    t = time.perf_counter()
    model = classifier.train()
    lines.append(f"train    {model.examples} examples in {time.perf_counter() - t:.1f} s; held-out macro-F1 "
                 + ", ".join(f"{h} {model.metrics[h]['macro_f1']:.3f}" for h in classifier.HEADS))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
