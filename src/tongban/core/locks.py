"""Named transaction-scoped locks, for "check then insert" where there is no row to lock yet
(one SMS code per phone per minute, one counter row per day …).

PostgreSQL: `pg_advisory_xact_lock` on a 64-bit key derived from the name, released at commit
or rollback. SQLite: a write transaction already holds the database's single writer lock
(the settings open transactions IMMEDIATE), so nothing more is needed."""

from __future__ import annotations

import hashlib

from django.db import connection, transaction


def _key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def lock(name: str) -> None:
    """Block until this transaction holds the lock `name`. Must run inside `atomic()`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("locks.lock() must be called inside transaction.atomic()")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_key(name)])
