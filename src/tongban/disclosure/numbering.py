"""Registration numbers of disclosure requests: `GKSQ-2026-000042`, one counter row per year
incremented under its row lock inside the filing transaction (unique and gap-free under
concurrency; a rolled-back filing gives its number back)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import RequestNumberCounter


def next_number(year: int) -> str:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number() must run inside the filing transaction")
    for _ in range(3):
        if RequestNumberCounter.objects.filter(year=year).update(last=F("last") + 1):
            last = RequestNumberCounter.objects.filter(year=year).values_list("last", flat=True).get()
            return f"GKSQ-{year}-{last:06d}"
        try:
            with transaction.atomic():
                RequestNumberCounter.objects.create(year=year, last=1)
            return f"GKSQ-{year}-000001"
        except IntegrityError:
            continue
    raise RuntimeError("could not allocate a request number")
