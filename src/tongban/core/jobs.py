"""Background and scheduled jobs, one code path (ADR 0004).

Declare a job with `@job()` (or `@job(every=seconds)` for a scheduled one) in an app's
`tasks.py`. `enqueue(fn, ...)` runs it after the current transaction commits: on a Celery
worker when REDIS_URL is set, in-process otherwise. `run_scheduler()` is the embedded
scheduler behind `./tongban worker` when there is no Redis; with Redis the same schedule is
handed to Celery beat.

A worker killed in the middle of a job (ADR 0017): on the Celery path every job is
acknowledged only after it ran (`acks_late`), so its message stays in Redis' unacknowledged
set under a lease (`lease_seconds()`, the transport's visibility timeout); a worker that finds
a lease expired puts the message back on the queue and the job runs again. In the embedded
runner a scheduled job's effect was rolled back with its transaction and the next worker runs
every scheduled job when it starts. Either way a job may run more than once, never zero
times: jobs are idempotent by design.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import close_old_connections, transaction

from tongban.celery import app

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Scheduled:
    name: str
    every: float
    task: Any


SCHEDULE: dict[str, Scheduled] = {}


DEFAULT_LEASE_SECONDS = 1800


def lease_seconds() -> int:
    """How long a job a worker took may run before another worker takes it over as abandoned
    (`TONGBAN_JOB_LEASE`, seconds; longer than any job's run, since a job still running past it
    runs a second time — harmlessly, being idempotent, but needlessly)."""
    from django.conf import settings

    value = getattr(settings, "TONGBAN_JOB_LEASE", None) or os.environ.get("TONGBAN_JOB_LEASE")
    try:
        return max(1, int(value)) if value else DEFAULT_LEASE_SECONDS
    except ValueError:
        return DEFAULT_LEASE_SECONDS


def lease_transport_options() -> dict[str, int]:
    """Redis transport options of the worker: the lease, and a sweep for expired leases a few
    times per lease (kombu's default sweep is every 100 s)."""
    lease = lease_seconds()
    return {"visibility_timeout": lease, "unacked_restore_interval": max(1, min(10, lease // 4)),
            "unacked_restore_throttle": 1}


def job(every: float | None = None) -> Callable[[Callable[..., Any]], Any]:
    def register(fn: Callable[..., Any]) -> Any:
        name = f"{fn.__module__}.{fn.__name__}"
        # acknowledged after the run, not on receipt: a worker killed mid-job leaves the message
        # leased, not lost (ADR 0017); a pool child lost mid-job gives its message back at once
        task = app.task(name=name, acks_late=True, reject_on_worker_lost=True)(fn)
        if every:
            SCHEDULE[name] = Scheduled(name, every, task)
        return task

    return register


def enqueue(task: Any, *args: Any, **kwargs: Any) -> None:
    """Run `task` after the transaction commits: on a worker, or — when the broker (Redis)
    cannot be reached — right here in-process, so that nothing is lost (jobs are idempotent,
    so a job that did reach the queue and also runs here has its effect once)."""
    transaction.on_commit(lambda: _send(task, args, kwargs))


def _send(task: Any, args: tuple, kwargs: dict) -> None:
    try:
        task.delay(*args, **kwargs)
    except Exception as exc:  # kombu/redis raise several kinds when the broker is down
        log.warning("任务队列不可用（%s），任务 %s 改为在本进程内执行", exc, task.name)
        task.apply(args=args, kwargs=kwargs)


def beat_schedule() -> dict[str, dict[str, Any]]:
    return {s.name: {"task": s.name, "schedule": s.every} for s in SCHEDULE.values()}


def run_due(last_run: dict[str, float], now: float) -> list[str]:
    """Run every scheduled job whose interval has passed; return the names that ran."""
    ran = []
    for item in SCHEDULE.values():
        if now - last_run.get(item.name, 0.0) >= item.every:
            last_run[item.name] = now
            close_old_connections()
            try:
                item.task.apply()
            except Exception:  # one failing job must not stop the others
                log.exception("scheduled job %s failed", item.name)
            ran.append(item.name)
    return ran


def run_scheduler(stop: threading.Event, tick: float = 1.0) -> None:
    app.loader.import_default_modules()
    last_run: dict[str, float] = {}
    log.info("内置调度器已启动：%s", ", ".join(sorted(SCHEDULE)) or "（无定时任务）")
    while not stop.is_set():
        run_due(last_run, time.monotonic())
        stop.wait(tick)
