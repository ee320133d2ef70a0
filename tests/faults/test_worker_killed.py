"""A job worker killed in the middle of a job (issue 10 item 6; ADR 0017): the job runs again
and its effect happens exactly once. Real processes, real PostgreSQL, real Redis:

* `./tongban worker` (here `python -m django worker`, what `./tongban worker` runs) is started as
  a child process against this test database;
* a side connection holds a table lock, so the worker's job stops *inside* its transaction at a
  known statement (seen in `pg_stat_activity` as waiting on that lock) — mid-job, after it began
  writing;
* the worker is killed with SIGKILL by its own process id (and its pool children by theirs), the
  lock is released, and the killed job's database work is rolled back by PostgreSQL;
* a second worker is started and must finish the job, once.

Embedded runner (no REDIS_URL): the job is the scheduled sealing of the audit chain.
Celery path (REDIS_URL): the job is a case notice's delivery to the applicant's message centre
(`cases.notices.deliver_notice`), queued on Redis; the second worker gets it back when the
killed worker's lease on the message expires (TONGBAN_JOB_LEASE, short here).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from tongban.core import audit, jobs
from tongban.core.models import AuditChainHead, AuditRecord

POSTGRES = connection.vendor == "postgresql"
pytestmark = pytest.mark.skipif(not POSTGRES, reason="killing a worker mid-transaction needs PostgreSQL's locks")
REDIS = os.environ.get("TONGBAN_TEST_REDIS", "redis://127.0.0.1:6379")


def _side() -> psycopg.Connection:
    params = connection.get_connection_params()
    return psycopg.connect(**{k: v for k, v in params.items() if k in ("dbname", "user", "password", "host", "port")},
                           autocommit=True)


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _env(tmp_path: Path, redis_url: str = "") -> dict[str, str]:
    env = dict(os.environ)
    env.update({"DATABASE_URL": _database_url(), "REDIS_URL": redis_url, "DJANGO_SETTINGS_MODULE": "tongban.settings",
                "TONGBAN_MEDIA_ROOT": str(tmp_path / "media"), "TONGBAN_JOB_LEASE": "4",
                "PYTHONPATH": str(Path(settings.PROJECT_DIR) / "src"), "TONGBAN_TESTING": "1"})
    return env


class Worker:
    """`python -m django worker` in its own session; killed or stopped by its own pid."""

    def __init__(self, tmp_path: Path, name: str, redis_url: str = "") -> None:
        self.log = tmp_path / f"{name}.log"
        self.proc = subprocess.Popen([sys.executable, "-m", "django", "worker"], env=_env(tmp_path, redis_url),
                                     cwd=tmp_path, stdout=self.log.open("wb"), stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def children(self) -> list[int]:
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.proc.pid:
                    found.append(int(stat.parent.name))
        return found

    def kill(self) -> None:
        """SIGKILL the worker and each of its pool processes, every one by its own pid."""
        children = self.children()
        os.kill(self.proc.pid, signal.SIGKILL)
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        children = self.children()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.kill()
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def _wait(condition, seconds: float, what: str, worker: Worker | None = None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        if worker is not None and worker.proc.poll() is not None:
            pytest.fail(f"the worker exited ({worker.proc.returncode}) before {what}:\n{worker.output()}")
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}" + (f":\n{worker.output()}" if worker else ""))


def _blocked_backend(side: psycopg.Connection, pattern: str) -> int | None:
    """The backend (of another process) waiting on a lock while running a statement like `pattern`."""
    row = side.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> "
                       "pg_backend_pid() AND wait_event_type = 'Lock' AND query ILIKE %s LIMIT 1",
                       [pattern]).fetchone()
    return row[0] if row else None


def _backend_gone(side: psycopg.Connection, pid: int) -> bool:
    return side.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()[0] == 0


class TableLock:
    """An EXCLUSIVE lock on a table, held by a side connection until released: reads go on,
    writes to the table wait."""

    def __init__(self, table: str) -> None:
        self.table, self.ready, self.release = table, threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self) -> None:
        with _side() as side, side.transaction():
            side.execute(f'LOCK TABLE "{self.table}" IN EXCLUSIVE MODE')
            self.ready.set()
            self.release.wait(120)

    def __enter__(self) -> TableLock:
        self.thread.start()
        assert self.ready.wait(10), f"could not lock {self.table}"
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.thread.join(10)


@pytest.mark.django_db  # also what makes pytest-django set up the test database for this file's live_db tests
def test_every_job_is_acknowledged_after_it_ran_under_a_lease(settings):
    from tongban.celery import app

    app.loader.import_default_modules()
    assert jobs.SCHEDULE and all(s.task.acks_late and s.task.reject_on_worker_lost for s in jobs.SCHEDULE.values())
    from tongban.cases.notices import deliver_notice

    assert deliver_notice.acks_late and deliver_notice.reject_on_worker_lost
    settings.TONGBAN_JOB_LEASE = 60
    assert jobs.lease_transport_options() == {"visibility_timeout": 60, "unacked_restore_interval": 10,
                                              "unacked_restore_throttle": 1}
    settings.TONGBAN_JOB_LEASE = None
    assert jobs.lease_seconds() == int(os.environ.get("TONGBAN_JOB_LEASE") or jobs.DEFAULT_LEASE_SECONDS)


# --- the embedded runner -------------------------------------------------------------------------------

def test_embedded_worker_killed_mid_job_next_worker_seals_the_chain_once(live_db, tmp_path):
    with audit.acting(audit.AuditContext(actor_label="worker-fault")):
        for n in range(5):
            audit.record("faults.worker.mark", data={"n": n})
    pending = AuditRecord.objects.filter(seq__isnull=True).count()
    assert pending >= 5
    workers = []
    try:
        with _side() as side:
            with TableLock(AuditRecord._meta.db_table):
                first = Worker(tmp_path, "embedded-1")
                workers.append(first)
                # mid-job: the chain head is locked, the links computed, the UPDATE of the records waits
                backend = _wait(lambda: _blocked_backend(side, 'UPDATE "core_auditrecord" SET seq%'), 60,
                                "the embedded worker to start sealing", first)
                first.kill()
            _wait(lambda: _backend_gone(side, backend), 30, "PostgreSQL to end the killed worker's session")
            assert AuditRecord.objects.filter(seq__isnull=True).count() == pending  # its work was rolled back

            second = Worker(tmp_path, "embedded-2")
            workers.append(second)
            _wait(lambda: not AuditRecord.objects.filter(seq__isnull=True).exists(), 60,
                  "the next worker to seal the records", second)
        result = audit.verify_chain()
        assert result.ok, result.problem
        sealed = AuditRecord.objects.filter(seq__isnull=False)
        assert sealed.values("seq").distinct().count() == sealed.count() == AuditChainHead.objects.get().last_seq
    finally:
        for w in workers:
            w.stop()


# --- the Celery path ----------------------------------------------------------------------------------------

@pytest.fixture
def redis_db():
    """An empty Redis database of the local server for this test's queue (emptied afterwards)."""
    redis = pytest.importorskip("redis")
    for index in range(15, 0, -1):
        url = f"{REDIS}/{index}"
        try:
            client = redis.Redis.from_url(url, socket_connect_timeout=1)
            if client.dbsize() == 0:
                break
        except redis.exceptions.ConnectionError:
            pytest.skip(f"no Redis at {REDIS}")
    else:
        pytest.skip("no empty Redis database")
    try:
        yield url, client
    finally:
        client.flushdb()


