"""Faults, with nothing lost (issue 10 item 6), broken on purpose against real services:

* the database connection is killed (`pg_terminate_backend`) in the middle of an action: the
  action is all or nothing, the client gets 503 with Retry-After, and a retry with the same
  Idempotency-Key completes it exactly once;
* a slow database (a statement waits on a lock past `statement_timeout`): 503 with a retry
  hint, on the API and on pages, never a hang;
* Redis unreachable: requests are still served (the cache degrades) and jobs run in-process
  instead of being lost.
"""

import threading
import time

import psycopg
import pytest
from django.db import connection
from django.test import Client

from tongban.core import jobs
from tongban.core.models import AuditRecord, IdempotencyRecord
from tongban.identity.demo import make_id_number
from tongban.identity.models import User
from tongban.testing import api_client

POSTGRES = connection.vendor == "postgresql"
pg_only = pytest.mark.skipif(not POSTGRES, reason="connection kills and lock waits are PostgreSQL's")


def side_connection() -> psycopg.Connection:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**{k: v for k, v in params.items() if k in
                              ("dbname", "user", "password", "host", "port")}, autocommit=True)


BODY = {"name": "断线测试", "id_number": make_id_number("210202", "19900101", 77), "phone": "13700000077",
        "password": "Tongban-Fault-2026!"}


@pg_only
def test_connection_killed_mid_action_then_retry_completes_once(live_db, monkeypatch):
    from tongban.identity import actions

    original = actions.audit.record
    kills = {"left": 1}

    def record_after_a_kill(*args, **kwargs):
        if kills["left"]:
            kills["left"] -= 1
            pid = connection.connection.info.backend_pid
            with side_connection() as side:
                side.execute("SELECT pg_terminate_backend(%s)", [pid])
        return original(*args, **kwargs)

    monkeypatch.setattr(actions.audit, "record", record_after_a_kill)
    headers = {"Idempotency-Key": "fault-register-1"}
    try:
        first = api_client().post("/api/accounts/register", BODY, content_type="application/json", headers=headers)
        assert first.status_code == 503
        assert first["Retry-After"]
        assert "detail" in first.json()
        assert not User.objects.filter(id_number=BODY["id_number"]).exists()  # all or nothing
        assert not IdempotencyRecord.objects.filter(key="fault-register-1").exists()

        again = api_client().post("/api/accounts/register", BODY, content_type="application/json", headers=headers)
        assert again.status_code == 201
        replay = api_client().post("/api/accounts/register", BODY, content_type="application/json", headers=headers)
        assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
        assert User.objects.filter(id_number=BODY["id_number"]).count() == 1
        assert AuditRecord.objects.filter(action="identity.register", subject_id__isnull=False).count() == 1
    finally:
        User.objects.filter(id_number=BODY["id_number"]).delete()


def _hold_lock(table: str, ready: threading.Event, release: threading.Event) -> None:
    with side_connection() as side, side.transaction():
        side.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        ready.set()
        release.wait(10)


@pg_only
@pytest.mark.parametrize(("path", "table"), [("/api/regions", "identity_region"), ("/", "wagtailcore_page")])
def test_slow_database_answers_503_not_a_hang(live_db, path, table):
    ready, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(table, ready, release))
    holder.start()
    try:
        assert ready.wait(5)
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 300")
        started = time.monotonic()
        response = Client(raise_request_exception=False).get(path)
        elapsed = time.monotonic() - started
    finally:
        release.set()
        holder.join()
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
    assert response.status_code == 503, response.content[:200]
    assert int(response["Retry-After"]) > 0
    assert elapsed < 5
    assert b"Traceback" not in response.content


@pytest.mark.django_db
def test_redis_down_requests_still_served(settings):
    settings.CACHES = {"default": {"BACKEND": "tongban.core.cache.TolerantRedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0",
                                   "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}}
    from django.core.cache import cache

    assert cache.get("anything", "fallback") == "fallback"
    assert cache.add("k", 1) is False
    response = api_client().get("/api/calendar/add?start=2026-03-02&days=5")
    assert response.status_code == 200
    assert Client().get("/healthz").status_code in (200, 503)


@pytest.mark.django_db
def test_broker_down_job_runs_in_process(django_capture_on_commit_callbacks):
    """A real connection refused by a closed port — on a Celery app of its own, so no pooled
    connection of the platform's app (memory broker in tests) can hide the failure."""
    from celery import Celery

    unreachable = Celery("broker-down", broker="redis://127.0.0.1:1/0", set_as_current=False)
    unreachable.conf.update(broker_connection_timeout=0.5, broker_connection_retry=False,
                            task_publish_retry_policy={"max_retries": 0})
    runs = []

    @unreachable.task(name="tests.faults.count_run")
    def count_run(n):
        runs.append(n)

    with django_capture_on_commit_callbacks(execute=True):
        jobs.enqueue(count_run, 7)
    assert runs == [7]
