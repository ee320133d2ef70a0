"""Case numbers: region code, date, sequence — `210202-20260316-000042` (issue 5, B1).

One counter row per (region, day), incremented under a row lock inside the filing
transaction: concurrent filings in one region wait for each other only for that row, and a
rolled-back filing gives its number back. The first filing of a day creates the row; two
first filings at once meet on the unique constraint and the loser retries on the row."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, connection, transaction

from .models import CaseNumberCounter

SEQUENCE_DIGITS = 6


def format_number(region: str, day: dt.date, sequence: int) -> str:
    return f"{region}-{day:%Y%m%d}-{sequence:0{SEQUENCE_DIGITS}d}"


def next_number(region: str, day: dt.date) -> str:
    """Must run inside the filing's transaction (the lock lasts until it commits)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number() must run inside the filing transaction")
    for _ in range(3):
        last = _increment(region, day)
        if last is not None:
            return format_number(region, day, last)
        try:
            with transaction.atomic():
                CaseNumberCounter.objects.create(region=region, day=day, last=1)
            return format_number(region, day, 1)
        except IntegrityError:
            continue  # another filing created the day's row first: take the next number on it
    raise RuntimeError("could not allocate a case number")


def _increment(region: str, day: dt.date) -> int | None:
    """Take the day's next sequence under the row lock: one `UPDATE … RETURNING` round trip
    (PostgreSQL and SQLite ≥ 3.35 both have it); None when the day's row does not exist yet."""
    table = connection.ops.quote_name(CaseNumberCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE {table} SET "last" = "last" + 1 WHERE "region" = %s AND "day" = %s RETURNING "last"',  # noqa: S608 - the table name is the model's own
                       [region, connection.ops.adapt_datefield_value(day)])
        row = cursor.fetchone()
    return row[0] if row else None
