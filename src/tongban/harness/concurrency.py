"""Run N copies of an action at once (issue 10, item 7).

Each copy runs in its own thread, so with its own database connection (Django's connections
are per thread); all wait at a barrier and start together; each closes its connections when
done, so no thread leaves a connection open behind the test. The outcome of each copy — its
return value or the exception it raised — comes back in order, for the test to assert "exactly
one succeeded, the others got Conflict".

Real concurrency needs real row locks: use it in tests marked for PostgreSQL with committed
data (`django_db(transaction=True)`); SQLite serialises writers and proves nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections


@dataclass(frozen=True)
class Outcome:
    index: int
    value: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def run_concurrently(fn: Callable[[int], Any], n: int = 2, *, timeout: float = 30.0) -> list[Outcome]:
    """Call `fn(i)` for i in range(n), all at once, and return their outcomes in order."""
    barrier = threading.Barrier(n, timeout=timeout)
    outcomes: list[Outcome | None] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            outcomes[i] = Outcome(i, value=fn(i))
        except BaseException as exc:  # the outcome is the exception, whatever it is
            outcomes[i] = Outcome(i, error=exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,), name=f"concurrent-{i}") for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    if any(t.is_alive() for t in threads):
        raise TimeoutError(f"{sum(t.is_alive() for t in threads)} of {n} copies still running after {timeout}s")
    return [o for o in outcomes if o is not None]