def _send_to(url: str):
    """What `jobs.enqueue` does with REDIS_URL set (task.delay after commit), to this test's Redis:
    the test process itself runs with tasks eager."""
    from kombu import Connection

    from tongban.celery import app

    def send(task, args, kwargs):
        with Connection(url) as conn:
            app.send_task(task.name, args=args, kwargs=kwargs, connection=conn)

    return send


@pytest.fixture
def applicant_case(live_db):
    """A case filed by a fresh applicant, committed; removed afterwards."""
    from tongban.catalog import demo as catalog_demo
    from tongban.catalog.models import ServiceItem
    from tongban.identity.demo import make_id_number
    from tongban.testing import make_person

    if not ServiceItem.objects.filter(current_version__isnull=False).exists():
        catalog_demo.load()
    item = (ServiceItem.objects.filter(active=True, current_version__isnull=False, legal_days__gt=0,
                                       implementations__region_id="210200").exclude(audience="enterprise")
            .order_by("code").first())
    user = make_person("断点续办", make_id_number("210202", "19880808", 58), "13700000058")
    yield user, item
    from tongban.cases.models import Case
    from tongban.identity.models import InboxMessage

    InboxMessage.objects.filter(user=user).delete()
    for case in Case.objects.filter(applicant=user):
        for relation in case._meta.related_objects:
            if relation.one_to_many and relation.related_model is not Case:
                relation.related_model._base_manager.filter(**{relation.field.name: case}).delete()
        Case.objects.filter(pk=case.pk).delete()
    user.delete()


def test_celery_worker_killed_mid_job_the_job_runs_again_once(applicant_case, redis_db, tmp_path, monkeypatch):
    from tongban.cases import actions as case_actions
    from tongban.identity.models import InboxMessage

    user, item = applicant_case
    url, redis_client = redis_db
    monkeypatch.setattr(jobs, "_send", _send_to(url))
    workers = []
    try:
        with _side() as side:
            with TableLock(InboxMessage._meta.db_table):
                case = case_actions.submit(user, item=item.code, region="210200")  # commits; the notice job is queued
                assert redis_client.llen("celery") == 1
                first = Worker(tmp_path, "celery-1", url)
                workers.append(first)
                # mid-job: the notice rendered, its file stored, the message's INSERT waits
                backend = _wait(lambda: _blocked_backend(side, 'INSERT INTO "identity_inboxmessage"%'), 90,
                                "the worker to start delivering the notice", first)
                assert redis_client.hlen("unacked") >= 1  # taken, leased, not acknowledged
                first.kill()
            _wait(lambda: _backend_gone(side, backend), 30, "PostgreSQL to end the killed worker's session")
        assert not InboxMessage.objects.filter(user=user, kind="case.receipt").exists()  # rolled back

        second = Worker(tmp_path, "celery-2", url)
        workers.append(second)
        _wait(lambda: InboxMessage.objects.filter(user=user, kind="case.receipt").exists(), 90,
              "the job to run again on the next worker", second)
        time.sleep(6)  # past another lease: a second delivery would show now
        messages = InboxMessage.objects.filter(user=user, kind="case.receipt")
        assert messages.count() == 1, list(messages.values_list("title", flat=True))
        assert case.number in messages.get().title
        assert AuditRecord.objects.filter(action="identity.message.deliver", subject_id=user.pk).count() == 1
        _wait(lambda: redis_client.hlen("unacked") == 0, 30, "the job's message to be acknowledged", second)
    finally:
        for w in workers:
            w.stop()
